import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  DECIDE_APPROVAL_UPDATE,
  LIVE_STATE_QUERY,
  RUN_CONTROL_UPDATE,
  type ApprovalDecisionRequest,
  type ApprovalDecisionResult,
  type OpenedApproval,
  type RunControlResult,
  type RunLiveState,
} from '@weft/domain';
import { statuses, useUnitEnv } from './support/unit-env';

const env = useUnitEnv('approvals');

async function eventually<T>(fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const actor = (role = 'operator') => ({ kind: 'api-key' as const, id: 'key_1', role: role as 'operator' });

/** start → ask (approval) → approved | rejected | expired (end nodes naming the path) */
const approvalGraph = (data: Record<string, unknown>) => ({
  dsl: 'weft/v1',
  inputs: { amount: { type: 'number', default: 40 } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'ask', type: 'approval', data: { prompt: 'Pay **{{ start.amount }}** EUR?', ...data } },
    { id: 'approved', type: 'end', data: { outputs: { path: 'approved', values: '{{ ask.values }}', actor: '{{ ask.actor }}', comment: '{{ ask.comment }}' } } },
    { id: 'rejected', type: 'end', data: { outputs: { path: 'rejected' } } },
    { id: 'expired', type: 'end', data: { outputs: { path: 'expired', action: '{{ ask.action }}' } } },
  ],
  edges: [
    { source: 'start', target: 'ask' },
    { source: 'ask', sourceHandle: 'approve', target: 'approved' },
    { source: 'ask', sourceHandle: 'reject', target: 'rejected' },
    { source: 'ask', sourceHandle: 'timeout', target: 'expired' },
  ],
});

async function rejection(p: Promise<unknown>): Promise<{ type: string; details: unknown }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as { type?: string; details?: unknown[] };
  return { type: String(cause.type), details: cause.details?.[0] };
}

describe('the approval node', () => {
  it('parks the run, refuses every bad decision without a trace, and takes the chosen action', async () => {
    const { runId, handle } = await env.start({
      graph: approvalGraph({
        fields: { reason: { type: 'text', required: true }, amount: { type: 'number', default: '{{ start.amount }}' }, urgent: { type: 'boolean' }, tier: { type: 'select', options: ['a', 'b'] } },
        allowedRoles: ['admin', 'operator'],
        timeout: '1h',
      }),
      inputs: { amount: 75 },
    });
    const [approval] = await eventually(() => env.fakes.openApprovals(runId).length > 0 && env.fakes.openApprovals(runId));
    expect(approval).toMatchObject({ nodeId: 'ask', prompt: 'Pay **75** EUR?', fields: { amount: { type: 'number', default: 75 } }, actions: [{ id: 'approve' }, { id: 'reject' }] });
    const live = await handle.query<RunLiveState>(LIVE_STATE_QUERY);
    expect(live).toMatchObject({ status: 'waiting', nodes: [{ nodeId: 'ask', state: 'waiting', approvalId: approval!.approvalId }] });

    const decide = (req: Partial<ApprovalDecisionRequest>) =>
      handle.executeUpdate<ApprovalDecisionResult, [ApprovalDecisionRequest]>(DECIDE_APPROVAL_UPDATE, {
        args: [{ approvalId: approval!.approvalId, action: 'approve', actor: actor(), values: { reason: 'ok' }, ...req }],
      });
    expect(await rejection(decide({ approvalId: 'apr_nope' }))).toMatchObject({ type: 'approval_not_found' });
    expect(await rejection(decide({ action: 'maybe' }))).toMatchObject({ type: 'approval_action_unknown', details: { actions: ['approve', 'reject'] } });
    expect(await rejection(decide({ values: {} }))).toMatchObject({ type: 'approval_values_invalid', details: { issues: [{ field: 'reason', code: 'field_required' }] } });
    const bad = await rejection(decide({ values: { reason: 'ok', amount: 'lots', urgent: 'yes', tier: 'c', extra: 1 } }));
    expect((bad.details as { issues: { field: string }[] }).issues.map((i) => i.field).sort()).toEqual(['amount', 'extra', 'tier', 'urgent']);
    expect(await rejection(decide({ actor: actor('viewer') }))).toMatchObject({ type: 'approval_role_forbidden' });

    const decision = await decide({ values: { reason: 'within budget', urgent: true }, comment: 'fine' });
    expect(decision).toMatchObject({ action: 'approve', values: { reason: 'within budget', amount: 75, urgent: true, tier: null }, comment: 'fine' });

    const result = await handle.result();
    expect(result).toMatchObject({ status: 'succeeded', outputs: { path: 'approved', values: { reason: 'within budget', amount: 75 }, actor: { kind: 'api-key', role: 'operator' }, comment: 'fine' } });
    expect(env.fakes.approvals.get(approval!.approvalId)).toMatchObject({ status: 'decided', decision: { action: 'approve' } });
    expect(env.fakes.statusWrites.filter((w) => w.runId === runId).map((w) => w.status)).toEqual(['waiting', 'running']);
    // Rejected decisions left nothing in history: one accepted Update, no rejected ones.
    const history = await handle.fetchHistory();
    const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateRejectedEventAttributes);
    expect(updates).toHaveLength(1);
    expect(statuses(env.fakes.run(runId))).toMatchObject({ ask: 'succeeded', approved: 'succeeded', rejected: 'skipped', expired: 'skipped' });
  });

  it('takes the timeout handle on a durable timer and closes the approval', async () => {
    const { runId, result } = await env.run({ graph: approvalGraph({ timeout: '2d', fields: { note: { type: 'paragraph', default: 'none' } } }) });
    expect(result).toMatchObject({ status: 'succeeded', outputs: { path: 'expired', action: 'timeout' } });
    const [closed] = [...env.fakes.approvals.values()].filter((a) => a.approval.runId === runId);
    expect(closed).toMatchObject({ status: 'expired' });
    expect(statuses(env.fakes.run(runId))).toMatchObject({ approved: 'skipped', expired: 'succeeded' });
  });

  it('addresses three approvals inside an iteration, decided out of order', async () => {
    const graph = {
      dsl: 'weft/v1',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'each',
          type: 'iteration',
          data: {
            items: '{{ start.items }}',
            parallelism: 3,
            output: '{{ ok.action }}',
            graph: {
              nodes: [
                { id: 'inner', type: 'start' },
                { id: 'ok', type: 'approval', data: { prompt: 'Item {{ each.item }}?', timeout: '1h' } },
                { id: 'innerEnd', type: 'end', data: { outputs: {} } },
              ],
              edges: [
                { source: 'inner', target: 'ok' },
                { source: 'ok', sourceHandle: 'approve', target: 'innerEnd' },
                { source: 'ok', sourceHandle: 'reject', target: 'innerEnd' },
              ],
            },
          },
        },
        { id: 'end', type: 'end', data: { outputs: { actions: '{{ each.results }}' } } },
      ],
      edges: [
        { source: 'start', target: 'each' },
        { source: 'each', target: 'end' },
      ],
      inputs: { items: { type: 'array', required: true } },
    };
    const { runId, handle } = await env.start({ graph, inputs: { items: ['x', 'y', 'z'] } });
    const open = await eventually(() => env.fakes.openApprovals(runId).length === 3 && env.fakes.openApprovals(runId));
    const byIndex = new Map(open.map((a: OpenedApproval) => [a.iterationIndex!, a]));
    expect(byIndex.get(1)).toMatchObject({ prompt: 'Item y?', nodeKey: 'ok[each=1]' });
    const live = await handle.query<RunLiveState>(LIVE_STATE_QUERY);
    expect(live.nodes.find((n) => n.nodeId === 'each')?.progress).toEqual({ done: 0, total: 3 });
    const decide = (i: number, action: string) =>
      handle.executeUpdate<ApprovalDecisionResult, [ApprovalDecisionRequest]>(DECIDE_APPROVAL_UPDATE, { args: [{ approvalId: byIndex.get(i)!.approvalId, action, actor: actor() }] });
    await decide(2, 'reject');
    // A second decision on the same approval is refused while the run goes on waiting for the others.
    expect(await rejection(decide(2, 'approve'))).toMatchObject({ type: 'approval_closed', details: { status: 'decided' } });
    await decide(0, 'approve');
    await decide(1, 'reject');
    expect(await handle.result()).toMatchObject({ status: 'succeeded', outputs: { actions: ['approve', 'reject', 'reject'] } });
  });

  it('closes an open approval when the run is cancelled', async () => {
    const { runId, handle } = await env.start({ graph: approvalGraph({ timeout: '1h' }) });
    const [approval] = await eventually(() => env.fakes.openApprovals(runId).length > 0 && env.fakes.openApprovals(runId));
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    await eventually(() => env.fakes.run(runId).finished.length > 0);
    expect(env.fakes.run(runId).finished[0]).toMatchObject({ status: 'cancelled' });
    expect(env.fakes.approvals.get(approval!.approvalId)).toMatchObject({ status: 'cancelled' });
  });
});

describe('pause and resume', () => {
  it('starts no new node while paused, lets the running one finish, and goes on when resumed', async () => {
    const code = (value: string) => ({ language: 'javascript', code: 'function main(i) { return i; }', inputs: { value } });
    const graph = {
      dsl: 'weft/v1',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'slow', type: 'code', data: code('s') },
        { id: 'next', type: 'code', data: code('n') },
        { id: 'end', type: 'end', data: { outputs: { next: '{{ next.value }}' } } },
      ],
      edges: [
        { source: 'start', target: 'slow' },
        { source: 'slow', target: 'next' },
        { source: 'next', target: 'end' },
      ],
    };
    const { runId, handle } = await env.start({ graph, activities: { slow: { outputs: { value: 's' }, delayMs: 1_500 } } });
    await eventually(() => env.fakes.callsOf('slow').length > 0);
    const control = (action: 'pause' | 'resume') => handle.executeUpdate<RunControlResult, [{ action: typeof action }]>(RUN_CONTROL_UPDATE, { args: [{ action }] });
    expect(await control('pause')).toEqual({ status: 'paused' });
    expect(await control('pause')).toEqual({ status: 'paused' });
    // The slow node finishes while paused; nothing after it starts.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(env.fakes.callsOf('next')).toHaveLength(0);
    const live = await handle.query<RunLiveState>(LIVE_STATE_QUERY);
    expect(live).toMatchObject({ status: 'paused', paused: true, nodes: [] });
    expect(await control('resume')).toEqual({ status: 'running' });
    expect(await handle.result()).toMatchObject({ status: 'succeeded', outputs: { next: 'n' } });
    expect(env.fakes.statusWrites.filter((w) => w.runId === runId)).toEqual([
      { runId, status: 'paused', event: 'run.paused' },
      { runId, status: 'running', event: 'run.resumed' },
    ]);
  });
});
