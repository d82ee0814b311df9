/**
 * The domain package's exports, evaluated once per workflow thread and shared by every run on it.
 *
 * Why: the SDK's reusable V8 context evaluates a bundle's modules again for every workflow it
 * creates (each run gets its own module cache). For the domain (zod schemas of every node type and
 * of the graph, Liquid) that was ~30 ms of CPU and ~1.7 MB of heap per run created or replayed:
 * most of the worker's CPU on a short run. The SDK's own `preloadModules` shares a module but
 * deep-freezes it, which zod 4 cannot live with (it memoizes on its schema objects). This module is
 * preloaded instead (frozen, but what it holds lives in a closure the freeze does not reach), and
 * `@weft/domain` is aliased in the bundle to domain-shared.ts, which asks it for the one instance.
 *
 * Safe because the domain is deterministic code with no state a run could change: no clock, no
 * randomness, no I/O (lint-enforced); it reads time and randomness, where it does at all, through
 * the workflow's globals at call time, which the SDK swaps per run. Only caches (zod's own) fill in.
 */
let domain: unknown;

export function sharedDomain<T>(load: () => T): T {
  if (domain === undefined) domain = load();
  return domain as T;
}
