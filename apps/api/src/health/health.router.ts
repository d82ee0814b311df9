import type { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { MilvusVectorStore, PrismaClient } from '@weft/activities';
import { drainingReportSchema } from '../http/drain';
import { bare, bindRoutes, defineRoutes } from '../http/route';
import { deepReportSchema, shared, sharedDeepReport, type TaskQueueRole } from './deep-health';
import { CHECK_TIMEOUT_MS, DEPENDENCIES, checkResultSchema, probe, type Check } from './probe';

export const liveReportSchema = z.object({ status: z.literal('ok') });

/** What /health/ready answers, 200 when every dependency is up and 503 otherwise: no envelope. */
export const readyReportSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  down: z.array(z.enum(DEPENDENCIES)),
  checks: z.object({ postgres: checkResultSchema, redis: checkResultSchema, temporal: checkResultSchema, milvus: checkResultSchema }),
});
type ReadyReport = z.infer<typeof readyReportSchema>;

/** What a 503 from /health/ready is: a dependency down, or the process draining (http/drain.ts). */
export const notReadyReportSchema = readyReportSchema.or(drainingReportSchema);

export const healthRoutes = defineRoutes({
  live: {
    method: 'get',
    path: '/health/live',
    summary: 'Liveness probe',
    responses: { 200: bare(liveReportSchema, 'The process serves requests') },
    errors: [],
  },
  ready: {
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness probe: PostgreSQL, Redis, Temporal, Milvus (the knowledge vector store)',
    responses: {
      200: bare(readyReportSchema, 'Every dependency is up'),
      503: bare(notReadyReportSchema, 'A dependency is down (`down` names it), or the process is shutting down (`draining`)'),
    },
    errors: [],
  },
  deep: {
    method: 'get',
    path: '/health/deep',
    summary: 'Deep health: each dependency with its latency, and whether a worker polls the runs and the ingestion task queues',
    responses: {
      200: bare(deepReportSchema, 'Every dependency is up and a worker polls each task queue'),
      503: bare(deepReportSchema, 'A dependency is down (`down` names it) or no worker polls a task queue (`unpolled` names it)'),
    },
    errors: [],
  },
});

export function healthRouter(deps: {
  prisma: PrismaClient;
  redis: Redis;
  temporal: Client;
  namespace: string;
  vectorStore: Pick<MilvusVectorStore, 'ping'>;
  taskQueues: Record<TaskQueueRole, string>;
}): Router {
  const checks: Record<(typeof DEPENDENCIES)[number], Check> = {
    postgres: () => deps.prisma.$queryRaw`SELECT 1`,
    redis: () => deps.redis.ping(),
    // Bounded by a deadline so a down server's retrying call does not outlive the probe.
    temporal: () =>
      deps.temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
        deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace }),
      ),
    milvus: () => deps.vectorStore.ping(),
  };
  // Concurrent probes share one round of checks: a flood of them must not take the database pool from tenants' requests.
  const readyReport = shared(async (): Promise<ReadyReport> => {
    const [postgres, redis, temporal, milvus] = await Promise.all(DEPENDENCIES.map((n) => probe(checks[n])));
    const report: ReadyReport['checks'] = { postgres: postgres!, redis: redis!, temporal: temporal!, milvus: milvus! };
    const down = DEPENDENCIES.filter((n) => report[n].status === 'down');
    return { status: down.length ? 'unavailable' : 'ok', down, checks: report };
  });
  const deepReport = sharedDeepReport({ checks, temporal: deps.temporal, namespace: deps.namespace, taskQueues: deps.taskQueues });

  return bindRoutes(healthRoutes, {
    live: (_req, res) => {
      res.json({ status: 'ok' } satisfies z.infer<typeof liveReportSchema>);
    },
    ready: async (_req, res) => {
      const body = await readyReport();
      res.status(body.status === 'ok' ? 200 : 503).json(body);
    },
    deep: async (_req, res) => {
      const report = await deepReport();
      res.status(report.status === 'ok' ? 200 : 503).json(report);
    },
  });
}
