import { measureValue, own, resolveValue, type ListOperatorData } from '@weft/domain';
import { failed, succeeded, type NodeHandler } from '../node-handler';
import { applyOperator } from '../shared/conditions';

/** The value at a dot path of an item (own properties only: keys are user text); the item itself without a path. */
function valueAt(item: unknown, path: readonly string[] | undefined): unknown {
  let current = item;
  for (const segment of path ?? []) {
    if (current === null || typeof current !== 'object') return undefined;
    current = own(current as Record<string, unknown>, segment);
  }
  return current;
}

/**
 * The most work one list-operator node may do in workflow code, in units of one condition on one
 * item plus one per 8 bytes of JSON the comparison may read (an `in` over a list reads all of it),
 * and n·log₂n / 4 for a sort (a comparison of two keys is cheaper). A workflow
 * task must end in well under Temporal's two-second deadlock limit whatever the graph asks for,
 * so a node past this fails at once rather than wedging the worker.
 */
export const LIST_OPERATOR_MAX_WORK = 250_000;

const bytesUnits = (value: unknown) => Math.ceil(measureValue(value, { maxDepth: Infinity, maxBytes: Infinity }).bytes / 8);

/** Sort ranks: numbers, strings, booleans, other values; missing and null always last. */
function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (v === null || v === undefined) return 4;
  return 3;
}

/** A sort key: objects and arrays compare by their JSON text, computed once per item. */
function sortKey(v: unknown): { rank: number; value: unknown } {
  const r = rank(v);
  return { rank: r, value: r === 3 ? JSON.stringify(v) : v };
}

/** A total order that is the same on every worker (no locale): code-unit order for strings and JSON text. */
function compareKeys(a: { rank: number; value: unknown }, b: { rank: number; value: unknown }): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank === 0 || a.rank === 2) return Number(a.value) - Number(b.value);
  if (a.rank === 4) return 0;
  const x = a.value as string;
  const y = b.value as string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Filters a list by conditions on each item, sorts it by a key (stable), skips `offset` items,
 * keeps `limit`, and picks its first, last and nth item. Runs in workflow code; its work counts
 * against the activation's budget, item by item.
 */
export const listOperatorHandler: NodeHandler<ListOperatorData> = async ({ data, pool, spend }) => {
  const items = resolveValue(data.items, pool);
  if (!Array.isArray(items)) return failed('list_operator_items_not_array', `items must resolve to an array, got ${items === null ? 'null' : typeof items}`);
  let list: unknown[] = items;
  const conditions = (data.filter?.conditions ?? []).map((c) => ({ path: c.key?.split('.'), op: c.op, value: resolveValue(c.value, pool) }));
  // Known before any work starts: each condition reads every item once and its value once per item.
  const work =
    (conditions.length ? conditions.reduce((sum, c) => sum + items.length * (1 + bytesUnits(c.value)), 0) + conditions.length * bytesUnits(items) : 0) +
    (data.sort ? Math.ceil((items.length * Math.max(1, Math.ceil(Math.log2(items.length + 1)))) / 4) : 0);
  if (work > LIST_OPERATOR_MAX_WORK) {
    return failed('list_operator_too_much_work', `Filtering and sorting ${items.length} items this way would take ${work} units of work; a list-operator node may take at most ${LIST_OPERATOR_MAX_WORK}`);
  }
  spend(work);
  if (data.filter) {
    const any = data.filter.logic === 'or';
    try {
      list = list.filter((item) => {
        const holds = (c: (typeof conditions)[number]) => applyOperator(c.op, valueAt(item, c.path), c.value);
        return any ? conditions.some(holds) : conditions.every(holds);
      });
    } catch (err) {
      return failed('condition_error', err instanceof Error ? err.message : String(err));
    }
  }
  if (data.sort) {
    const path = data.sort.key?.split('.');
    const sign = data.sort.order === 'desc' ? -1 : 1;
    list = list
      .map((item) => ({ item, key: sortKey(valueAt(item, path)) }))
      .sort((a, b) => {
        // Missing and null stay last whatever the order.
        const missing = Number(a.key.rank === 4) - Number(b.key.rank === 4);
        return missing !== 0 ? missing : sign * compareKeys(a.key, b.key);
      })
      .map((e) => e.item);
  }
  list = list.slice(data.offset, data.limit !== undefined ? data.offset + data.limit : undefined);
  const at = (i: number) => (i >= 0 && i < list.length ? list[i] : null);
  const item = data.nth === undefined ? null : at(data.nth > 0 ? data.nth - 1 : list.length + data.nth);
  const { items: _items, ...settings } = data;
  return succeeded(
    { result: list, first: at(0), last: at(list.length - 1), item, count: list.length },
    { recordInputs: { items: items.length, ...settings } },
  );
};
