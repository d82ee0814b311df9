import type { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { MilvusVectorStore, PrismaClient } from '@weft/activities';
import { sanitizeErrorMessage } from '@weft/domain';
import { drainingReportSchema } from '../http/drain';
import { bare, bindRoutes, defineRoutes } from '../http/route';

type Check = () => Promise<unknown>;

export const DEPENDENCIES = ['postgres', 'redis', 'temporal', 'milvus'] as const;

export const liveReportSchema = z.object({ status: z.literal('ok') });

const checkResultSchema = z.union([z.object({ status: z.literal('up') }), z.object({ status: z.literal('down'), error: z.string() })]);

/** What /health/ready answers, 200 when every dependency is up and 503 otherwise: no envelope. */
export const readyReportSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  down: z.array(z.enum(DEPENDENCIES)),
  checks: z.object({ postgres: checkResultSchema, redis: checkResultSchema, temporal: checkResultSchema, milvus: checkResultSchema }),
});
type ReadyReport = z.infer<typeof readyReportSchema>;

/** What a 503 from /health/ready is: a dependency down, or the process draining (http/drain.ts). */
export const notReadyReportSchema = readyReportSchema.or(drainingReportSchema);

const CHECK_TIMEOUT_MS = 2_000;

async function probe(check: Check): Promise<z.infer<typeof checkResultSchema>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
    ]);
    return { status: 'up' };
  } catch (err) {
    // The probes answer without authentication: plain words only.
    return { status: 'down', error: sanitizeErrorMessage(err instanceof Error ? err.message : String(err), 'unreachable') };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes = defineRoutes({
  live: {
    method: 'get',
    path: '/health/live',
    summary: 'Liveness probe',
    access: 'public',
    responses: { 200: bare(liveReportSchema, 'The process serves requests') },
    errors: [],
  },
  ready: {
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness probe: PostgreSQL, Redis, Temporal, Milvus (the knowledge vector store)',
    access: 'public',
    responses: {
      200: bare(readyReportSchema, 'Every dependency is up'),
      503: bare(notReadyReportSchema, 'A dependency is down (`down` names it), or the process is shutting down (`draining`)'),
    },
    errors: [],
  },
});

export function healthRouter(deps: { prisma: PrismaClient; redis: Redis; temporal: Client; namespace: string; vectorStore: Pick<MilvusVectorStore, 'ping'> }): Router {
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

  return bindRoutes(healthRoutes, {
    live: (_req, res) => {
      res.json({ status: 'ok' } satisfies z.infer<typeof liveReportSchema>);
    },
    ready: async (_req, res) => {
      const [postgres, redis, temporal, milvus] = await Promise.all(DEPENDENCIES.map((n) => probe(checks[n])));
      const report: ReadyReport['checks'] = { postgres: postgres!, redis: redis!, temporal: temporal!, milvus: milvus! };
      const down = DEPENDENCIES.filter((n) => report[n].status === 'down');
      const body: ReadyReport = { status: down.length ? 'unavailable' : 'ok', down, checks: report };
      res.status(down.length ? 503 : 200).json(body);
    },
  });
}
