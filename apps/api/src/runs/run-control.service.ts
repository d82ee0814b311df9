import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { PrismaClient, Run } from '@weft/activities';
import {
  ConflictError,
  LIVE_STATE_QUERY,
  RUN_CONTROL_UPDATE,
  describe,
  isTerminal,
  type RunControlRequest,
  type RunControlResult,
  type RunLiveState,
  type RunStatus,
} from '@weft/domain';
import type { AuditContext, AuditLog } from '../audit/audit-log';
import { DependencyUnavailableError } from '../http/http.errors';

/** How long a read waits for a run's worker to answer the live-state Query. */
const LIVE_QUERY_DEADLINE_MS = 2_000;
/**
 * How long pause or resume waits for the run's worker to take the Update; past it the answer is 503
 * (the request may still reach the run once a worker picks it up: asking again is safe, both are idempotent).
 */
const CONTROL_DEADLINE_MS = 5_000;
/** How long a cancel waits to see the run end before answering 202. */
const CANCEL_SETTLE_MS = 5_000;

export type ControlVerb = 'paused' | 'resumed' | 'cancelled';

function conflict(status: string, verb: ControlVerb): ConflictError {
  return new ConflictError('run_state_conflict', describe('run_state_conflict', { status, verb }), { status });
}

/**
 * Pause, resume and cancel. Pause and resume are the run's control Update (it answers once the new
 * status is recorded); cancel is Temporal's cancellation, which reaches running activities through
 * their heartbeats. Each is idempotent: asking for the state the run is already in changes nothing.
 */
export class RunControlService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    private readonly audit: AuditLog,
  ) {}

  /** Records a control request that changed the run (after Temporal took it; a request that changed nothing leaves no entry). */
  private async record(by: AuditContext, verb: 'pause' | 'resume' | 'cancel', before: Run, after: Run): Promise<void> {
    if (before.status === after.status && verb !== 'cancel') return;
    await this.audit.record({ ...by, action: `run.${verb}`, objectType: 'run', objectId: before.id, before: { status: before.status }, after: { status: after.status } });
  }

  private reread(run: Run): Promise<Run> {
    return this.prisma.run.findFirstOrThrow({ where: { id: run.id, tenantId: run.tenantId } });
  }

  async pauseOrResume(run: Run, action: RunControlRequest['action'], by: AuditContext): Promise<Run> {
    const verb: ControlVerb = action === 'pause' ? 'paused' : 'resumed';
    // A queued run has not reached a worker yet: there is nothing to pause (cancel it instead).
    if (isTerminal(run.status as RunStatus) || run.status === 'queued') throw conflict(run.status, verb);
    try {
      await this.temporal.withDeadline(Date.now() + CONTROL_DEADLINE_MS, () =>
        this.temporal.workflow.getHandle(run.temporalWorkflowId).executeUpdate<RunControlResult, [RunControlRequest]>(RUN_CONTROL_UPDATE, { args: [{ action }] }),
      );
    } catch (err) {
      // The run ended between the read and the Update: say what it is now.
      if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) throw conflict((await this.reread(run)).status, verb);
      // No worker took the Update in time (or the call was cut): the run's worker is unavailable.
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) throw new DependencyUnavailableError('temporal', err);
      throw err;
    }
    const now = await this.reread(run);
    await this.record(by, action, run, now);
    return now;
  }

  /** Cancels the run; `settled` is false when it had not ended yet after a short wait (it will). */
  async cancel(run: Run, by: AuditContext): Promise<{ run: Run; settled: boolean }> {
    if (run.status === 'cancelled') return { run, settled: true };
    if (isTerminal(run.status as RunStatus)) throw conflict(run.status, 'cancelled');
    const handle = this.temporal.workflow.getHandle(run.temporalWorkflowId);
    try {
      await handle.cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    // A queued run ends when a worker first takes it; there is nothing to wait for here.
    const until = Date.now() + (run.status === 'queued' ? 0 : CANCEL_SETTLE_MS);
    let now = await this.reread(run);
    while (!isTerminal(now.status as RunStatus) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      now = await this.reread(run);
    }
    if (isTerminal(now.status as RunStatus) && now.status !== 'cancelled') throw conflict(now.status, 'cancelled');
    await this.record(by, 'cancel', run, now);
    return { run: now, settled: now.status === 'cancelled' };
  }

  /** The live state of an open run, from its workflow; undefined when no worker answers in time. */
  async live(run: Run): Promise<RunLiveState | undefined> {
    if (isTerminal(run.status as RunStatus) || run.status === 'queued') return undefined;
    try {
      return await this.temporal.withDeadline(Date.now() + LIVE_QUERY_DEADLINE_MS, () =>
        this.temporal.workflow.getHandle(run.temporalWorkflowId).query<RunLiveState>(LIVE_STATE_QUERY),
      );
    } catch {
      return undefined;
    }
  }
}
