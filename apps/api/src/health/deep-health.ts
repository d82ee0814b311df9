import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { temporal as proto } from '@temporalio/proto';
import { sanitizeErrorMessage } from '@weft/domain';
import { CHECK_TIMEOUT_MS, DEPENDENCIES, probe, type Check, type Dependency } from './probe';

/**
 * GET /health/deep (README "Health"): each dependency with its latency, and whether a worker polls
 * each task queue (Temporal's DescribeTaskQueue). Meant for operators and alerting, not for a load
 * balancer's frequent readiness probe: /health/ready stays the cheap one.
 */

export const TASK_QUEUE_ROLES = ['runs', 'ingestion'] as const;
export type TaskQueueRole = (typeof TASK_QUEUE_ROLES)[number];

const dependencySchema = z.object({
  status: z.enum(['up', 'down']),
  /** how long the check took, down ones included (a timeout shows as CHECK_TIMEOUT_MS) */
  latencyMs: z.number().min(0),
  error: z.string().optional(),
});

const taskQueueSchema = z.object({
  name: z.string(),
  /** `polled`: workflow and activity tasks both have a worker polling; `unknown`: Temporal did not answer */
  status: z.enum(['polled', 'unpolled', 'unknown']),
  /** workers that polled in the last POLLER_RECENT_MS, by task type */
  workflowPollers: z.number().int().min(0),
  activityPollers: z.number().int().min(0),
  latencyMs: z.number().min(0),
  error: z.string().optional(),
});

/** What /health/deep answers, 200 when every dependency is up and every task queue polled, 503 otherwise: no envelope. */
export const deepReportSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  /** dependencies that are down */
  down: z.array(z.enum(DEPENDENCIES)),
  /** task queues no worker polls (or whose pollers could not be read) */
  unpolled: z.array(z.enum(TASK_QUEUE_ROLES)),
  dependencies: z.object({ postgres: dependencySchema, redis: dependencySchema, temporal: dependencySchema, milvus: dependencySchema }),
  taskQueues: z.object({ runs: taskQueueSchema, ingestion: taskQueueSchema }),
});
export type DeepReport = z.infer<typeof deepReportSchema>;

/**
 * Temporal lists a poller for minutes after it last polled (its poller history); an idle worker
 * polls again at least every minute (the long poll's expiry), so one not seen for two is gone.
 */
export const POLLER_RECENT_MS = 120_000;

// The proto enums' values (temporal.api.enums.v1), without a runtime dependency on @temporalio/proto.
const TASK_QUEUE_KIND_NORMAL = 1 as proto.api.enums.v1.TaskQueueKind;
const TASK_QUEUE_TYPE_WORKFLOW = 1 as proto.api.enums.v1.TaskQueueType;
const TASK_QUEUE_TYPE_ACTIVITY = 2 as proto.api.enums.v1.TaskQueueType;

const ms = (since: number) => Math.round((performance.now() - since) * 10) / 10;

async function timed(check: Check): Promise<z.infer<typeof dependencySchema>> {
  const started = performance.now();
  const result = await probe(check);
  return { ...result, latencyMs: ms(started) };
}

export interface DeepHealthDeps {
  checks: Record<Dependency, Check>;
  temporal: Client;
  namespace: string;
  taskQueues: Record<TaskQueueRole, string>;
  now?: () => number;
}

async function describeQueue(deps: DeepHealthDeps, name: string): Promise<z.infer<typeof taskQueueSchema>> {
  const started = performance.now();
  const recentAfter = (deps.now ?? Date.now)() - POLLER_RECENT_MS;
  const pollers = async (taskQueueType: proto.api.enums.v1.TaskQueueType) => {
    const res = await deps.temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
      deps.temporal.workflowService.describeTaskQueue({ namespace: deps.namespace, taskQueue: { name, kind: TASK_QUEUE_KIND_NORMAL }, taskQueueType }),
    );
    return (res.pollers ?? []).filter((p) => {
      const seen = p.lastAccessTime?.seconds;
      return seen === undefined || seen === null || Number(seen) * 1000 >= recentAfter;
    }).length;
  };
  try {
    const [workflowPollers, activityPollers] = await Promise.all([pollers(TASK_QUEUE_TYPE_WORKFLOW), pollers(TASK_QUEUE_TYPE_ACTIVITY)]);
    return { name, status: workflowPollers > 0 && activityPollers > 0 ? 'polled' : 'unpolled', workflowPollers, activityPollers, latencyMs: ms(started) };
  } catch (err) {
    const error = sanitizeErrorMessage(err instanceof Error ? err.message : String(err), 'unreachable');
    return { name, status: 'unknown', workflowPollers: 0, activityPollers: 0, latencyMs: ms(started), error };
  }
}

/** Checks every dependency and task queue at once; never throws (a failure is part of the report). */
export async function deepReport(deps: DeepHealthDeps): Promise<DeepReport> {
  const [checked, described] = await Promise.all([
    Promise.all(DEPENDENCIES.map(async (d) => [d, await timed(deps.checks[d])] as const)),
    Promise.all(TASK_QUEUE_ROLES.map(async (q) => [q, await describeQueue(deps, deps.taskQueues[q])] as const)),
  ]);
  const dependencies = Object.fromEntries(checked) as DeepReport['dependencies'];
  const taskQueues = Object.fromEntries(described) as DeepReport['taskQueues'];
  const down = DEPENDENCIES.filter((d) => dependencies[d].status === 'down');
  const unpolled = TASK_QUEUE_ROLES.filter((q) => taskQueues[q].status !== 'polled');
  return { status: down.length || unpolled.length ? 'unavailable' : 'ok', down, unpolled, dependencies, taskQueues };
}

/** One check at a time however many callers ask: concurrent requests share the one in flight (the route is public). */
export function sharedDeepReport(deps: DeepHealthDeps): () => Promise<DeepReport> {
  let inFlight: Promise<DeepReport> | undefined;
  return () =>
    (inFlight ??= deepReport(deps).finally(() => {
      inFlight = undefined;
    }));
}
