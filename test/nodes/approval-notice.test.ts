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
} from '@weft/activities';
import type { OpenedApproval } from '@weft/domain';
import { insertApproval, openedApproval, runRecord } from '../support/approval-rows';
import { httpClient, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';
import { closedPort, startHttpTarget, type HttpTarget } from '../support/http-target';
import { startSmtpTarget, type SmtpTarget } from '../support/smtp-target';
import { testEnv } from '../support/test-env';

// The notice activity against the real PostgreSQL (its delivery record), a local webhook receiver
// and a local mail server; the form link it sends is then opened through the real API.
let h: Harness;
let api: ApiClient;
let target: HttpTarget;
let smtp: SmtpTarget;
let host: { runId: string; workflowId: string; tenantId: string };
const SECRET = 'whsec_acme_0123456789';
const logger = createLogger({ service: 'test', silent: true });

beforeAll(async () => {
  [h, target, smtp] = await Promise.all([startHarness('notice'), startHttpTarget(), startSmtpTarget()]);
  await resetDatabase(h.prisma);
  api = httpClient(h.url, await h.key('acme'));
  host = await runRecord(h.prisma, (await h.prisma.tenant.findUniqueOrThrow({ where: { name: 'acme' } })).id);
  expect((await api('PUT', '/v1/secrets/APPROVAL_WEBHOOK_SECRET', { value: SECRET })).status).toBe(200);
});
afterAll(async () => {
  await Promise.all([h.close(), target.close(), smtp.close()]);
});

function activity(options: Partial<ApprovalNoticeOptions> = {}) {
  return createApprovalNoticeActivities({
    prisma: h.prisma,
    logger,
    secrets: new SecretsStore(h.prisma, new SecretCipher(testEnv.encryptionKey)),
    encryptionKey: testEnv.encryptionKey,
    options: {
      publicUrl: h.url,
      allowlist: parseHttpAllowlist([`127.0.0.1:${target.port}`]),
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'weft@example.test' },
      ...options,
    },
  }).deliverApprovalNotice;
}

async function opened(over: Partial<OpenedApproval>): Promise<OpenedApproval> {
  const a = openedApproval(host, over);
  await insertApproval(h.prisma, a);
  return a;
}

const delivery = async (id: string) => (await h.prisma.approval.findUniqueOrThrow({ where: { id } })).delivery as Record<string, any>;
const failureOf = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err as ApplicationFailure);

describe('approval notices', () => {
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
    expect(payload.formUrl).toMatch(new RegExp(`^${h.url}/v1/forms/f1\\.`));

    const mail = smtp.received.at(-1)!;
    expect(mail.to.sort()).toEqual(['lead@example.test', 'ops@example.test']);
    expect(mail.from).toBe('weft@example.test');
    const flat = mail.raw.replace(/=\r?\n/g, '');
    expect(flat).toContain(payload.formUrl);
    expect(flat).toContain('&lt;script&gt;'); // the prompt is escaped in the HTML part
    expect(await delivery(a.approvalId)).toMatchObject({ webhook: 'sent', email: 'sent' });

    // The link in the notice is the form: no API key needed, nothing about the tenant in it.
    const form = await httpClient(h.url)('GET', new URL(payload.formUrl).pathname);
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

    const other = await h.key('globex');
    const globexHost = { ...host, tenantId: (await h.prisma.apiKey.findFirstOrThrow({ where: { prefix: other.slice(0, 7) } })).tenantId };
    const hooks = target.seen.length;
    const b = openedApproval(globexHost, { notify: { webhook: target.url('/echo') } });
    await insertApproval(h.prisma, { ...b, runId: host.runId });
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
    await h.prisma.approval.update({ where: { id: a.approvalId }, data: { status: 'decided' } });
    const [hooks, mails] = [target.seen.length, smtp.received.length];
    await expect(activity()({ approval: a })).resolves.toEqual({ webhook: 'skipped', email: 'skipped' });
    expect([target.seen.length, smtp.received.length]).toEqual([hooks, mails]);
  });
});
