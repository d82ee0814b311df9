import type { NodeRecord } from '@weft/domain';
import type { PrismaClient } from '../persistence/prisma-client';
import { storableJson } from './storable';

/**
 * Writes node records idempotently: a record is keyed by (run, key), so an activity retried after
 * a lost response writes the same rows again. Values are made storable first: a record must land.
 */
export async function saveNodeRecords(prisma: PrismaClient, tenantId: string, runId: string, records: readonly NodeRecord[]): Promise<void> {
  if (!records.length) return;
  await prisma.$transaction(
    records.map((r) => {
      const data = {
        seq: r.seq,
        nodeId: r.nodeId,
        type: r.type,
        status: r.status,
        iterationIndex: r.iterationIndex ?? null,
        loopIndex: r.loopIndex ?? null,
        inputs: storableJson(r.inputs),
        outputs: storableJson(r.outputs),
        error: storableJson(r.error),
        handles: storableJson(r.handles),
        startedAt: new Date(r.startedAt),
        finishedAt: new Date(r.finishedAt),
      };
      return prisma.nodeExecution.upsert({
        where: { runId_key: { runId, key: r.key } },
        create: { id: `${runId}:${r.key}`, tenantId, runId, key: r.key, ...data },
        update: data,
      });
    }),
  );
}
