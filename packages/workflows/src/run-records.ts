import { log, patched, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { NodeRecord, RunRecordActivities, RunStartRecord, RunWorkflowInput, RunWorkflowResult } from '@weft/domain';

/** Marks runs that write node records between activities when many gather (histories from before never did). */
export const RECORD_FLUSH_PATCH = 'weft-record-flush';

// Local activities: short idempotent writes that run inside the workflow task, costing one marker
// event and no extra round trip through the server (see the interpreter benchmark). Their retries
// are bounded (five attempts over about 15 s): a write that cannot land must not keep a run open
// for ever. A run whose end could not be written is set right later by the reconciler, from
// Temporal's record of the execution and its result.
const writes = proxyLocalActivities<RunRecordActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});

/** The run's PostgreSQL record, written from the workflow; every write may fail without failing the run. */
export class RunRecords {
  /** the start, while it waits to be written with the first write that must wait anyway (deferStart) */
  private deferred: Omit<RunStartRecord, 'runId' | 'tenantId'> | undefined;

  constructor(
    private readonly run: { runId: string; tenantId: string },
    /** children started before child runs were recorded keep no record */
    private readonly keeps: boolean,
    /** the run's graph holds an approval node (its end then closes any left open) */
    private readonly opensApprovals = true,
  ) {}

  async started(input: RunWorkflowInput, startedAt: string): Promise<void> {
    if (!this.keeps) return;
    await this.writeStart(this.startOf(input, startedAt));
  }

  /**
   * Keeps the start to be written with the run's first write instead of on its own: a run whose
   * graph never waits (runsInline) usually ends within its first activation, and then its start and
   * its end are one local activity and one activation fewer. Should the run have to wait after all
   * (the activation budget's pause, a flush of node records), the start is written first (takeStart).
   */
  deferStart(input: RunWorkflowInput, startedAt: string): void {
    if (this.keeps) this.deferred = this.startOf(input, startedAt);
  }

  /** Writes a start that was deferred and not yet written; nothing to wait for when there is none. */
  takeStart(): Promise<void> | undefined {
    const start = this.deferred;
    this.deferred = undefined;
    return start ? this.writeStart(start) : undefined;
  }

  private startOf(input: RunWorkflowInput, startedAt: string): Omit<RunStartRecord, 'runId' | 'tenantId'> {
    const info = workflowInfo();
    const child = input.parent?.recorded
      ? { workflowId: input.workflowId, version: input.version, inputs: input.inputs, temporalWorkflowId: info.workflowId, parent: input.parent }
      : undefined;
    return { temporalRunId: info.runId, startedAt, ...(child ? { child } : {}) };
  }

  private async writeStart(start: Omit<RunStartRecord, 'runId' | 'tenantId'>): Promise<void> {
    try {
      await writes.recordRunStarted({ ...this.run, ...start });
    } catch (err) {
      // The run goes on; its record is still 'queued' and the reconciler marks it running.
      log.warn('run start could not be recorded', { ...this.run, error: String(err) });
    }
  }

  /** Writes a batch of node records; false when it could not (the caller keeps them). */
  async nodes(records: NodeRecord[]): Promise<boolean> {
    if (!this.keeps || !patched(RECORD_FLUSH_PATCH)) return false;
    const start = this.takeStart();
    if (start) await start;
    try {
      await writes.recordNodes({ ...this.run, records });
      return true;
    } catch (err) {
      log.warn('node records could not be written; keeping them for the end of the run', { ...this.run, count: records.length, error: String(err) });
      return false;
    }
  }

  /**
   * Writes the run's end. If the full write fails (after its retries), a second one without outputs
   * and node records still ends the record; if that fails too, the run completes anyway and the
   * reconciler writes its end from Temporal's record of the result.
   */
  async finished(result: RunWorkflowResult, records: NodeRecord[]): Promise<void> {
    if (!this.keeps) return;
    const finishedAt = new Date().toISOString();
    const { status, outputs, error } = result;
    // A deferred start that was never written goes with the end, as does whether approvals need closing (both attempts below carry them).
    const withEnd = { ...(this.deferred ? { started: this.deferred } : {}), ...(this.opensApprovals ? {} : { closeApprovals: false as const }) };
    this.deferred = undefined;
    try {
      await writes.recordRunFinished({ ...this.run, status, outputs, ...(error ? { error } : {}), finishedAt, records, ...withEnd });
      return;
    } catch (err) {
      log.error('run end could not be recorded; writing it without outputs', { ...this.run, status, error: String(err) });
    }
    try {
      await writes.recordRunFinished({
        ...this.run,
        status,
        outputs: {},
        error: error ?? { code: 'run_record_incomplete', message: 'The run ended, but its outputs and node records could not be stored' },
        finishedAt,
        ...withEnd,
      });
    } catch (err) {
      log.error('run end could not be recorded; the reconciler will write it', { ...this.run, status, error: String(err) });
    }
  }
}
