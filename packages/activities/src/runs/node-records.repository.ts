import type { NodeRecord } from '@weft/domain';
import { Prisma, type PrismaClient } from '../persistence/prisma-client';
import { storableJson } from './storable';

/** A JSON column's parameter: text cast to jsonb in the statement, or NULL. */
function jsonParam(value: unknown): string | null {
  const stored = storableJson(value);
  return stored === Prisma.DbNull ? null : JSON.stringify(stored);
}

/**
 * Writes node records idempotently: a record is keyed by (run, key), so an activity retried after
 * a lost response writes the same rows again. Values are made storable first: a record must land.
 * One statement for the whole batch (INSERT … ON CONFLICT DO UPDATE), so a batch costs one round
 * trip to PostgreSQL rather than one per record plus a transaction's two; it lands whole or not at all.
 */
export async function saveNodeRecords(prisma: PrismaClient, tenantId: string, runId: string, records: readonly NodeRecord[]): Promise<void> {
  if (!records.length) return;
  // One statement may not touch a row twice: the last record of a key wins, as it did when written one by one.
  const byKey = new Map(records.map((r) => [r.key, r]));
  const rows = [...byKey.values()].map(
    (r) => Prisma.sql`(${`${runId}:${r.key}`}, ${tenantId}, ${runId}, ${r.key}, ${r.seq}::int, ${r.nodeId}, ${r.type}, ${r.status},
      ${r.iterationIndex ?? null}::int, ${r.loopIndex ?? null}::int,
      ${jsonParam(r.inputs)}::jsonb, ${jsonParam(r.outputs)}::jsonb, ${jsonParam(r.error)}::jsonb, ${jsonParam(r.handles)}::jsonb,
      ${new Date(r.startedAt).toISOString()}::timestamptz, ${new Date(r.finishedAt).toISOString()}::timestamptz)`,
  );
  await prisma.$executeRaw`
    INSERT INTO node_executions (id, tenant_id, run_id, key, seq, node_id, type, status, iteration_index, loop_index, inputs, outputs, error, handles, started_at, finished_at)
    VALUES ${Prisma.join(rows)}
    ON CONFLICT (run_id, key) DO UPDATE SET
      seq = EXCLUDED.seq, node_id = EXCLUDED.node_id, type = EXCLUDED.type, status = EXCLUDED.status,
      iteration_index = EXCLUDED.iteration_index, loop_index = EXCLUDED.loop_index, inputs = EXCLUDED.inputs,
      outputs = EXCLUDED.outputs, error = EXCLUDED.error, handles = EXCLUDED.handles,
      started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at`;
}
