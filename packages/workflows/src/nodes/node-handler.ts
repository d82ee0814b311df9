import { isErrorCode, sanitizeErrorMessage, type ErrorCode, type GraphNode, type NodeLocation, type RunError, type VariablePool } from '@weft/domain';
import type { Frame } from '../interpreter/state';
import type { Runtime } from '../interpreter/runtime';

/** What a handler sees. Never `this`: a handler is a plain function of its context. */
export interface NodeContext<Data = unknown> {
  node: GraphNode;
  /** the node's data as its type's schema parsed it (defaults filled), references unresolved */
  data: Data;
  /** the variables visible to the node */
  pool: VariablePool;
  frame: Frame;
  runtime: Runtime;
  location: NodeLocation;
  /** the node's own progress when it was suspended for continue-as-new */
  resume?: unknown;
}

/** A handler's result. Expected failures are data; unknown exceptions propagate. */
export type NodeResult =
  | {
      status: 'succeeded';
      outputs: Record<string, unknown>;
      /** the handles whose edges are taken; the default handle when omitted */
      handles?: string[];
      /** an end node's outputs, merged into its scope's (the run's) outputs */
      endOutputs?: Record<string, unknown>;
      /** what the node record shows as the node's inputs, when not its resolved data */
      recordInputs?: unknown;
    }
  | { status: 'failed'; error: RunError; recordInputs?: unknown }
  /** stopped for continue-as-new; `state` lets it go on in the next run of the workflow */
  | { status: 'suspended'; state: unknown };

export type NodeHandler<Data = any> = (ctx: NodeContext<Data>) => Promise<NodeResult>;

export function succeeded(outputs: Record<string, unknown>, extra: Partial<Extract<NodeResult, { status: 'succeeded' }>> = {}): NodeResult {
  return { status: 'succeeded', outputs, ...extra };
}

/** A node failure with a code of the error catalogue (a literal that is not one does not compile). */
export function failed(code: ErrorCode, message: string): NodeResult {
  return { status: 'failed', error: { code, message } };
}

/**
 * The node failure an activity's ApplicationFailure stands for. Our activities only throw coded
 * failures; a type that is not in the catalogue (an error that escaped them, which the SDK names
 * after its class) is not trusted to be plain words.
 */
export function failedWith(failure: { type?: string | null; message: string }): NodeResult {
  if (isErrorCode(failure.type)) return failed(failure.type, failure.message);
  return failed('node_failed', sanitizeErrorMessage(failure.message, 'The node failed'));
}
