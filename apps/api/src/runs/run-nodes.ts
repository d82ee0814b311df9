import type { Client } from '@temporalio/client';
import { BlobStore, type PrismaClient, type Run } from '@weft/activities';
import { PENDING_NODES_QUERY, isTerminal, toPublicError, type NodeRecord, type PublicError, type RunStatus } from '@weft/domain';

export interface NodeAttemptDto {
  attempt: number;
  status: string;
  error: PublicError | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * A run's node executions in the order they finished: the records in PostgreSQL, plus (for a live
 * run) the ones the workflow holds and has not written yet, with every activity attempt listed.
 */
export class RunNodesReader {
  private readonly blobs: BlobStore;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    /** WEFT_ENCRYPTION_KEY: blob references are verified with a key derived from it */
    encryptionKey: string,
  ) {
    this.blobs = new BlobStore(prisma, { encryptionKey });
  }

  async list(run: Run, window: { skip: number; take: number }) {
    const rows = await this.prisma.nodeExecution.findMany({ where: { runId: run.id, tenantId: run.tenantId }, orderBy: { seq: 'asc' } });
    const records: NodeRecord[] = rows.map((r) => ({
      key: r.key,
      seq: r.seq,
      nodeId: r.nodeId,
      type: r.type,
      status: r.status as NodeRecord['status'],
      ...(r.iterationIndex !== null ? { iterationIndex: r.iterationIndex } : {}),
      ...(r.loopIndex !== null ? { loopIndex: r.loopIndex } : {}),
      inputs: r.inputs ?? undefined,
      outputs: (r.outputs as Record<string, unknown> | null) ?? undefined,
      error: (r.error as NodeRecord['error'] | null) ?? undefined,
      startedAt: r.startedAt?.toISOString() ?? '',
      finishedAt: r.finishedAt?.toISOString() ?? '',
    }));
    // A queued run has not started its first node: asking it would wait out the deadline for nothing.
    if (!isTerminal(run.status as RunStatus) && run.status !== 'queued') {
      const known = new Set(records.map((r) => r.key));
      for (const r of await this.pending(run)) if (!known.has(r.key)) records.push(r);
      records.sort((a, b) => a.seq - b.seq);
    }
    const page = records.slice(window.skip, window.skip + window.take);
    const attempts = await this.prisma.nodeAttempt.findMany({
      where: { runId: run.id, tenantId: run.tenantId, nodeKey: { in: page.map((r) => r.key) } },
      orderBy: [{ nodeKey: 'asc' }, { attempt: 'asc' }],
    });
    const byKey = new Map<string, NodeAttemptDto[]>();
    for (const a of attempts) {
      byKey.set(a.nodeKey, [
        ...(byKey.get(a.nodeKey) ?? []),
        { attempt: a.attempt, status: a.status, error: toPublicError(a.error), startedAt: a.startedAt.toISOString(), finishedAt: a.finishedAt?.toISOString() ?? null },
      ]);
    }
    const items = await Promise.all(page.map(async (r) => this.toDto(run.tenantId, run.id, r, byKey.get(r.key))));
    return { items, total: records.length };
  }

  private async pending(run: Run): Promise<NodeRecord[]> {
    try {
      return await this.temporal.withDeadline(Date.now() + 2_000, () =>
        this.temporal.workflow.getHandle(run.temporalWorkflowId).query<NodeRecord[]>(PENDING_NODES_QUERY),
      );
    } catch {
      return []; // no worker to answer right now: the written records are all there is
    }
  }

  private async toDto(tenantId: string, runId: string, r: NodeRecord, attempts?: NodeAttemptDto[]) {
    return {
      nodeId: r.nodeId,
      key: r.key,
      type: r.type,
      status: r.status,
      // Pure nodes run once inside the workflow: their one attempt is the execution itself. A node a
      // rerun reused made no attempt in this run.
      attempts: attempts ?? (r.status === 'skipped' || r.status === 'reused' ? [] : [{ attempt: 1, status: r.status, error: toPublicError(r.error), startedAt: r.startedAt, finishedAt: r.finishedAt }]),
      inputs: (await this.blobs.inflate(tenantId, r.inputs, { runId })) ?? null,
      outputs: (await this.blobs.inflate(tenantId, r.outputs, { runId })) ?? null,
      error: toPublicError(r.error),
      startedAt: r.startedAt || null,
      finishedAt: r.finishedAt || null,
      ...(r.iterationIndex !== undefined ? { iterationIndex: r.iterationIndex } : {}),
      ...(r.loopIndex !== undefined ? { loopIndex: r.loopIndex } : {}),
    };
  }
}
