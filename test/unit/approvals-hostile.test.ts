import { WorkflowUpdateFailedError } from '@temporalio/client';
import { APPROVAL_FIELDS_MAX, APPROVAL_MAX_BYTES, DECIDE_APPROVAL_UPDATE, validateGraph, type ApprovalDecisionRequest, type ApprovalDecisionResult } from '@weft/domain';
import { useUnitEnv } from './support/unit-env';

const env = useUnitEnv('approvals-hostile');

async function eventually<T>(fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const graphWith = (fields: Record<string, unknown>) => ({
  dsl: 'weft/v1',
  inputs: { big: { type: 'string', default: '' } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'ask', type: 'approval', data: { prompt: 'Go?', timeout: '1h', fields } },
    { id: 'done', type: 'end', data: { outputs: { action: '{{ ask.action }}' } } },
  ],
  edges: [
    { source: 'start', target: 'ask' },
    { source: 'ask', sourceHandle: 'approve', target: 'done' },
    { source: 'ask', sourceHandle: 'reject', target: 'done' },
    { source: 'ask', sourceHandle: 'timeout', target: 'done' },
  ],
});
const paragraphs = (n: number, extra: Record<string, unknown> = {}) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: 'paragraph', ...extra }]));

async function refusal(p: Promise<unknown>): Promise<{ type: string; details: unknown }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as { type?: string; details?: unknown[] };
  return { type: String(cause.type), details: cause.details?.[0] };
}

describe('a hostile approval', () => {
  it('fails its node with approval_too_large, before anything opens, when defaults resolve to large values; more fields than a decision may carry are refused', async () => {
    expect(validateGraph(graphWith(paragraphs(APPROVAL_FIELDS_MAX + 1))).ok).toBe(false);
    // Eight defaults reading one 200 kB input: 1.6 MB that would travel in history several times over.
    const { runId, result } = await env.run({ graph: graphWith(paragraphs(8, { default: '{{ start.big }}' })), inputs: { big: 'x'.repeat(200_000) } });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'approval_too_large', nodeId: 'ask' } });
    expect(result.error?.message).toContain(String(APPROVAL_MAX_BYTES));
    expect([...env.fakes.approvals.values()].filter((a) => a.approval.runId === runId)).toHaveLength(0);
  });

  it('refuses a decision without an actor or with values too large together, and the run still takes a good one', async () => {
    const { runId, handle } = await env.start({ graph: graphWith(paragraphs(20)) });
    const [approval] = await eventually(() => env.fakes.openApprovals(runId).length > 0 && env.fakes.openApprovals(runId));
    const decide = (req: Record<string, unknown>) =>
      handle.executeUpdate<ApprovalDecisionResult, [ApprovalDecisionRequest]>(DECIDE_APPROVAL_UPDATE, {
        args: [{ approvalId: approval!.approvalId, action: 'approve', actor: { kind: 'api-key', id: 'k' }, ...req } as ApprovalDecisionRequest],
      });
    // Before, these passed the validator and failed the handler: the workflow task failed and the Update hung.
    for (const actor of [null, 'admin', { kind: 'api-key' }, { kind: 'root', id: 'x' }]) expect(await refusal(decide({ actor }))).toMatchObject({ type: 'malformed_request' });
    // Each paragraph is within its bound; twenty of them are not (they would be the Update's request and result).
    const values = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, 'é'.repeat(19_000)]));
    expect(await refusal(decide({ values }))).toMatchObject({ type: 'approval_values_invalid', details: { issues: [{ field: '', code: 'field_too_long' }] } });
    expect(await decide({ values: { p0: 'fine' } })).toMatchObject({ action: 'approve', values: { p0: 'fine', p1: null } });
    expect(await handle.result()).toMatchObject({ status: 'succeeded', outputs: { action: 'approve' } });
  });
});
