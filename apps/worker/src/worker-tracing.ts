import type { WorkerOptions } from '@temporalio/worker';
import { activityLogContext, activityTracingInterceptors, workflowSpanSinks, type Tracing } from '@weft/activities';

/**
 * The workflow interceptors of a traced worker, from packages/workflows. Bundled into the workflow
 * code only when tracing is configured: an untraced worker's bundle is the interpreter alone.
 */
export const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('@weft/workflows/dist/observability/tracing.interceptors');

/**
 * What tracing and log correlation add to a Worker's options: activities log with their run's id,
 * and when tracing, activity spans, the span sink of workflow code and (for a Worker that bundles
 * its own code from `workflowsPath`) the workflow interceptors. A Worker handed a prebuilt bundle
 * gets the interceptors from `bundleWorkflows({ tracing: true })` instead.
 */
export function observedWorkerOptions(tracing: Tracing | undefined, bundlesItself: boolean): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing) return { interceptors: { activity: [activityLogContext] } };
  return {
    interceptors: {
      activity: [...activityTracingInterceptors(tracing), activityLogContext],
      ...(bundlesItself ? { workflowModules: [TRACING_WORKFLOW_INTERCEPTORS] } : {}),
    },
    sinks: workflowSpanSinks(tracing),
  };
}
