import { ApplicationFailure, condition, defineQuery, defineUpdate, log, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  DECIDE_APPROVAL_UPDATE,
  LIVE_STATE_QUERY,
  RUN_CONTROL_UPDATE,
  SEARCH_ATTRIBUTES,
  APPROVAL_COMMENT_MAX,
  checkApprovalValues,
  describe,
  type ApprovalActivities,
  type ApprovalDecisionRequest,
  type ApprovalDecisionResult,
  type ApiErrorCode,
  type DecisionOutcome,
  type LiveNode,
  type NodeLocation,
  type OpenedApproval,
  type RunControlRequest,
  type RunControlResult,
  type RunLiveState,
} from '@weft/domain';

export const decideApprovalUpdate = defineUpdate<ApprovalDecisionResult, [ApprovalDecisionRequest]>(DECIDE_APPROVAL_UPDATE);
export const runControlUpdate = defineUpdate<RunControlResult, [RunControlRequest]>(RUN_CONTROL_UPDATE);
export const liveStateQuery = defineQuery<RunLiveState>(LIVE_STATE_QUERY);

// Short idempotent writes (the approvals table, the run's status, events), as the run records are.
const writes = proxyLocalActivities<ApprovalActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});

type OpenStatus = RunLiveState['status'];

interface ApprovalEntry {
  approval: OpenedApproval;
  state: 'open' | 'deciding' | 'decided' | 'expired' | 'cancelled';
  decision?: ApprovalDecisionResult;
}

/** What run control carries across continue-as-new: the pause, and the approvals still open. */
export interface ControlState {
  paused: boolean;
  approvals: OpenedApproval[];
}


/** A rejection of the decide Update: a catalogue code (the API answers with its status) and details. */
function reject(code: ApiErrorCode, params: Record<string, string | number>, details: Record<string, unknown> = {}): never {
  throw ApplicationFailure.create({ type: code, message: describe(code, params as never), nonRetryable: true, details: [details] });
}

/**
 * People in the loop: the approvals a run has open, its pause, and the live view of what runs. The
 * decide and control Updates and the live-state Query are answered here. Nothing here writes
 * anything itself: status changes, decisions and closings go through the approval activities,
 * one status write at a time, in the order they happened.
 */
export class RunControl {
  private pausedFlag: boolean;
  private readonly approvals = new Map<string, ApprovalEntry>();
  private readonly live = new Map<string, LiveNode>();
  private resumeGate: { promise: Promise<void>; open: () => void } | undefined;
  private written: OpenStatus;
  private statusWrites: Promise<void> = Promise.resolve();
  private writing = false;
  private updatesInFlight = 0;
  /** anything happened that a continuation must carry (runs that never had one carry nothing new) */
  touched: boolean;

  constructor(
    private readonly run: { runId: string; tenantId: string },
    carried?: ControlState,
  ) {
    this.pausedFlag = carried?.paused ?? false;
    this.touched = carried !== undefined;
    for (const approval of carried?.approvals ?? []) this.approvals.set(approval.approvalId, { approval, state: 'open' });
    // The record says what the carried state is: the previous execution wrote it.
    this.written = this.derivedStatus();
    if (this.pausedFlag) this.resumeGate = gate();
  }

  /** Registers the Updates and the Query; called once, before the graph starts. */
  install(): void {
    setHandler(liveStateQuery, () => this.liveState());
    setHandler(decideApprovalUpdate, (req) => this.decide(req), { validator: (req) => this.validateDecision(req) });
    setHandler(runControlUpdate, (req) => this.control(req), { validator: (req) => this.validateControl(req) });
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** Resolves when the run is resumed; a never-settling promise while it is not paused. */
  whenResumed(): Promise<void> {
    return this.resumeGate?.promise ?? new Promise<void>(() => undefined);
  }

  carried(): ControlState {
    const open = [...this.approvals.values()].filter((e) => e.state === 'open').map((e) => e.approval);
    return { paused: this.pausedFlag, approvals: open };
  }

  /** Update handlers still recording: a run must not end or continue-as-new under them. */
  get busy(): boolean {
    return this.updatesInFlight > 0;
  }

  // --- live view -------------------------------------------------------------------------------

  nodeStarted(location: NodeLocation, type: string, startedAt: string): void {
    this.live.set(location.key, {
      nodeId: location.nodeId,
      key: location.key,
      type,
      state: 'running',
      startedAt,
      ...(location.iterationIndex !== undefined ? { iterationIndex: location.iterationIndex } : {}),
      ...(location.loopIndex !== undefined ? { loopIndex: location.loopIndex } : {}),
    });
  }

  nodeEnded(key: string): void {
    this.live.delete(key);
  }

  progress(key: string, done: number, total?: number): void {
    const node = this.live.get(key);
    if (node) node.progress = { done, ...(total !== undefined ? { total } : {}) };
  }

  liveState(): RunLiveState {
    return { status: this.derivedStatus(), paused: this.pausedFlag, nodes: [...this.live.values()] };
  }

  private derivedStatus(): OpenStatus {
    if (this.pausedFlag) return 'paused';
    for (const e of this.approvals.values()) if (e.state === 'open' || e.state === 'deciding') return 'waiting';
    return 'running';
  }

  /**
   * Writes the run's status when it changed (queued in order behind earlier writes); the returned
   * promise settles once this write landed. A failed write is logged: the status is a view, and the
   * next change or the run's end writes it again.
   */
  private syncStatus(event?: 'run.paused' | 'run.resumed'): Promise<void> {
    const status = this.derivedStatus();
    if (status === this.written && !event) return this.statusWrites;
    this.written = status;
    this.touched = true;
    const at = new Date().toISOString();
    this.upsertStatusAttribute(status);
    this.writing = true;
    const write = (this.statusWrites = this.statusWrites.then(async () => {
      try {
        await writes.recordRunStatus({ ...this.run, status, at, ...(event ? { event } : {}) });
      } catch (err) {
        log.warn('run status could not be recorded', { ...this.run, status, error: String(err) });
      }
      if (this.statusWrites === write) this.writing = false;
    }));
    return write;
  }

  /** Status writes under way, so the run's end is written after them; undefined when none are. */
  pendingWrites(): Promise<void> | undefined {
    return this.writing ? this.statusWrites : undefined;
  }

  /** Keeps the run's status findable with the temporal CLI, on runs started with the attribute. */
  upsertStatusAttribute(status: string): void {
    if (workflowInfo().searchAttributes?.[SEARCH_ATTRIBUTES.runStatus] === undefined) return;
    upsertSearchAttributes({ [SEARCH_ATTRIBUTES.runStatus]: [status] });
  }

  // --- approvals -------------------------------------------------------------------------------

  /** An approval the run now waits on (again, after continue-as-new: the entry is kept). */
  register(approval: OpenedApproval): Promise<void> {
    this.touched = true;
    if (!this.approvals.has(approval.approvalId)) this.approvals.set(approval.approvalId, { approval, state: 'open' });
    const node = this.live.get(approval.nodeKey);
    if (node) {
      node.state = 'waiting';
      node.approvalId = approval.approvalId;
    }
    return this.syncStatus();
  }

  /**
   * Waits for a decision until the approval expires, or until the run drains for continue-as-new.
   * A decision being recorded when the timer fires wins: it was accepted before the expiry.
   */
  async awaitDecision(approvalId: string, draining: () => boolean): Promise<DecisionOutcome> {
    const entry = this.approvals.get(approvalId)!;
    const expiresAt = Date.parse(entry.approval.expiresAt);
    const ms = expiresAt - Date.now();
    if (ms > 0 && entry.state !== 'decided') await condition(() => entry.state === 'decided' || draining(), ms);
    if (entry.state === 'deciding') await condition(() => entry.state !== 'deciding');
    if (entry.state === 'decided') return { kind: 'decided', decision: entry.decision! };
    if (draining() && Date.now() < expiresAt) return { kind: 'drained' };
    entry.state = 'expired';
    return { kind: 'expired' };
  }

  /** The approval closed without a decision: its node stopped waiting (expired, cancelled). */
  closed(approvalId: string, state: 'expired' | 'cancelled'): Promise<void> {
    const entry = this.approvals.get(approvalId);
    if (entry && entry.state !== 'decided') entry.state = state;
    return this.syncStatus();
  }

  private validateDecision(req: ApprovalDecisionRequest): void {
    const entry = req && typeof req.approvalId === 'string' ? this.approvals.get(req.approvalId) : undefined;
    if (!entry) reject('approval_not_found', { id: String(req?.approvalId ?? '') });
    const { approval } = entry;
    // The API always names who decides; anything else would fail the handler (and the workflow task) later.
    const { actor } = req;
    if (!actor || typeof actor !== 'object' || !['api-key', 'form', 'account'].includes(actor.kind) || typeof actor.id !== 'string' || (actor.role !== undefined && typeof actor.role !== 'string')) {
      throw ApplicationFailure.create({ type: 'malformed_request', message: 'actor must name who decides ({kind, id})', nonRetryable: true });
    }
    if (entry.state !== 'open') {
      const status = entry.state === 'deciding' ? 'decided' : entry.state;
      reject('approval_closed', { id: approval.approvalId, status }, { status });
    }
    if (Date.now() >= Date.parse(approval.expiresAt)) reject('approval_closed', { id: approval.approvalId, status: 'expired' }, { status: 'expired' });
    const actions = approval.actions.map((a) => a.id);
    if (!actions.includes(req.action)) reject('approval_action_unknown', { action: String(req.action), actions: actions.join(', ') }, { actions });
    if (approval.allowedRoles?.length && actor?.kind !== 'form' && !(actor?.role && approval.allowedRoles.includes(actor.role))) {
      reject('approval_role_forbidden', { roles: approval.allowedRoles.join(', '), role: actor?.role ?? 'none' }, { allowedRoles: approval.allowedRoles });
    }
    const values = req.values ?? {};
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      reject('approval_values_invalid', { count: 1 }, { issues: [{ field: '', code: 'field_type', message: 'values must be an object' }] });
    }
    const { issues } = checkApprovalValues(approval.fields, values);
    if (req.comment !== undefined && req.comment !== null && (typeof req.comment !== 'string' || req.comment.length > APPROVAL_COMMENT_MAX)) {
      issues.push({ field: 'comment', code: 'field_too_long', message: `the comment must be text of at most ${APPROVAL_COMMENT_MAX} characters` });
    }
    if (issues.length) reject('approval_values_invalid', { count: issues.length }, { issues });
  }

  private async decide(req: ApprovalDecisionRequest): Promise<ApprovalDecisionResult> {
    // Two decisions delivered in one activation both pass the validator; the first one claims it.
    this.validateDecision(req);
    const entry = this.approvals.get(req.approvalId)!;
    entry.state = 'deciding';
    this.updatesInFlight++;
    const decision: ApprovalDecisionResult = {
      approvalId: req.approvalId,
      action: req.action,
      values: checkApprovalValues(entry.approval.fields, req.values ?? {}).values,
      actor: { kind: req.actor.kind, id: String(req.actor.id), ...(req.actor.role ? { role: req.actor.role } : {}) },
      decidedAt: new Date().toISOString(),
      comment: typeof req.comment === 'string' ? req.comment : null,
    };
    try {
      await writes.recordApprovalDecided({ ...this.run, decision });
    } catch (err) {
      entry.state = 'open';
      throw ApplicationFailure.create({ type: 'approval_not_recorded', message: describe('approval_not_recorded', {}), nonRetryable: true, cause: err as Error });
    } finally {
      this.updatesInFlight--;
    }
    entry.state = 'decided';
    entry.decision = decision;
    this.updatesInFlight++;
    try {
      await this.syncStatus();
    } finally {
      this.updatesInFlight--;
    }
    return decision;
  }

  // --- pause and resume ------------------------------------------------------------------------

  private validateControl(req: RunControlRequest): void {
    if (req?.action !== 'pause' && req?.action !== 'resume') {
      throw ApplicationFailure.create({ type: 'malformed_request', message: "action must be 'pause' or 'resume'", nonRetryable: true });
    }
  }

  /** Idempotent: pausing a paused run (or resuming a running one) changes nothing and answers its status. */
  private async control(req: RunControlRequest): Promise<RunControlResult> {
    this.updatesInFlight++;
    try {
      if (req.action === 'pause' && !this.pausedFlag) {
        this.pausedFlag = true;
        this.resumeGate = gate();
        await this.syncStatus('run.paused');
      } else if (req.action === 'resume' && this.pausedFlag) {
        this.pausedFlag = false;
        const opened = this.resumeGate;
        this.resumeGate = undefined;
        opened?.open();
        await this.syncStatus('run.resumed');
      }
      return { status: this.derivedStatus() };
    } finally {
      this.updatesInFlight--;
    }
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
