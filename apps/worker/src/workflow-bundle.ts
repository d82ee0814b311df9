import type { BundleOptions } from '@temporalio/worker';

/** The workflow bundle's entry: the interpreter's deterministic code, nothing else. */
export const WORKFLOWS_ENTRY = require.resolve('@weft/workflows/dist/workflows');
const DOMAIN_CACHE = require.resolve('@weft/workflows/dist/bundle/domain-cache');
const DOMAIN_SHARED = require.resolve('@weft/workflows/dist/bundle/domain-shared');

type BundlerOptions = Pick<BundleOptions, 'preloadModules' | 'webpackConfigHook'>;

/**
 * How the worker bundles workflow code: the domain package is evaluated once per workflow thread
 * and shared by its runs instead of once per run (packages/workflows/src/bundle/domain-cache.ts
 * says why that is safe). Used for the worker's bundle and by the replay tests, so committed
 * histories are replayed by what production runs.
 */
export function workflowBundlerOptions(): BundlerOptions {
  return {
    preloadModules: [DOMAIN_CACHE],
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as Record<string, string | false>), '@weft/domain$': DOMAIN_SHARED } },
    }),
  };
}
