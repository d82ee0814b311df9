import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { logContext } from './logger';

/**
 * Every log line an activity writes carries the run it works for (`run_id`): the activities of a run
 * take an input object with its `runId` (node, record and approval activities). Ingestion and
 * other activities without one log as before.
 */
export const activityLogContext: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute: (input, next) => {
      const first = input.args[0] as { runId?: unknown } | null | undefined;
      const runId = first !== null && typeof first === 'object' && typeof first.runId === 'string' ? first.runId : undefined;
      return logContext.run({ ...(runId ? { run_id: runId } : {}), activity: ctx.info.activityType }, () => next(input));
    },
  },
});
