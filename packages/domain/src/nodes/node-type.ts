import type { z } from 'zod';
import type { DurationBound } from '../dsl/duration';
import type { Graph, GraphNode } from '../dsl/graph.schema';

/**
 * What the domain knows of one node type: the schema of its `data`, the outputs it produces and the
 * handles its outgoing edges may leave by. Handlers live in packages/workflows.
 */
export interface NodeTypeDefinition<Data = unknown> {
  type: string;
  dataSchema: z.ZodType<Data>;
  /** Output names the node produces; `'any'` when they are not known before it runs. */
  outputs(node: GraphNode, graph: Graph): readonly string[] | 'any';
  /** Handles besides `error` (which any node with `onError: "branch"` has). */
  handles(data: Data): readonly string[];
  /** Does work outside the workflow (an activity or child workflow), so retry/timeout/onError apply. */
  effectful: boolean;
  /** Holds an inner graph (`data.graph`) run in its own scope; onError applies, retry/timeout do not. */
  container?: boolean;
  /**
   * Fields of `data` holding objects whose keys are names the user chose and the run uses as keys
   * of workflow state (outputs, variables, inputs): none may be a name every object already has.
   */
  namedFields?: readonly string[];
  /** Bounds of the node's `timeout` when not DURATION_BOUNDS.nodeTimeout (a child run may last longer than an activity). */
  timeoutBound?: DurationBound;
}

export function defineNodeType<Data>(def: NodeTypeDefinition<Data>): NodeTypeDefinition<Data> {
  return def;
}
