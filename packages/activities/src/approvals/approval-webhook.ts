import { Agent, buildConnector, request } from 'undici';
import { httpStatusCode } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import { describeUrl, parseHttpUrl } from '../http/http-request.builder';
import { AddressRefusedError, guardedConnector, SsrfGuard, type Resolver } from '../http/ssrf.guard';
import type { HttpAllowlist } from '../http/http-allowlist';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature';

export interface WebhookSenderOptions {
  /** WEFT_HTTP_ALLOWLIST: the same exemptions as the http-request node, nothing more */
  allowlist: HttpAllowlist;
  /** a bounded wait for the receiver's answer; default 10 s */
  timeoutMs?: number;
  resolve?: Resolver;
  openSocket?: ReturnType<typeof buildConnector>;
}

export interface WebhookNotice {
  url: string;
  /** the JSON body, already serialised: the signature is over these exact bytes */
  body: string;
  secret: string;
  /** the approval id: the receiver's idempotency key (a retried notice carries the same one) */
  deliveryId: string;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/**
 * Posts approval notices through the SSRF guard of the http-request node: the address each
 * connection opens to is checked (DNS answers included), redirects are not followed (a 3xx is a
 * refusal like a 4xx), the answer's body is discarded. Failures are NodeFailures with catalogue
 * codes, so the activity's retry policy knows which are worth another attempt.
 */
export function createWebhookSender(options: WebhookSenderOptions) {
  const guard = new SsrfGuard(options.allowlist, options.resolve);
  const agent = new Agent({ connect: guardedConnector(guard, options.openSocket ?? buildConnector({})) });
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function send(notice: WebhookNotice, cancel?: AbortSignal): Promise<{ status: number }> {
    const url = parseHttpUrl(notice.url);
    const target = describeUrl(url);
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = cancel ? AbortSignal.any([cancel, deadline]) : deadline;
    try {
      // IP literals and localhost names are refused here, before anything is queued.
      guard.precheck(url.hostname, Number(url.port) || (url.protocol === 'https:' ? 443 : 80));
      const res = await request(url, {
        method: 'POST',
        dispatcher: agent,
        signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'weft-notice/1',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(notice.secret, notice.body),
          'weft-event': 'approval.requested',
          'weft-delivery': notice.deliveryId,
        },
        body: notice.body,
      });
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode };
      if (res.statusCode === 429 || res.statusCode >= 500) throw new NodeFailure(httpStatusCode(res.statusCode), { status: res.statusCode, target });
      throw new NodeFailure('approval_notice_rejected', { target, status: res.statusCode });
    } catch (err) {
      if (err instanceof NodeFailure) throw err;
      const refused = err instanceof AddressRefusedError ? err : (err as { cause?: unknown })?.cause;
      if (refused instanceof AddressRefusedError) throw new NodeFailure(refused.code, refused.message, { details: { kind: refused.classification.kind } });
      if (deadline.aborted) throw new NodeFailure('http_timeout', { target, budget: timeoutMs });
      if (cancel?.aborted) throw new NodeFailure('http_aborted', { target });
      const code = errorCode(err);
      if (code === 'ENOTFOUND') throw new NodeFailure('http_host_not_found', { host: url.hostname }, { cause: err });
      if (code && /^(ERR_TLS_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code)) throw new NodeFailure('http_tls_failed', { target, code }, { cause: err });
      if (code?.startsWith('UND_ERR_') && /TIMEOUT/.test(code)) throw new NodeFailure('http_timeout', { target, budget: timeoutMs }, { cause: err });
      // Unknown failures get another attempt; the message stays plain (the cause goes to the log).
      throw new NodeFailure('http_connection_failed', { target, code: code && TRANSIENT_CODES.has(code) ? code : 'connection error' }, { cause: err });
    }
  }

  return { send, close: () => agent.close() };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
