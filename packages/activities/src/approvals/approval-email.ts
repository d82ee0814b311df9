import nodemailer from 'nodemailer';
import type { OpenedApproval } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';

/** The deployment's mail server (worker settings WEFT_SMTP_*). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it */
  secure: boolean;
  user?: string;
  pass?: string;
  /** the From address of every notice */
  from: string;
  /** connection, greeting and idle limits; default 10 s */
  timeoutMs?: number;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Subject, plain text and HTML of a notice: the prompt as written (escaped in HTML), the link and when it expires. */
export function approvalEmail(approval: OpenedApproval, formUrl: string): { subject: string; text: string; html: string } {
  const expires = new Date(approval.expiresAt).toUTCString();
  const actions = approval.actions.map((a) => a.label).join(', ');
  const text = [approval.prompt, '', `Decide (${actions}): ${formUrl}`, `The link works once and expires ${expires}.`, '', `Run ${approval.runId}, node ${approval.nodeKey}`].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<div style="white-space:pre-wrap;font-family:sans-serif">${escapeHtml(approval.prompt)}</div>`,
    `<p><a href="${escapeHtml(formUrl)}">Decide</a> (${escapeHtml(actions)})</p>`,
    `<p style="color:#666;font-size:small">The link works once and expires ${escapeHtml(expires)}. Run ${escapeHtml(approval.runId)}, node ${escapeHtml(approval.nodeKey)}.</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: `Approval requested: ${approval.nodeKey}`.slice(0, 200), text, html };
}

/**
 * Sends notices through one SMTP transport per worker (nodemailer). A failure is a NodeFailure:
 * a permanent SMTP answer (5xx but 503, bad credentials, bad settings) is approval_email_rejected,
 * anything else (connection, timeout, 4xx) approval_email_failed, which the activity retries.
 */
export function createEmailSender(settings: SmtpSettings) {
  const timeout = settings.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.pass ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });

  async function send(to: readonly string[], message: { subject: string; text: string; html: string }): Promise<{ accepted: number }> {
    try {
      const info = await transport.sendMail({ from: settings.from, to: [...to], ...message });
      return { accepted: Array.isArray(info.accepted) ? info.accepted.length : to.length };
    } catch (err) {
      const e = err as { code?: string; responseCode?: number; permanent?: boolean };
      const reason = e.responseCode ? `SMTP ${e.responseCode}` : (e.code ?? 'unknown error');
      if (e.permanent === true || e.code === 'EAUTH' || e.code === 'ECONFIG') {
        throw new NodeFailure('approval_email_rejected', { reason }, { cause: err });
      }
      throw new NodeFailure('approval_email_failed', { reason }, { cause: err });
    }
  }

  return { send, close: () => transport.close() };
}

export type EmailSender = ReturnType<typeof createEmailSender>;
