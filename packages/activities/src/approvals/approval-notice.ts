import { Context } from '@temporalio/activity';
import type { ApprovalActivities, ApprovalNoticeResult, NoticeDelivery, OpenedApproval } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import { EMPTY_ALLOWLIST, type HttpAllowlist } from '../http/http-allowlist';
import type { Resolver } from '../http/ssrf.guard';
import type { Logger } from '../observability/logger';
import type { Prisma, PrismaClient } from '../persistence/prisma-client';
import type { SecretsStore } from '../secrets/secrets.store';
import { approvalEmail, createEmailSender, type SmtpSettings } from './approval-email';
import { createWebhookSender } from './approval-webhook';
import { FormTokens, formPageUrl, formUrl } from './form-token';
import { WEBHOOK_SECRET_NAME } from './webhook-signature';

/** Deployment settings of approval notices (worker config). */
export interface ApprovalNoticeOptions {
  /** where form links point (WEFT_PUBLIC_URL) */
  publicUrl: string;
  /** WEFT_HTTP_ALLOWLIST: webhooks go through the http-request node's SSRF guard with its exemptions */
  allowlist?: HttpAllowlist;
  /** absent: email notices are skipped (logged, `delivery.email = "skipped"`) */
  smtp?: SmtpSettings;
  webhookTimeoutMs?: number;
  resolve?: Resolver;
}

export interface ApprovalNoticeDeps {
  prisma: PrismaClient;
  logger: Logger;
  secrets: SecretsStore;
  /** WEFT_ENCRYPTION_KEY: form links are signed with a key derived from it */
  encryptionKey: string;
  options: ApprovalNoticeOptions;
}

type Channel = 'webhook' | 'email';

/**
 * `approvals.delivery`: per channel sent / failed / skipped, with the failure (code, plain message,
 * whether another attempt may help) or the reason for a skip. A retried attempt reads it back and
 * sends only what has not gone out yet, so a retry for the webhook does not mail people twice.
 */
interface DeliveryRecord extends Partial<Record<Channel, NoticeDelivery>> {
  errors?: Partial<Record<Channel, { code: string; message: string; retryable: boolean }>>;
  reasons?: Partial<Record<Channel, string>>;
  updatedAt?: string;
}

const asRecord = (value: unknown): DeliveryRecord => (value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as DeliveryRecord) } : {});

function cancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // called directly (tests), not as an activity
  }
}

/** A form link two ways: the API's (`formUrl`, for programs) and the console's page (`pageUrl`, for people). */
export interface FormLinks {
  api: string;
  page: string;
}

/** What the receiver of a webhook gets: the form as the API serves it, where it belongs, and its links. */
export function webhookPayload(approval: OpenedApproval, link: FormLinks) {
  return {
    type: 'approval.requested',
    approvalId: approval.approvalId,
    runId: approval.runId,
    workflowId: approval.workflowId,
    nodeId: approval.nodeId,
    nodeKey: approval.nodeKey,
    ...(approval.iterationIndex !== undefined ? { iterationIndex: approval.iterationIndex } : {}),
    ...(approval.loopIndex !== undefined ? { loopIndex: approval.loopIndex } : {}),
    prompt: approval.prompt,
    fields: approval.fields,
    actions: approval.actions,
    requestedAt: approval.requestedAt,
    expiresAt: approval.expiresAt,
    formUrl: link.api,
    pageUrl: link.page,
  };
}

/**
 * The notices sent when an approval opens: an HMAC-signed webhook and an email, each with the
 * approval's signed form link. Failures land in `approvals.delivery`; one another attempt may fix
 * (a timeout, a 5xx, a 4xx SMTP answer) fails the activity as retryable, so its retry policy sends
 * again; a permanent one (a refused address, a 4xx from the receiver) fails it as non-retryable.
 * The workflow never lets either fail the node.
 */
export function createApprovalNoticeActivities(deps: ApprovalNoticeDeps): Pick<ApprovalActivities, 'deliverApprovalNotice'> {
  const { prisma, logger, options } = deps;
  const forms = new FormTokens(deps.encryptionKey);
  const webhooks = createWebhookSender({
    allowlist: options.allowlist ?? EMPTY_ALLOWLIST,
    ...(options.webhookTimeoutMs !== undefined ? { timeoutMs: options.webhookTimeoutMs } : {}),
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const mail = options.smtp ? createEmailSender(options.smtp) : undefined;

  /** The tenant's signing secret, or undefined when it has none. */
  async function webhookSecret(tenantId: string): Promise<string | undefined> {
    try {
      return (await deps.secrets.resolveIn(tenantId, `{{ secrets.${WEBHOOK_SECRET_NAME} }}`)).value;
    } catch (err) {
      if (err instanceof NodeFailure && err.code === 'secret_not_found') return undefined;
      throw err;
    }
  }

  async function send(channel: Channel, approval: OpenedApproval, link: FormLinks, record: DeliveryRecord): Promise<void> {
    const skip = (reason: string) => {
      record[channel] = 'skipped';
      (record.reasons ??= {})[channel] = reason;
      logger.warn('approval notice skipped', { approvalId: approval.approvalId, channel, reason });
    };
    if (channel === 'webhook') {
      const secret = await webhookSecret(approval.tenantId);
      if (secret === undefined) return skip(`the tenant has no secret ${WEBHOOK_SECRET_NAME} to sign webhooks with`);
      const body = JSON.stringify(webhookPayload(approval, link));
      await webhooks.send({ url: approval.notify!.webhook!, body, secret, deliveryId: approval.approvalId }, cancellation());
    } else {
      if (!mail) return skip('no mail server is configured (WEFT_SMTP_HOST)');
      await mail.send(approval.notify!.email!, approvalEmail(approval, link.page));
    }
    record[channel] = 'sent';
    delete record.errors?.[channel];
  }

  return {
    async deliverApprovalNotice({ approval }): Promise<ApprovalNoticeResult> {
      const channels = [...(approval.notify?.webhook ? ['webhook' as const] : []), ...(approval.notify?.email?.length ? ['email' as const] : [])];
      if (!channels.length) return {};
      const row = await prisma.approval.findFirst({ where: { id: approval.approvalId, tenantId: approval.tenantId }, select: { status: true, delivery: true } });
      if (!row) {
        logger.warn('approval record is gone; no notice is sent', { approvalId: approval.approvalId });
        return {};
      }
      const record = asRecord(row.delivery);
      const token = forms.sign(approval.approvalId, approval.expiresAt);
      // People open the console's page (the email); programs get the API's link too (the webhook).
      const link: FormLinks = { api: formUrl(options.publicUrl, token), page: formPageUrl(options.publicUrl, token) };
      const failures: NodeFailure[] = [];
      for (const channel of channels) {
        const done = record[channel];
        if (done === 'sent' || done === 'skipped' || (done === 'failed' && !record.errors?.[channel]?.retryable)) continue;
        // Decided or expired while the notice waited for a retry: its link would only answer 410.
        if (row.status !== 'pending') {
          record[channel] = 'skipped';
          (record.reasons ??= {})[channel] = `the approval is ${row.status}`;
          continue;
        }
        try {
          await send(channel, approval, link, record);
        } catch (err) {
          const failure = err instanceof NodeFailure ? err : new NodeFailure('internal_error', { what: `the ${channel} notice`, ref: approval.approvalId }, { cause: err });
          record[channel] = 'failed';
          (record.errors ??= {})[channel] = { code: failure.code, message: failure.message, retryable: failure.retryable };
          failures.push(failure);
          logger.warn('approval notice failed', { approvalId: approval.approvalId, channel, code: failure.code, cause: String((err as Error)?.message ?? err) });
        }
      }
      record.updatedAt = new Date().toISOString();
      await prisma.approval.updateMany({ where: { id: approval.approvalId }, data: { delivery: record as Prisma.InputJsonValue } });
      const failure = failures.find((f) => f.retryable) ?? failures[0];
      if (failure) throw failure.toApplicationFailure();
      return Object.fromEntries(channels.map((c) => [c, record[c]])) as ApprovalNoticeResult;
    },
  };
}
