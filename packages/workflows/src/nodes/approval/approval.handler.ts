import { CancellationScope, isCancellation, log, patched, proxyActivities, proxyLocalActivities, uuid4 } from '@temporalio/workflow';
import {
  APPROVAL_DEFAULT_TIMEOUT,
  APPROVAL_MAX_BYTES,
  APPROVAL_TIMEOUT_HANDLE,
  NON_RETRYABLE_CODES,
  checkApprovalValues,
  measureValue,
  parseDuration,
  resolveValue,
  type ApprovalActivities,
  type ApprovalData,
  type ApprovalFieldSpec,
  type OpenedApproval,
  type VariablePool,
} from '@weft/domain';
import { failed, succeeded, type NodeContext, type NodeHandler } from '../node-handler';

/** Marks runs whose approval nodes run (before, the node type was refused when the run started it). */
export const APPROVAL_NODE_PATCH = 'weft-approval-node';

/** The longest prompt an approval carries (it travels in history and in every notice). */
export const APPROVAL_PROMPT_MAX = 20_000;

const records = proxyLocalActivities<Pick<ApprovalActivities, 'openApproval' | 'recordApprovalClosed'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});

// Notices reach the outside world: slower, retried with backoff, never holding the node up.
const notices = proxyActivities<Pick<ApprovalActivities, 'deliverApprovalNotice'>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 6, nonRetryableErrorTypes: [...NON_RETRYABLE_CODES] },
});

interface ApprovalProgress {
  approval: OpenedApproval;
}

function renderPrompt(prompt: string, pool: VariablePool): string {
  const value = resolveValue(prompt, pool);
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return text.length > APPROVAL_PROMPT_MAX ? `${text.slice(0, APPROVAL_PROMPT_MAX)}… (shortened)` : text;
}

/** Fields as the person deciding sees them: defaults that are references resolved now. */
function resolveFields(fields: ApprovalData['fields'], pool: VariablePool): Record<string, ApprovalFieldSpec> {
  const out: Record<string, ApprovalFieldSpec> = {};
  for (const [name, f] of Object.entries(fields)) {
    const spec: ApprovalFieldSpec = { type: f.type, required: f.required };
    if (f.label !== undefined) spec.label = f.label;
    if (f.options !== undefined) spec.options = f.options;
    if (f.default !== undefined) spec.default = resolveValue(f.default, pool);
    Object.defineProperty(out, name, { value: spec, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function open(ctx: NodeContext<ApprovalData>): OpenedApproval {
  const { data, pool, location, run } = ctx;
  const now = Date.now();
  return {
    approvalId: `apr_${uuid4().replace(/-/g, '')}`,
    ...run,
    nodeId: location.nodeId,
    nodeKey: location.key,
    ...(location.iterationIndex !== undefined ? { iterationIndex: location.iterationIndex } : {}),
    ...(location.loopIndex !== undefined ? { loopIndex: location.loopIndex } : {}),
    prompt: renderPrompt(data.prompt, pool),
    fields: resolveFields(data.fields, pool),
    actions: data.actions,
    ...(data.allowedRoles ? { allowedRoles: data.allowedRoles } : {}),
    requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + parseDuration(data.timeout ?? APPROVAL_DEFAULT_TIMEOUT)).toISOString(),
    ...(data.notify ? { notify: data.notify } : {}),
  };
}

/**
 * Parks the run until a person decides (the decide Update, validated in run control), or until the
 * approval's durable timer fires. The node takes the chosen action's handle, or `timeout`. Nothing
 * is left open behind it: an expiry, a cancelled run or a failed branch closes the approval too.
 */
export const approvalHandler: NodeHandler<ApprovalData> = async (ctx) => {
  if (!patched(APPROVAL_NODE_PATCH)) return failed('node_type_not_supported', `Node type '${ctx.node.type}' cannot run in this version of Weft`);
  const resumed = (ctx.resume as ApprovalProgress | undefined)?.approval;
  const approval = resumed ?? open(ctx);
  const { approvals, run } = ctx;
  if (!resumed) {
    // Defaults resolved from large outputs (or many long options) would travel in history several
    // times over: refuse before anything opens, with a bound that does not depend on the machine.
    const limit = Math.min(APPROVAL_MAX_BYTES, ctx.limits.maxValueBytes);
    const { prompt, fields, actions, allowedRoles, notify } = approval;
    if (measureValue({ prompt, fields, actions, allowedRoles, notify }, { maxDepth: ctx.limits.maxValueDepth, maxBytes: limit }).problem) {
      return failed('approval_too_large', `The approval's prompt, fields and resolved defaults are larger than ${limit} bytes of JSON`);
    }
  }
  const recordInputs = { approvalId: approval.approvalId, prompt: approval.prompt, fields: approval.fields, actions: approval.actions, expiresAt: approval.expiresAt };
  try {
    await approvals.register(approval);
    if (!resumed) {
      await records.openApproval({ approval, records: ctx.takeRecordsForActivity() });
      // A notice that cannot be delivered is recorded by the activity; the person can still be told otherwise.
      if (approval.notify) void notices.deliverApprovalNotice({ approval }).catch((err: unknown) => log.warn('approval notice not delivered', { approvalId: approval.approvalId, error: String(err) }));
    }
    const outcome = await approvals.awaitDecision(approval.approvalId, () => ctx.draining);
    if (outcome.kind === 'drained') return { status: 'suspended', state: { approval } satisfies ApprovalProgress };
    if (outcome.kind === 'decided') {
      const { action, values, actor, decidedAt, comment } = outcome.decision;
      return succeeded({ action, values, actor, decidedAt, comment }, { handles: [action], recordInputs });
    }
    await approvals.closed(approval.approvalId, 'expired');
    await records.recordApprovalClosed({ ...run, approvalId: approval.approvalId, status: 'expired', closedAt: new Date().toISOString() });
    const { values } = checkApprovalValues(approval.fields, {});
    return succeeded({ action: APPROVAL_TIMEOUT_HANDLE, values, actor: null, decidedAt: null, comment: null }, { handles: [APPROVAL_TIMEOUT_HANDLE], recordInputs });
  } catch (err) {
    // The run was cancelled or this branch stopped: the approval must not stay open anywhere.
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        await approvals.closed(approval.approvalId, 'cancelled');
        await records.recordApprovalClosed({ ...run, approvalId: approval.approvalId, status: 'cancelled', closedAt: new Date().toISOString() });
      }).catch((closing: unknown) => log.warn('approval closing could not be recorded', { approvalId: approval.approvalId, error: String(closing) }));
    }
    throw err;
  }
};
