import type { ApprovalFieldType } from '../nodes/approval/approval.node';
import type { Role } from '../tenancy/roles';
import type { NodeRecord } from '../runs/node-activities.contract';
import type { RunStatus } from '../runs/run-status';

/** Temporal Update that decides one open approval of a run (validated synchronously, see the validator). */
export const DECIDE_APPROVAL_UPDATE = 'weft.decideApproval';
/** Temporal Update that pauses or resumes a run. */
export const RUN_CONTROL_UPDATE = 'weft.control';
/** Temporal Query: the live state of an open run (running, waiting and paused nodes, container progress). */
export const LIVE_STATE_QUERY = 'weft.liveState';

export const APPROVAL_STATUSES = ['pending', 'decided', 'expired', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** A field as the person deciding sees it: defaults already resolved against the run. */
export interface ApprovalFieldSpec {
  type: ApprovalFieldType;
  required: boolean;
  label?: string;
  options?: string[];
  default?: unknown;
}

export interface ApprovalAction {
  id: string;
  label: string;
}

/** Who decided: an API key (with its role), a person through a signed form link, or an account (later). */
export interface ApprovalActor {
  kind: 'api-key' | 'form' | 'account';
  id: string;
  role?: Role;
}

/** What the API sends with the decide Update. */
export interface ApprovalDecisionRequest {
  approvalId: string;
  action: string;
  values?: Record<string, unknown>;
  comment?: string;
  actor: ApprovalActor;
}

/** What an accepted decision returns, once it is recorded. */
export interface ApprovalDecisionResult {
  approvalId: string;
  action: string;
  values: Record<string, unknown>;
  actor: ApprovalActor;
  decidedAt: string;
  comment: string | null;
}

export interface ApprovalNotify {
  webhook?: string;
  email?: string[];
}

/** An approval as it opens: what the run parks on, what the API lists, what notices carry. */
export interface OpenedApproval {
  approvalId: string;
  runId: string;
  tenantId: string;
  workflowId: string;
  nodeId: string;
  nodeKey: string;
  iterationIndex?: number;
  loopIndex?: number;
  /** the rendered markdown prompt */
  prompt: string;
  fields: Record<string, ApprovalFieldSpec>;
  actions: ApprovalAction[];
  allowedRoles?: Role[];
  requestedAt: string;
  expiresAt: string;
  notify?: ApprovalNotify;
}

/** How a workflow's wait for a decision ended. */
export type DecisionOutcome = { kind: 'decided'; decision: ApprovalDecisionResult } | { kind: 'expired' } | { kind: 'drained' };

/** Pause/resume sent with the control Update; cancel is Temporal's own cancellation. */
export interface RunControlRequest {
  action: 'pause' | 'resume';
  /** who asked, for the event and the log */
  actor?: ApprovalActor;
}
export interface RunControlResult {
  status: RunStatus;
}

export interface LiveNode {
  nodeId: string;
  key: string;
  type: string;
  state: 'running' | 'waiting';
  startedAt: string;
  iterationIndex?: number;
  loopIndex?: number;
  approvalId?: string;
  /** containers: items or passes done out of the total (total absent for a loop without a known end) */
  progress?: { done: number; total?: number };
}

/** How a notice went: sent, failed (details in `approvals.delivery`), or skipped (no SMTP settings, no signing secret, approval closed). */
export type NoticeDelivery = 'sent' | 'failed' | 'skipped';
export interface ApprovalNoticeResult {
  webhook?: NoticeDelivery;
  email?: NoticeDelivery;
}

/** The Query's answer. */
export interface RunLiveState {
  status: 'running' | 'waiting' | 'paused';
  paused: boolean;
  nodes: LiveNode[];
}

/**
 * Activities around approvals and run status. The workflow calls them; they write PostgreSQL and the
 * run's event stream (events are published by activities and the API, never by workflow code).
 */
export interface ApprovalActivities {
  /** Stores the approval (idempotent by id) and publishes `approval.requested`; the run's status is written by recordRunStatus. */
  openApproval(input: { approval: OpenedApproval; records?: NodeRecord[] }): Promise<void>;
  /** Sends the approval's notices (webhook, email) with its signed form link; failures are logged, never fail the node. */
  deliverApprovalNotice(input: { approval: OpenedApproval }): Promise<ApprovalNoticeResult>;
  /** Records the decision (idempotent), publishes `approval.decided`. */
  recordApprovalDecided(input: { tenantId: string; runId: string; decision: ApprovalDecisionResult }): Promise<void>;
  /**
   * Records that an approval closed undecided (idempotent): `expired` when its timeout fired (publishes
   * `approval.expired`), `cancelled` when the run or its branch stopped waiting for it.
   */
  recordApprovalClosed(input: { tenantId: string; runId: string; approvalId: string; status: 'expired' | 'cancelled'; closedAt: string }): Promise<void>;
  /** Writes the run's open status (running / waiting / paused) and publishes `run.paused` / `run.resumed` with it. */
  recordRunStatus(input: { tenantId: string; runId: string; status: 'running' | 'waiting' | 'paused'; event?: 'run.paused' | 'run.resumed'; at: string }): Promise<void>;
}
