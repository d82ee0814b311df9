/** Terse builders for graph fixtures: `graph(nodes, edges)` with `[source, target, handle?]` edges. */
export type N = { id: string; type: string; data?: unknown; [k: string]: unknown };

export function body(nodes: N[], edges: [string, string, string?][]) {
  return { nodes, edges: edges.map(([source, target, sourceHandle]) => (sourceHandle ? { source, target, sourceHandle } : { source, target })) };
}

export function graph(nodes: N[], edges: [string, string, string?][], inputs: Record<string, unknown> = {}) {
  return { dsl: 'weft/v1', inputs, ...body(nodes, edges) };
}

export const start: N = { id: 'start', type: 'start' };
/** Inner graphs have start nodes of their own; ids are unique across the whole document. */
export const startAt = (id: string): N => ({ id, type: 'start' });
export const end = (outputs: Record<string, unknown>, id = 'end'): N => ({ id, type: 'end', data: { outputs } });
export const tpl = (id: string, template: string): N => ({ id, type: 'template', data: { template } });
export const code = (id: string, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}): N => ({
  id,
  type: 'code',
  data: { language: 'javascript', code: 'function main(inputs) { return inputs; }', inputs },
  ...extra,
});
