import { FormTokens } from '@weft/activities';
import { eventually, httpClient, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';
import { end, graph, start, startAt, type N } from '../support/graph-builder';
import { startHttpTarget, type HttpTarget } from '../support/http-target';
import { startSmtpTarget, type SmtpTarget } from '../support/smtp-target';
import { testEnv } from '../support/test-env';

// Approval nodes run by the real worker on the dev server, decided through the API and signed form
// links, with notices received by a local webhook receiver and a local mail server.
let h: Harness;
let api: ApiClient; // admin
let operator: ApiClient;
let developer: ApiClient;
let target: HttpTarget;
let smtp: SmtpTarget;
let worker: { stop(): Promise<void> };
const anonymous = () => httpClient(h.url);
const tokens = new FormTokens(testEnv.encryptionKey);

beforeAll(async () => {
  [target, smtp] = await Promise.all([startHttpTarget(), startSmtpTarget()]);
  // A decision waits 3 s at most for the workflow (WEFT_BLOCKING_TIMEOUT_MS), so a missing worker shows quickly.
  const env = { WEFT_HTTP_ALLOWLIST: `127.0.0.1:${target.port}`, WEFT_SMTP_HOST: '127.0.0.1', WEFT_SMTP_PORT: String(smtp.port), WEFT_BLOCKING_TIMEOUT_MS: '3000' };
  h = await startHarness('approvals-e2e', env);
  await resetDatabase(h.prisma);
  worker = await h.startWorker({});
  api = httpClient(h.url, await h.key('acme'));
  operator = httpClient(h.url, await h.key('acme', 'operator'));
  developer = httpClient(h.url, await h.key('acme', 'developer'));
  await api('PUT', '/v1/secrets/APPROVAL_WEBHOOK_SECRET', { value: 'whsec_e2e' });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await Promise.all([target?.close(), smtp?.close()]);
});

const approval = (id: string, data: Record<string, unknown>): N => ({ id, type: 'approval', data: { timeout: '1h', ...data } });
const fields = { reason: { type: 'text', required: true }, count: { type: 'number' }, channel: { type: 'select', options: ['blog', 'news'], default: 'blog' } };

async function startRun(g: unknown, inputs: Record<string, unknown> = {}): Promise<string> {
  const created = await api('POST', '/v1/workflows', { name: 'approvals', graph: g });
  await api('POST', `/v1/workflows/${created.body.data.id}/publish`);
  const r = await api('POST', `/v1/workflows/${created.body.data.id}/runs`, { inputs });
  expect(r.status).toBe(202);
  return r.body.data.id;
}
const pending = (runId: string, count = 1) =>
  eventually(async () => {
    const r = await api('GET', `/v1/approvals?status=pending&runId=${runId}&sort=requested_at`);
    return r.body.data.length === count && (r.body.data as any[]);
  }, 30_000, 100);
const ended = (runId: string) =>
  eventually(async () => {
    const r = (await api('GET', `/v1/runs/${runId}`)).body.data;
    return !['queued', 'running', 'waiting', 'paused'].includes(r.status) && r;
  }, 30_000, 100);
const hookFor = (approvalId: string) => eventually(async () => target.seen.map((s) => JSON.parse(s.body || '{}')).find((b) => b.approvalId === approvalId), 30_000, 100);
const decide = (client: ApiClient, id: string, body: unknown) => client('POST', `/v1/approvals/${id}`, body);

describe('approvals end to end', () => {
  it('approve: notices go out, every bad decision is refused without a trace, the accepted one drives the run', async () => {
    const g = graph(
      [
        start,
        approval('gate', { prompt: 'Publish **{{ start.topic }}**?', fields, allowedRoles: ['admin', 'operator'], notify: { webhook: target.url('/echo'), email: ['ops@example.test'] } }),
        end({ action: '{{ gate.action }}', values: '{{ gate.values }}', actor: '{{ gate.actor }}', comment: '{{ gate.comment }}' }, 'yes'),
        end({ action: '{{ gate.action }}' }, 'no'),
      ],
      [['start', 'gate'], ['gate', 'yes', 'approve'], ['gate', 'no', 'reject']],
      { topic: { type: 'string', default: 'the post' } },
    );
    const runId = await startRun(g);
    const [open] = await pending(runId);
    expect(open).toMatchObject({ nodeId: 'gate', prompt: 'Publish **the post**?', status: 'pending', allowedRoles: ['admin', 'operator'] });
    expect((await api('GET', `/v1/runs/${runId}`)).body.data.status).toBe('waiting');
    const hook = await hookFor(open.id);
    await eventually(async () => smtp.received.some((m) => m.raw.replace(/=\r?\n/g, '').includes(hook.formUrl.split('/v1/forms/')[1].slice(0, 60))), 30_000, 100);

    const refusals = [
      [operator, { action: 'publish' }, 422, 'approval_action_unknown'],
      [operator, { action: 'approve' }, 422, 'approval_values_invalid'],
      [operator, { action: 'approve', values: { reason: 'ok', count: 'many' } }, 422, 'approval_values_invalid'],
      [operator, { action: 'approve', values: { reason: 'ok', channel: 'radio' } }, 422, 'approval_values_invalid'],
      [developer, { action: 'approve', values: { reason: 'ok' } }, 403, 'approval_role_forbidden'],
    ] as const;
    for (const [client, body, status, code] of refusals) {
      const r = await decide(client, open.id, body);
      expect([body, r.status, r.body.code]).toEqual([body, status, code]);
      if (status === 422 && code === 'approval_values_invalid') expect(r.body.details.issues.length).toBeGreaterThan(0);
    }
    expect((await decide(operator, open.id, { action: 'publish' })).body.details).toEqual({ actions: ['approve', 'reject'] });

    const ok = await decide(operator, open.id, { action: 'approve', values: { reason: 'ship it', count: 3 }, comment: 'go' });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ id: open.id, status: 'decided', action: 'approve', values: { reason: 'ship it', count: 3, channel: 'blog' }, comment: 'go', actor: { kind: 'api-key', role: 'operator' } });
    // A second decision (or a retry whose response was lost) is a conflict, not a 500.
    expect(await decide(api, open.id, { action: 'reject', values: { reason: 'no' } })).toMatchObject({ status: 409, body: { code: 'approval_closed', details: { status: 'decided' } } });

    const run = await ended(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toMatchObject({ action: 'approve', values: { reason: 'ship it', count: 3, channel: 'blog' }, comment: 'go', actor: { kind: 'api-key', role: 'operator' } });
    const history = await h.temporal.workflow.getHandle(run.temporal.workflowId).fetchHistory();
    expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(1);
    expect((await api('GET', `/v1/approvals/${open.id}`)).body.data.delivery).toEqual({ webhook: 'sent', email: 'sent' });
    const link = new URL(hook.formUrl).pathname;
    expect(await anonymous()('GET', link)).toMatchObject({ status: 410, body: { code: 'form_link_gone', details: { status: 'decided' } } });
  }, 90_000);

  it('reject through a signed form link: no key, allowedRoles do not apply, the link works once', async () => {
    const g = graph(
      [start, approval('gate', { prompt: 'Refund?', fields, allowedRoles: ['admin'], notify: { webhook: target.url('/echo') } }), end({ action: '{{ gate.action }}', actor: '{{ gate.actor }}' }, 'yes'), end({ action: '{{ gate.action }}', reason: '{{ gate.values.reason }}' }, 'no')],
      [['start', 'gate'], ['gate', 'yes', 'approve'], ['gate', 'no', 'reject']],
    );
    const runId = await startRun(g);
    const [open] = await pending(runId);
    const link = new URL((await hookFor(open.id)).formUrl).pathname;
    const form = await anonymous()('GET', link);
    expect(form.body.data).toEqual({ prompt: 'Refund?', fields: open.fields, actions: open.actions, requestedAt: open.requestedAt, expiresAt: open.expiresAt });
    expect(await anonymous()('POST', link, { action: 'reject' })).toMatchObject({ status: 422, body: { code: 'approval_values_invalid' } });
    const used = await anonymous()('POST', link, { action: 'reject', values: { reason: 'too late' } });
    expect(used.status).toBe(200);
    expect(used.body.data).toMatchObject({ status: 'decided', action: 'reject', values: { reason: 'too late', channel: 'blog' }, comment: null });
    for (const method of ['POST', 'GET'] as const) {
      expect(await anonymous()(method, link, method === 'POST' ? { action: 'approve', values: { reason: 'x' } } : undefined)).toMatchObject({ status: 410, body: { code: 'form_link_gone' } });
    }
    expect((await ended(runId)).outputs).toEqual({ action: 'reject', reason: 'too late' });
    expect((await api('GET', `/v1/approvals/${open.id}`)).body.data.actor).toEqual({ kind: 'form', id: open.id });
  }, 60_000);

  it('timeout: the node takes `timeout`; a decision or a form link after it is refused', async () => {
    const g = graph([start, approval('gate', { prompt: 'Quick?', timeout: '2s' }), end({ action: '{{ gate.action }}' }, 'yes'), end({ action: '{{ gate.action }}' }, 'late')], [['start', 'gate'], ['gate', 'yes', 'approve'], ['gate', 'late', 'timeout']]);
    const runId = await startRun(g);
    const [open] = await pending(runId);
    const link = `/v1/forms/${tokens.sign(open.id, open.expiresAt)}`;
    const run = await ended(runId);
    expect([run.status, run.outputs]).toEqual(['succeeded', { action: 'timeout' }]);
    expect(await decide(api, open.id, { action: 'approve' })).toMatchObject({ status: 409, body: { code: 'approval_closed', details: { status: 'expired' } } });
    expect(await anonymous()('POST', link, { action: 'approve' })).toMatchObject({ status: 410, body: { code: 'form_link_gone' } });
    expect((await api('GET', `/v1/approvals/${open.id}`)).body.data.status).toBe('expired');
  }, 60_000);

  it('two parallel approvals decided at once, then the join runs once', async () => {
    const g = graph(
      [start, approval('legal', { prompt: 'Legal?', fields: { note: { type: 'text' } } }), approval('finance', { prompt: 'Finance?', fields: { note: { type: 'text' } } }), { id: 'join', type: 'template', data: { template: '{{ legal.values.note }}+{{ finance.values.note }}' } }, end({ joined: '{{ join.text }}' })],
      [['start', 'legal'], ['start', 'finance'], ['legal', 'join', 'approve'], ['finance', 'join', 'approve'], ['join', 'end']],
    );
    const runId = await startRun(g);
    const open = await pending(runId, 2);
    const answers = await Promise.all(open.map((a) => decide(a.nodeId === 'legal' ? api : operator, a.id, { action: 'approve', values: { note: a.nodeId } })));
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const run = await ended(runId);
    expect([run.status, run.outputs]).toEqual(['succeeded', { joined: 'legal+finance' }]);
    const nodes = (await api('GET', `/v1/runs/${runId}/nodes`)).body.data as any[];
    expect(nodes.filter((n) => n.nodeId === 'join')).toHaveLength(1);
  }, 60_000);

  it('three approvals inside an iteration: by node is ambiguous, by id in any order; the results keep the items’ order', async () => {
    const inner = {
      nodes: [startAt('itemStart'), approval('check', { prompt: 'Item {{ each.item }}?' }), end({ item: '{{ each.item }}', action: '{{ check.action }}' }, 'itemEnd')],
      edges: [
        { source: 'itemStart', target: 'check' },
        { source: 'check', sourceHandle: 'approve', target: 'itemEnd' },
        { source: 'check', sourceHandle: 'reject', target: 'itemEnd' },
      ],
    };
    const g = graph(
      [start, { id: 'each', type: 'iteration', data: { items: '{{ start.items }}', parallelism: 3, graph: inner } }, end({ results: '{{ each.results }}' })],
      [['start', 'each'], ['each', 'end']],
      { items: { type: 'array', default: ['x', 'y', 'z'] } },
    );
    const runId = await startRun(g);
    const open = (await pending(runId, 3)).sort((a, b) => a.iterationIndex - b.iterationIndex);
    const atNode = () => api('POST', `/v1/runs/${runId}/approvals/check`, { action: 'approve' });
    const ambiguous = await atNode();
    expect([ambiguous.status, ambiguous.body.code]).toEqual([409, 'approval_ambiguous']);
    expect(ambiguous.body.details.candidates.map((c: any) => [c.id, c.iterationIndex])).toEqual(open.map((a) => [a.id, a.iterationIndex]));
    // The last item first, then the first one; the one left is then the node's only open approval.
    expect((await decide(api, open[2].id, { action: 'reject' })).status).toBe(200);
    expect((await decide(api, open[0].id, { action: 'approve' })).status).toBe(200);
    const last = await atNode();
    expect([last.status, last.body.data.id, last.body.data.iterationIndex]).toEqual([200, open[1].id, 1]);
    expect(await atNode()).toMatchObject({ status: 409, body: { code: 'approval_closed' } });
    const run = await ended(runId);
    expect(run.outputs).toEqual({ results: [{ item: 'x', action: 'approve' }, { item: 'y', action: 'approve' }, { item: 'z', action: 'reject' }] });
  }, 60_000);

  it('answers 503 when no worker takes a decision in time, never hangs, and the run completes once one is back', async () => {
    const runId = await startRun(graph([start, approval('gate', { prompt: 'Later?' }), end({ action: '{{ gate.action }}' })], [['start', 'gate'], ['gate', 'end', 'approve']]));
    const [open] = await pending(runId);
    await worker.stop();
    const started = Date.now();
    expect(await decide(api, open.id, { action: 'approve' })).toMatchObject({ status: 503, body: { code: 'temporal_unavailable' } });
    expect(Date.now() - started).toBeLessThan(10_000);
    worker = await h.startWorker({});
    // The decision may still reach the workflow when a worker is back (it was admitted): a retry is then 409.
    const again = await decide(api, open.id, { action: 'approve' });
    expect([200, 409]).toContain(again.status);
    const run = await ended(runId);
    expect([run.status, run.outputs]).toEqual(['succeeded', { action: 'approve' }]);
  }, 60_000);
});
