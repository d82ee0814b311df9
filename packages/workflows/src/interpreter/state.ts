import type { Runtime } from './runtime';
import type { GraphEdge, GraphNode, RunError, VariablePool } from '@weft/domain';

export type EdgeState = 'pending' | 'taken' | 'skipped';

/** The part of a graph a scope runs: the top-level graph, or a container's inner graph. */
export interface GraphBody {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/**
 * Everything a scope needs to go on from where it stopped. Plain JSON: it travels through
 * continue-as-new.
 */
export interface ScopeState {
  finished: Record<string, 'ran' | 'skipped'>;
  edges: EdgeState[];
  outputs: Record<string, Record<string, unknown>>;
  /** merged outputs of the end nodes that ran */
  endOutputs: Record<string, unknown>;
  /** a node ended through onError "default" */
  partial: boolean;
  /** nodes suspended mid-way for continue-as-new, with their own progress */
  suspended: Record<string, unknown>;
}

/** How one run of a scope ended. */
export type ScopeOutcome =
  | { status: 'completed'; partial: boolean; endOutputs: Record<string, unknown> }
  | { status: 'failed'; error: RunError }
  | { status: 'suspended' };

/** Runs a scope's graph (the scheduler); handed to node execution so containers can run inner graphs. */
export type ScopeRunner = (frame: Frame, runtime: Runtime) => Promise<ScopeOutcome>;

export function newScopeState(body: GraphBody): ScopeState {
  return { finished: {}, edges: body.edges.map(() => 'pending'), outputs: {}, endOutputs: {}, partial: false, suspended: {} };
}

/** The enclosing iteration item or loop pass a scope runs in. */
export type PathEntry = { kind: 'each'; nodeId: string; index: number } | { kind: 'loop'; nodeId: string; index: number };

/** A running scope: its graph, its state, and what it sees of the scopes around it. */
export interface Frame {
  body: GraphBody;
  state: ScopeState;
  parent?: Frame;
  /** names visible in this scope besides node outputs: sys, `<iterationId>.item`, loop variables */
  locals: VariablePool;
  /** the start node's outputs: the run inputs at the top, nothing inside containers */
  startOutputs: Record<string, unknown>;
  path: PathEntry[];
  /** the nearest enclosing loop's variables, which `assign` writes */
  loopVariables?: Record<string, unknown>;
}

/** The variables visible in a frame: outer scopes first, then locals, then this scope's outputs. */
export function poolOf(frame: Frame): VariablePool {
  return { ...(frame.parent ? poolOf(frame.parent) : {}), ...frame.locals, ...frame.state.outputs };
}

/** A key unique within the run for a node execution at this place, e.g. "t[each=2][loop=0]". */
export function nodeKey(nodeId: string, path: PathEntry[]): string {
  return nodeId + path.map((p) => `[${p.kind}=${p.index}]`).join('');
}

/**
 * Writes an own property even when the key is `__proto__`: state dictionaries are keyed by names
 * users chose, and a plain assignment with that key would replace the object's prototype instead.
 */
export function setOwn<V>(record: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
