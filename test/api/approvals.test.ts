import { ApplicationFailure } from '@temporalio/common';
import {
  FormTokens,
  SecretCipher,
  SecretsStore,
  createApprovalNoticeActivities,
  createLogger,
  parseHttpAllowlist,
  verifyWebhookSignature,
  type ApprovalNoticeOptions,
  type Prisma,
} from '@weft/activities';
import type { OpenedApproval } from '@weft/domain';
import { endedRun, insertApproval, openedApproval, runRecord } from '../support/approval-rows';
import { httpClient, useSuiteHarness, type ApiClient } from '../support/harness';
import { closedPort, startHttpTarget, type HttpTarget } from '../support/http-target';
import { startSmtpTarget, type SmtpTarget } from '../support/smtp-target';
import { testEnv } from '../support/test-env';

// The approvals routes over HTTP with approval rows of a run whose workflow has ended: reads,
// every refusal the API makes before or after asking the workflow, and signed form links. Then the
// notice activity against a local webhook receiver and a local mail server. What the workflow's
// validator refuses, and notices sent by a running approval node, are in approvals-e2e.
const suite = useSuiteHarness('approvals');
let host: Awaited<ReturnType<typeof endedRun>>;
let other: ApiClient;
let viewer: ApiClient;
const ids: Record<string, string> = {};
const tokens = new FormTokens(testEnv.encryptionKey);
const linkOf = (id: string, expiresAt: Date) => `/v1/forms/${tokens.sign(id, expiresAt)}`;
const anonymous = () => httpClient(suite.h.url);

beforeAll(async () => {
  host = await endedRun(suite.api, suite.h.prisma);
  other = httpClient(suite.h.url, await suite.h.key('globex'));
  viewer = httpClient(suite.h.url, await suite.h.key('acme', 'viewer'));
  const hour = Date.now() + 3_600_000;
  const add = async (name: string, over: Parameters<typeof openedApproval>[1], state: Parameters<typeof insertApproval>[2] = {}) => {
    const a = openedApproval(host, { requestedAt: new Date(Date.now() + Object.keys(ids).length).toISOString(), expiresAt: new Date(hour).toISOString(), ...over });
    ids[name] = (await insertApproval(suite.h.prisma, a, state)).id;
  };
  await add('pending', { nodeId: 'review' });
  await add('item0', { nodeId: 'each', iterationIndex: 0 });
  await add('item1', { nodeId: 'each', iterationIndex: 1 });
  await add('decided', { nodeId: 'done' }, { status: 'decided', action: 'approve', values: { reason: 'ok' }, actor: { kind: 'api-key', id: 'key_1', role: 'admin' }, comment: null, decidedAt: new Date() });
  await add('expired', { nodeId: 'old' }, { status: 'expired' });
  await add('lapsed', { nodeId: 'lapsed', expiresAt: new Date(Date.now() - 1000).toISOString() });
});

describe('approvals API', () => {
  it('lists approvals of the tenant with filters and pagination, in the contract shape', async () => {
    const all = await suite.api('GET', `/v1/approvals?limit=100&runId=${host.runId}`);
    expect(all.status).toBe(200);
    expect(all.body.pagination).toMatchObject({ total: 6 });
    const pending = await suite.api('GET', `/v1/approvals?status=pending&runId=${host.runId}&workflowId=${host.workflowId}&sort=requested_at`);
    expect(pending.body.data.map((a: any) => a.id)).toEqual([ids.pending, ids.item0, ids.item1, ids.lapsed]);
    expect(pending.body.data[1]).toEqual({
      id: ids.item0, runId: host.runId, workflowId: host.workflowId, nodeId: 'each', nodeKey: expect.any(String), iterationIndex: 0,
      prompt: expect.any(String), fields: expect.any(Object), actions: [{ id: 'approve', label: 'Approve' }, { id: 'reject', label: 'Reject' }],
      status: 'pending', requestedAt: expect.any(String), expiresAt: expect.any(String),
    });
    const page = await suite.api('GET', '/v1/approvals?status=pending&limit=1&page=2&sort=requested_at');
    expect([page.body.data[0].id, page.body.pagination.has_next, page.body.pagination.has_prev]).toEqual([ids.item0, true, true]);
    const decided = await suite.api('GET', `/v1/approvals/${ids.decided}`);
    expect(decided.body.data).toMatchObject({ status: 'decided', action: 'approve', values: { reason: 'ok' }, actor: { kind: 'api-key', id: 'key_1', role: 'admin' }, comment: null, decidedAt: expect.any(String) });
    expect((await other('GET', '/v1/approvals')).body.pagination.total).toBe(0);
    expect((await suite.api('GET', '/v1/approvals?status=open')).status).toBe(400);
  });

  it('answers 404 for another tenant or no such approval, 403 for a viewer, 400 for a bad body', async () => {
    for (const [client, method, path] of [[other, 'GET', `/v1/approvals/${ids.pending}`], [other, 'POST', `/v1/approvals/${ids.pending}`], [suite.api, 'POST', '/v1/approvals/apr_nope']] as const) {
      const r = await client(method, path, method === 'POST' ? { action: 'approve' } : undefined);
      expect([path, r.status, r.body.code]).toEqual([path, 404, 'approval_not_found']);
    }
    expect(await viewer('POST', `/v1/approvals/${ids.pending}`, { action: 'approve' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    for (const bad of [{}, { action: '' }, { action: 'approve', extra: 1 }, { action: 'approve', comment: 'x'.repeat(10_001) }, { action: 'approve', values: [] }, { action: 'approve', values: { reason: 'x'.repeat(300_000) } }]) {
      // (the last: more than a decision may carry in one Update, refused before Temporal is asked)
      const r = await suite.api('POST', `/v1/approvals/${ids.pending}`, bad);
      expect([bad.action, r.status, r.body.code]).toEqual([bad.action, 400, 'malformed_request']);
    }
  });

  it('answers 409 approval_closed with the status for a decided or expired approval, and for a run that has ended', async () => {
    for (const [name, status] of [['decided', 'decided'], ['expired', 'expired'], ['pending', 'cancelled']] as const) {
      const r = await suite.api('POST', `/v1/approvals/${ids[name]}`, { action: 'approve', values: { reason: 'x' } });
      expect([name, r.status, r.body.code, r.body.details]).toEqual([name, 409, 'approval_closed', { status }]);
    }
  });

  it('decides by node: 404 for a run of another tenant or a node without approvals, 409 closed or ambiguous with the candidates', async () => {
    const at = (node: string, client = suite.api, runId = host.runId) => client('POST', `/v1/runs/${runId}/approvals/${node}`, { action: 'approve' });
    expect((await at('review', other)).body.code).toBe('run_not_found');
    expect(await at('nowhere')).toMatchObject({ status: 404, body: { code: 'approval_not_found' } });
    expect(await at('done')).toMatchObject({ status: 409, body: { code: 'approval_closed', details: { status: 'decided' } } });
    const ambiguous = await at('each');
    expect(ambiguous).toMatchObject({ status: 409, body: { code: 'approval_ambiguous' } });
    expect(ambiguous.body.details.candidates).toEqual([
      { id: ids.item0, nodeKey: expect.stringMatching(/^each\[0\]/), iterationIndex: 0 },
      { id: ids.item1, nodeKey: expect.stringMatching(/^each\[1\]/), iterationIndex: 1 },
    ]);
    // One open approval at the node: the decision goes to the run, whose workflow has ended.
    expect(await at('review')).toMatchObject({ status: 409, body: { code: 'approval_closed', details: { status: 'cancelled' } } });
    // A loop's thousand decided passes do not hide the open ones behind them.
    const pass = (loopIndex: number) => openedApproval(host, { nodeId: 'loop', loopIndex, nodeKey: `loop[loop=${loopIndex}]` });
    const closed = Array.from({ length: 1000 }, (_, i) => pass(i));
    await suite.h.prisma.approval.createMany({
      data: closed.map((a) => ({ id: a.approvalId, tenantId: a.tenantId, runId: a.runId, workflowId: a.workflowId, nodeId: a.nodeId, nodeKey: a.nodeKey, loopIndex: a.loopIndex!, prompt: a.prompt, fields: a.fields as unknown as Prisma.InputJsonValue, actions: a.actions as unknown as Prisma.InputJsonValue, requestedAt: new Date(a.requestedAt), expiresAt: new Date(a.expiresAt), status: 'decided' })),
    });
    const open = [await insertApproval(suite.h.prisma, pass(1000)), await insertApproval(suite.h.prisma, pass(1001))];
    expect(await at('loop')).toMatchObject({ status: 409, body: { code: 'approval_ambiguous', details: { candidates: open.map((r) => ({ id: r.id, loopIndex: r.loopIndex })) } } });
  });

  it('serves the form of a signed link without an API key, and nothing about the tenant', async () => {
    const row = await suite.h.prisma.approval.findUniqueOrThrow({ where: { id: ids.pending } });
    const r = await anonymous()('GET', linkOf(row.id, row.expiresAt));
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ prompt: row.prompt, fields: row.fields, actions: row.actions, requestedAt: row.requestedAt.toISOString(), expiresAt: row.expiresAt.toISOString() });
    // The key check does not come first for form links; other /v1 paths still need a key.
    expect((await anonymous()('GET', '/v1/approvals')).status).toBe(401);
  });

  it('refuses forged, tampered and rebound links (404), and used or expired ones (410)', async () => {
    const row = await suite.h.prisma.approval.findUniqueOrThrow({ where: { id: ids.pending } });
    const good = linkOf(row.id, row.expiresAt);
    const forged = `/v1/forms/${new FormTokens('f'.repeat(64)).sign(row.id, row.expiresAt)}`;
    const tampered = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA');
    // A valid signature for this approval with another expiry than the approval's: not its link.
    const rebound = linkOf(row.id, new Date(row.expiresAt.getTime() + 1000));
    for (const path of [forged, tampered, rebound, '/v1/forms/f1.x.y.z', `/v1/forms/${'a'.repeat(700)}`, linkOf('apr_gone', row.expiresAt)]) {
      for (const method of ['GET', 'POST'] as const) {
        const r = await anonymous()(method, path, method === 'POST' ? { action: 'approve' } : undefined);
        expect([path.slice(0, 40), method, r.status, r.body.code]).toEqual([path.slice(0, 40), method, 404, 'form_link_invalid']);
      }
    }
    expect((await anonymous()('GET', '/v1/forms/' + 'a'.repeat(701))).status).toBe(400);
    const decided = await suite.h.prisma.approval.findUniqueOrThrow({ where: { id: ids.decided } });
    const lapsed = await suite.h.prisma.approval.findUniqueOrThrow({ where: { id: ids.lapsed } });
    for (const [path, status] of [[linkOf(decided.id, decided.expiresAt), 'decided'], [linkOf(lapsed.id, lapsed.expiresAt), 'expired']] as const) {
      for (const method of ['GET', 'POST'] as const) {
        const r = await anonymous()(method, path, method === 'POST' ? { action: 'approve' } : undefined);
        expect([status, method, r.status, r.body.code, r.body.details]).toEqual([status, method, 410, 'form_link_gone', { status }]);
      }
    }
    // A pending approval of a run that has ended: the link is used up.
    expect(await anonymous()('POST', good, { action: 'approve', values: { reason: 'x' } })).toMatchObject({ status: 410, body: { code: 'form_link_gone' } });
    expect(await anonymous()('POST', good, { action: 'approve', nope: 1 })).toMatchObject({ status: 400, body: { code: 'malformed_request' } });
  });
});

let target: HttpTarget;
let smtp: SmtpTarget;
let noticeHost: { runId: string; workflowId: string; tenantId: string };
const SECRET = 'whsec_acme_0123456789';
const logger = createLogger({ service: 'test', silent: true });

function activity(options: Partial<ApprovalNoticeOptions> = {}) {
  return createApprovalNoticeActivities({
    prisma: suite.h.prisma,
    logger,
    secrets: new SecretsStore(suite.h.prisma, new SecretCipher(testEnv.encryptionKey)),
    encryptionKey: testEnv.encryptionKey,
    options: {
      publicUrl: suite.h.url,
      allowlist: parseHttpAllowlist([`127.0.0.1:${target.port}`]),
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'weft@example.test' },
      ...options,
    },
  }).deliverApprovalNotice;
}

async function opened(over: Partial<OpenedApproval>): Promise<OpenedApproval> {
  const a = openedApproval(noticeHost, over);
  await insertApproval(suite.h.prisma, a);
  return a;
}

const delivery = async (id: string) => (await suite.h.prisma.approval.findUniqueOrThrow({ where: { id } })).delivery as Record<string, any>;
const failureOf = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err as ApplicationFailure);

describe('approval notices', () => {
  beforeAll(async () => {
    [target, smtp] = await Promise.all([startHttpTarget(), startSmtpTarget()]);
    noticeHost = await runRecord(suite.h.prisma, (await suite.h.prisma.tenant.findUniqueOrThrow({ where: { name: 'acme' } })).id);
    expect((await suite.api('PUT', '/v1/secrets/APPROVAL_WEBHOOK_SECRET', { value: SECRET })).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all([target.close(), smtp.close()]);
  });

  it('sends a signed webhook and an email, each with a form link the API opens', async () => {
    const a = await opened({ notify: { webhook: target.url('/echo'), email: ['ops@example.test', 'lead@example.test'] } });
    await expect(activity()({ approval: a })).resolves.toEqual({ webhook: 'sent', email: 'sent' });

    const hook = target.seen.at(-1)!;
    expect(hook.method).toBe('POST');
    expect(verifyWebhookSignature(SECRET, hook.headers['weft-signature'] as string, hook.body)).toEqual({ ok: true });
    expect(verifyWebhookSignature('another tenant', hook.headers['weft-signature'] as string, hook.body)).toMatchObject({ ok: false });
    const payload = JSON.parse(hook.body);
    expect(payload).toMatchObject({ type: 'approval.requested', approvalId: a.approvalId, runId: a.runId, workflowId: a.workflowId, nodeId: 'review', prompt: a.prompt, fields: a.fields, actions: a.actions, expiresAt: a.expiresAt });
    expect(payload).not.toHaveProperty('tenantId');
    expect(payload.formUrl).toMatch(new RegExp(`^${suite.h.url}/v1/forms/f1\\.`));
    // The page for people: the console's, with the same token.
    expect(payload.pageUrl).toBe(payload.formUrl.replace('/v1/forms/', '/console/forms/'));

    const mail = smtp.received.at(-1)!;
    expect(mail.to.sort()).toEqual(['lead@example.test', 'ops@example.test']);
    expect(mail.from).toBe('weft@example.test');
    const flat = mail.raw.replace(/=\r?\n/g, '');
    expect(flat).toContain(payload.pageUrl);
    expect(flat).toContain('&lt;script&gt;'); // the prompt is escaped in the HTML part
    expect(await delivery(a.approvalId)).toMatchObject({ webhook: 'sent', email: 'sent' });

    // The link in the notice is the form: no API key needed, nothing about the tenant in it.
    const form = await httpClient(suite.h.url)('GET', new URL(payload.formUrl).pathname);
    expect(form.status).toBe(200);
    expect(form.body.data).toEqual({ prompt: a.prompt, fields: a.fields, actions: a.actions, requestedAt: a.requestedAt, expiresAt: a.expiresAt });
    expect(new FormTokens(testEnv.encryptionKey).verify(new URL(payload.formUrl).pathname.split('/').pop()!)).toMatchObject({ ok: true, claims: { approvalId: a.approvalId } });
  });

  it('skips email without SMTP settings and webhooks without the tenant signing secret, saying why', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const a = await opened({ notify: { email: ['ops@example.test'] } });
    const mails = smtp.received.length;
    await expect(activity({ smtp: undefined })({ approval: a })).resolves.toEqual({ email: 'skipped' });
    expect(smtp.received.length).toBe(mails);
    expect(await delivery(a.approvalId)).toMatchObject({ email: 'skipped', reasons: { email: expect.stringContaining('WEFT_SMTP_HOST') } });
    expect(warn).toHaveBeenCalledWith('approval notice skipped', expect.objectContaining({ approvalId: a.approvalId, channel: 'email' }));

    const other = await suite.h.key('globex');
    const globexHost = { ...noticeHost, tenantId: (await suite.h.prisma.apiKey.findFirstOrThrow({ where: { prefix: other.slice(0, 7) } })).tenantId };
    const hooks = target.seen.length;
    const b = openedApproval(globexHost, { notify: { webhook: target.url('/echo') } });
    await insertApproval(suite.h.prisma, { ...b, runId: noticeHost.runId });
    await expect(activity()({ approval: b })).resolves.toEqual({ webhook: 'skipped' });
    expect(target.seen.length).toBe(hooks);
    warn.mockRestore();
  });

  it('refuses a webhook to an address outside the allowlist for good, before connecting; the email still goes, once', async () => {
    const port = await closedPort();
    const a = await opened({ notify: { webhook: `http://127.0.0.1:${port}/hook`, email: ['ops@example.test'] } });
    const mails = smtp.received.length;
    const err = await failureOf(activity()({ approval: a }));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect([err!.type, err!.nonRetryable]).toEqual(['http_address_refused', true]);
    expect(await delivery(a.approvalId)).toMatchObject({ webhook: 'failed', email: 'sent', errors: { webhook: { code: 'http_address_refused', retryable: false } } });
    // Temporal would not retry it; if anything calls again, neither channel is sent twice.
    await expect(failureOf(activity()({ approval: a }))).resolves.toBeUndefined();
    expect(smtp.received.length).toBe(mails + 1);
  });

  it('fails retryably on a 5xx, and the retry sends only what did not go out', async () => {
    const a = await opened({ notify: { webhook: target.url(`/flaky/${Date.now()}?fail=1`), email: ['ops@example.test'] } });
    const mails = smtp.received.length;
    const err = await failureOf(activity()({ approval: a }));
    expect([err?.type, err?.nonRetryable]).toEqual(['http_status_503', false]);
    expect(await delivery(a.approvalId)).toMatchObject({ webhook: 'failed', email: 'sent', errors: { webhook: { retryable: true } } });
    await expect(activity()({ approval: a })).resolves.toEqual({ webhook: 'sent', email: 'sent' });
    expect(smtp.received.length).toBe(mails + 1);
    expect((await delivery(a.approvalId)).errors?.webhook).toBeUndefined();
  });

  it('tells a refused recipient (for good) from a mail server that says later (retry)', async () => {
    const rejected = await opened({ notify: { email: ['nobody@reject.test'] } });
    const err = await failureOf(activity()({ approval: rejected }));
    expect([err?.type, err?.nonRetryable]).toEqual(['approval_email_rejected', true]);
    const later = await opened({ notify: { email: ['ops@later.test'] } });
    const again = await failureOf(activity()({ approval: later }));
    expect([again?.type, again?.nonRetryable]).toEqual(['approval_email_failed', false]);
    const down = await opened({ notify: { email: ['ops@example.test'] } });
    const closed = await failureOf(activity({ smtp: { host: '127.0.0.1', port: await closedPort(), secure: false, from: 'weft@example.test' } })({ approval: down }));
    expect([closed?.type, closed?.nonRetryable]).toEqual(['approval_email_failed', false]);
  });

  it('sends nothing for an approval decided before the notice went out', async () => {
    const a = await opened({ notify: { webhook: target.url('/echo'), email: ['ops@example.test'] } });
    await suite.h.prisma.approval.update({ where: { id: a.approvalId }, data: { status: 'decided' } });
    const [hooks, mails] = [target.seen.length, smtp.received.length];
    await expect(activity()({ approval: a })).resolves.toEqual({ webhook: 'skipped', email: 'skipped' });
    expect([target.seen.length, smtp.received.length]).toEqual([hooks, mails]);
  });
});
