import { resolveValue, type IterationData, type RunError } from '@weft/domain';
import { newScopeState, type ScopeState } from '../../interpreter/state';
import { failed, succeeded, type NodeHandler } from '../node-handler';

/** Progress of an iteration, kept so continue-as-new can carry it. */
interface IterationProgress {
  items: unknown[];
  /** finished items by index: their value, or dropped by onItemError "remove" */
  results: Record<number, { value: unknown } | { removed: true }>;
  /** items under way when the run suspended, with their inner graph's state */
  active: Record<number, ScopeState>;
}

/**
 * Runs the inner graph once per item, at most `parallelism` items at a time; results keep item
 * order whatever order items finish in.
 */
export const iterationHandler: NodeHandler<IterationData> = async ({ data, pool, limits, resume, runChild, progress: report, ...ctx }) => {
  let progress = resume as IterationProgress | undefined;
  if (!progress) {
    const items = resolveValue(data.items, pool);
    if (!Array.isArray(items)) return failed('iteration_items_not_array', `items must resolve to an array, got ${items === null ? 'null' : typeof items}`);
    const max = limits.maxIterationItems;
    if (items.length > max) return failed('iteration_too_many_items', `items has ${items.length} entries; an iteration runs over at most ${max} (WEFT_RUN_MAX_ITERATION_ITEMS)`);
    progress = { items, results: {}, active: {} };
  }
  const p = progress;
  let done = Object.keys(p.results).length;
  report(done, p.items.length);
  const queue = p.items.map((_, i) => i).filter((i) => !(i in p.results));
  let failure: RunError | undefined;

  const runItem = async (index: number) => {
    const state = p.active[index] ?? newScopeState(data.graph);
    p.active[index] = state;
    const child = runChild({ graph: data.graph, state, locals: { item: p.items[index], index }, pass: { kind: 'each', index } });
    const outcome = await child.outcome;
    if (outcome.status === 'suspended') return;
    delete p.active[index];
    report(++done, p.items.length);
    if (outcome.status === 'completed') {
      p.results[index] = { value: data.output ? resolveValue(data.output, child.pool()) ?? null : outcome.endOutputs };
    } else if (data.onItemError === 'continue') {
      p.results[index] = { value: null };
    } else if (data.onItemError === 'remove') {
      p.results[index] = { removed: true };
    } else {
      failure ??= { code: 'iteration_item_failed', message: `Item ${index} failed: ${outcome.error.message}`, ...(outcome.error.nodeId ? { nodeId: outcome.error.nodeId } : {}) };
    }
  };

  const lanes = Array.from({ length: Math.min(data.parallelism, queue.length) }, async () => {
    while (queue.length && !failure && !ctx.draining) await runItem(queue.shift()!);
  });
  await Promise.all(lanes);

  if (failure) return { status: 'failed', error: failure };
  if (Object.keys(p.results).length < p.items.length) return { status: 'suspended', state: p };
  const results: unknown[] = [];
  p.items.forEach((_, i) => {
    const r = p.results[i]!;
    if ('removed' in r) return;
    if (data.flatten && Array.isArray(r.value)) results.push(...(r.value as unknown[]));
    else results.push(r.value);
  });
  return succeeded({ results }, { recordInputs: { items: p.items.length, parallelism: data.parallelism } });
};
