import { log, patched, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { NodeRecord, RunRecordActivities, RunWorkflowInput, RunWorkflowResult } from '@weft/domain';

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
  constructor(
    private readonly run: { runId: string; tenantId: string },
    /** children started before child runs were recorded keep no record */
    private readonly keeps: boolean,
  ) {}

  async started(input: RunWorkflowInput, startedAt: string): Promise<void> {
    if (!this.keeps) return;
    const info = workflowInfo();
    const child = input.parent?.recorded
      ? { workflowId: input.workflowId, version: input.version, inputs: input.inputs, temporalWorkflowId: info.workflowId, parent: input.parent }
      : undefined;
    try {
      await writes.recordRunStarted({ ...this.run, temporalRunId: info.runId, startedAt, ...(child ? { child } : {}) });
    } catch (err) {
      // The run goes on; its record is still 'queued' and the reconciler marks it running.
      log.warn('run start could not be recorded', { ...this.run, error: String(err) });
    }
  }

  /** Writes a batch of node records; false when it could not (the caller keeps them). */
  async nodes(records: NodeRecord[]): Promise<boolean> {
    if (!this.keeps || !patched(RECORD_FLUSH_PATCH)) return false;
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
    try {
      await writes.recordRunFinished({ ...this.run, status, outputs, ...(error ? { error } : {}), finishedAt, records });
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
      });
    } catch (err) {
      log.error('run end could not be recorded; the reconciler will write it', { ...this.run, status, error: String(err) });
    }
  }
}
