import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '@weft/activities';

type Check = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2_000;

async function probe(check: Check): Promise<{ status: 'up' } | { status: 'down'; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
    ]);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: { prisma: PrismaClient; redis: Redis; temporal: Client; namespace: string }): Router {
  const r = Router();
  const checks: Record<string, Check> = {
    postgres: () => deps.prisma.$queryRaw`SELECT 1`,
    redis: () => deps.redis.ping(),
    // Bounded by a deadline so a down server's retrying call does not outlive the probe.
    temporal: () =>
      deps.temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
        deps.temporal.workflowService.describeNamespace({ namespace: deps.namespace }),
      ),
  };

  r.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });

  r.get('/ready', async (_req, res) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => probe(checks[n]!)));
    const report = Object.fromEntries(names.map((n, i) => [n, results[i]]));
    const down = names.filter((_, i) => results[i]!.status === 'down');
    res.status(down.length ? 503 : 200).json({ status: down.length ? 'unavailable' : 'ok', down, checks: report });
  });

  return r;
}
