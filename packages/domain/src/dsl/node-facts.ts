import type { z } from 'zod';
import { upgradeNodeData, type NodeTypeDefinition, type VersionedData } from '../nodes/node-type';
import { nodeType } from '../nodes/registry';
import { ERROR_HANDLE, type Graph, type GraphNode } from './graph.schema';

/** A list of names, and the same as a set for lookups (a loop may declare many variables). */
export interface Names {
  list: readonly string[];
  set: ReadonlySet<string>;
}

export interface NodeFacts {
  def: NodeTypeDefinition<string, any> | undefined;
  /** the node's data as the current version of its type reads it; a problem when its version is unknown */
  version?: VersionedData;
  /** the node's data parsed by its type's schema (undefined for an unknown type) */
  parsed: { success: true; data: unknown } | { success: false; error: z.ZodError } | undefined;
  /** is the node in the document's top-level graph (its `start` outputs the declared inputs) */
  topLevel: boolean;
  handles?: Names | null;
  outputs?: Names | 'any';
}

/**
 * What the rules need to know of each node, computed once per validation: its data is parsed by
 * its type's schema once, not once per edge or reference that looks at it.
 */
export class NodeFactsCache {
  private readonly facts = new Map<GraphNode, NodeFacts>();

  constructor(private readonly document: Graph) {}

  /** Registers a node of some scope; called once per node while the scopes are built. */
  add(node: GraphNode, topLevel: boolean): NodeFacts {
    const def = nodeType(node.type);
    // A node without a version is written for the current one (a draft); publishing stamps it.
    const version = def ? upgradeNodeData(def, node.version ?? def.version, node.data) : undefined;
    const parsed = def && version?.ok ? (def.dataSchema.safeParse(version.data) as NodeFacts['parsed']) : undefined;
    const facts: NodeFacts = { def, version, parsed, topLevel };
    this.facts.set(node, facts);
    return facts;
  }

  of(node: GraphNode): NodeFacts {
    return this.facts.get(node) ?? this.add(node, this.document.nodes.includes(node));
  }

  /** The parsed data, or undefined when the type is unknown or the data does not parse. */
  data(node: GraphNode): unknown {
    const parsed = this.of(node).parsed;
    return parsed?.success ? parsed.data : undefined;
  }

  /** The handles a node's outgoing edges may leave by; null when not known (bad type or data). */
  handles(node: GraphNode): Names | null {
    const facts = this.of(node);
    if (facts.handles !== undefined) return facts.handles;
    if (!facts.def || !facts.parsed?.success) return (facts.handles = null);
    const list = [...facts.def.handles(facts.parsed.data)];
    if (node.onError === 'branch') list.push(ERROR_HANDLE);
    return (facts.handles = { list, set: new Set(list) });
  }

  /** The outputs a reference may name; 'any' when they are not known before the node runs. */
  outputs(node: GraphNode): Names | 'any' {
    const facts = this.of(node);
    if (facts.outputs !== undefined) return facts.outputs;
    if (!facts.def) return (facts.outputs = 'any');
    // Only a top-level start outputs the declared inputs; an inner start outputs nothing.
    const home = facts.topLevel ? this.document : { ...this.document, inputs: {} };
    const outs = facts.def.outputs(node, home);
    if (outs === 'any') return (facts.outputs = 'any');
    const list = node.onError === 'branch' ? [...outs, 'error'] : [...outs];
    return (facts.outputs = { list, set: new Set(list) });
  }
}
