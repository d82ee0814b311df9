import { RUN_STATUSES, TERMINAL_RUN_STATUSES, type RunError, type RunStatus } from '@weft/domain';
import { boundedField } from '../events/event-payload';
import type { RunEventStream } from '../events/run-event-stream';
import type { BlobStore } from '../nodes/blob-store';
import type { Logger } from '../observability/logger';
import type { Prisma, PrismaClient, Run } from '../persistence/prisma-client';
import type { ExecutionInspector, ExecutionState } from './execution-inspector';
import { storableJson } from './storable';

const OPEN: RunStatus[] = RUN_STATUSES.filter((s) => !TERMINAL_RUN_STATUSES.includes(s));

export interface ReconcilerOptions {
  /** a record still `queued` with no execution after this long was never started */
  startGraceMs: number;
  /** open records compared with Temporal per sweep */
  batch: number;
  /**
   * The run event stream: a run this closes (terminated, or its end could not be written) gets its
   * run.finished there, so live event streams of it end too.
   */
  events?: RunEventStream;
}

const DEFAULTS: ReconcilerOptions = { startGraceMs: 2 * 60_000, batch: 100 };

const CLOSED: Record<Exclude<ExecutionState, { kind: 'missing' | 'open' | 'completed' }>['how'], { status: RunStatus; error: RunError }> = {
  FAILED: { status: 'failed', error: { code: 'run_failed', message: 'The run failed outside the interpreter' } },
  TERMINATED: { status: 'failed', error: { code: 'run_terminated', message: 'The run was terminated by an operator' } },
  CANCELLED: { status: 'cancelled', error: { code: 'run_cancelled', message: 'The run was cancelled' } },
  TIMED_OUT: { status: 'timed-out', error: { code: 'run_timed_out', message: 'The run passed its time limit' } },
};

/**
 * Keeps run records in agreement with Temporal, which is the truth about executions: a record left
 * open after its execution closed (the workflow could not write its end, or was terminated) gets
 * the execution's end; a record closed while its execution is open is opened again; a record whose
 * execution never started is failed. Runs on reads of an open run and in a periodic sweep.
 */
export class RunReconciler {
  private readonly options: ReconcilerOptions;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly inspector: ExecutionInspector,
    private readonly logger: Logger,
    private readonly blobs?: BlobStore,
    options: Partial<ReconcilerOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Compares one record with its execution; returns the record as it is afterwards. */
  async reconcile(run: Run, now = new Date()): Promise<Run> {
    if (TERMINAL_RUN_STATUSES.includes(run.status as RunStatus)) return run;
    const state = await this.inspector.inspect(run.temporalWorkflowId);
    const fix = await this.fixFor(run, state, now);
    const changed = await this.prisma.run.updateMany({
      where: { id: run.id, status: { in: OPEN } },
      data: { ...(fix ?? {}), checkedAt: now },
    });
    if (!fix || !changed.count) return run;
    // A run that ended outside the interpreter (terminated, timed out) leaves no approval open either.
    if (TERMINAL_RUN_STATUSES.includes(fix.status as RunStatus)) {
      await this.prisma.approval.updateMany({ where: { runId: run.id, status: 'pending' }, data: { status: 'cancelled', decidedAt: now } });
    }
    this.logger.info('run record reconciled with Temporal', { runId: run.id, from: run.status, to: fix.status, execution: state.kind });
    const after = (await this.prisma.run.findFirst({ where: { id: run.id } })) ?? run;
    if (TERMINAL_RUN_STATUSES.includes(after.status as RunStatus)) await this.publishEnd(after);
    return after;
  }

  /** Once only: the workflow may have published it already, and then this adds nothing. */
  private async publishEnd(run: Run): Promise<void> {
    const data = {
      runId: run.id,
      status: run.status,
      ...boundedField('outputs', run.outputs ?? {}),
      error: run.error ?? null,
      finishedAt: (run.finishedAt ?? new Date()).toISOString(),
    };
    await this.options.events?.publishOnce(run.id, 'run.finished', 'run.finished', data, true).catch((err: unknown) => {
      this.logger.warn('run event could not be published', { runId: run.id, type: 'run.finished', message: (err as Error).message });
    });
  }

  private async fixFor(run: Run, state: ExecutionState, now: Date): Promise<Prisma.RunUpdateManyMutationInput | undefined> {
    switch (state.kind) {
      case 'open':
        return run.status === 'queued' ? { status: 'running', startedAt: run.startedAt ?? now } : undefined;
      case 'missing': {
        if (now.getTime() - run.createdAt.getTime() < this.options.startGraceMs) return undefined;
        const error: RunError = run.startedAt
          ? { code: 'run_execution_missing', message: 'The run’s execution no longer exists in Temporal' }
          : { code: 'run_not_started', message: 'The run was accepted but never started; start it again' };
        return { status: 'failed', error: storableJson(error), finishedAt: now };
      }
      case 'completed': {
        const result = state.result;
        if (!result || !RUN_STATUSES.includes(result.status)) {
          return { status: 'failed', error: storableJson({ code: 'run_result_unreadable', message: 'The run completed but its result could not be read' }), finishedAt: state.closedAt };
        }
        const outputs = this.blobs ? await this.blobs.inflate(run.tenantId, result.outputs ?? {}, { runId: run.id }) : (result.outputs ?? {});
        return { status: result.status, outputs: storableJson(outputs), error: storableJson(result.error), finishedAt: state.closedAt };
      }
      case 'closed': {
        const { status, error } = CLOSED[state.how];
        return { status, error: storableJson(error), finishedAt: state.closedAt };
      }
    }
  }

  /** One pass over open records, least recently compared first. */
  async sweep(now = new Date()): Promise<{ checked: number; fixed: number }> {
    const runs = await this.prisma.run.findMany({
      where: { status: { in: OPEN }, createdAt: { lt: new Date(now.getTime() - 30_000) } },
      orderBy: [{ checkedAt: { sort: 'asc', nulls: 'first' } }, { createdAt: 'asc' }],
      take: this.options.batch,
    });
    let fixed = 0;
    for (const run of runs) {
      try {
        const after = await this.reconcile(run, now);
        if (after.status !== run.status) fixed++;
      } catch (err) {
        this.logger.warn('run could not be reconciled', { runId: run.id, message: (err as Error).message });
      }
    }
    return { checked: runs.length, fixed: fixed + (await this.reopen(now)) };
  }

  /**
   * Records closed while Temporal still runs their execution are opened again. A workflow writes its
   * end a moment before its execution closes, so only records closed a while ago count.
   */
  async reopen(now = new Date()): Promise<number> {
    const open = await this.inspector.listOpen(this.options.batch * 10);
    if (!open.length) return 0;
    const closed = await this.prisma.run.findMany({
      where: { temporalWorkflowId: { in: open }, status: { notIn: OPEN }, finishedAt: { lt: new Date(now.getTime() - this.options.startGraceMs) } },
      select: { id: true, status: true },
    });
    for (const run of closed) {
      await this.prisma.run.updateMany({ where: { id: run.id, status: run.status }, data: { status: 'running', finishedAt: null, checkedAt: new Date() } });
      this.logger.warn('run record was closed while its execution runs; opened again', { runId: run.id, from: run.status });
    }
    return closed.length;
  }
}

/** Runs the sweep every `intervalMs` until stopped; one sweep at a time, failures logged. */
export function startReconciler(reconciler: RunReconciler, logger: Logger, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= reconciler
      .sweep()
      .then((r) => r.fixed && logger.info('reconciler sweep', r))
      .catch((err: unknown) => logger.warn('reconciler sweep failed', { message: (err as Error).message }))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
