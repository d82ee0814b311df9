import type { Request } from 'express';
import { REDACTED, isSensitiveKey, redactText, type Prisma, type PrismaClient } from '@weft/activities';
import { measureValue } from '@weft/domain';

/** Who made a change: an account, an API key, a signed form link, or the platform itself. */
export interface AuditActor {
  type: 'account' | 'api_key' | 'form_link' | 'system';
  id?: string;
}

/** One change or decision, as the audit log keeps it. */
export interface AuditRecord {
  tenantId: string;
  actor: AuditActor;
  /** `<object type>.<verb>`: workflow.create, api_key.revoke, approval.decide, … */
  action: string;
  objectType: string;
  objectId?: string;
  requestId?: string;
  /** the object before and after, WITHOUT secret values (no key, password, token, secret or provider key) */
  before?: Prisma.InputJsonValue;
  after?: Prisma.InputJsonValue;
}

/** Who changes something, in which workspace and request: what a service needs to record the change. */
export interface AuditContext {
  tenantId: string;
  actor: AuditActor;
  requestId?: string;
}

type Db = PrismaClient | Prisma.TransactionClient;

/** Keys blanked in before/after besides those the log redaction treats as credentials (isSensitiveKey). */
const VALUE_KEYS = new Set(['value', 'plaintext', 'ciphertext']);
/** before/after are summaries (ids, names, versions, counts): nesting or size past these is a mistake of the caller. */
const SUMMARY_LIMITS = { maxDepth: 8, maxBytes: 64 * 1024 };

/**
 * What is stored of a before/after: a JSON copy in which every key named like a credential
 * (log-redaction.ts: apiKey, password, token, secret, authorization, …, and `value`) is blanked,
 * and every credential-looking text (an `sk-…` key, a bearer value, a JWT, a form token) is
 * redacted. A summary nested deeper or larger than a summary should be is replaced by a note of
 * what was left out, never stored whole; the change it describes is recorded all the same.
 */
export function auditSafe(value: Prisma.InputJsonValue): Prisma.InputJsonValue {
  const json = JSON.parse(JSON.stringify(value)) as unknown;
  const { problem } = measureValue(json, SUMMARY_LIMITS);
  if (problem) return { omitted: problem.code };
  return scrub(json) as Prisma.InputJsonValue;
}

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, item !== null && (isSensitiveKey(key) || VALUE_KEYS.has(key.toLowerCase())) ? REDACTED : scrub(item)]),
  );
}

/**
 * The audit log (table audit_log, append-only by trigger): every change to workflows, versions,
 * keys, members, invitations, secrets, providers and quotas, and every approval decision. Record
 * inside the transaction of the change where there is one, so a change is never kept without its
 * entry; a change made by a Temporal call (an approval decision, run control) is recorded once the
 * call has succeeded. before/after go through `auditSafe`.
 */
export class AuditLog {
  constructor(private readonly prisma: PrismaClient) {}

  async record(entry: AuditRecord, db: Db = this.prisma): Promise<void> {
    await db.auditEntry.create({
      data: {
        tenantId: entry.tenantId,
        actorType: entry.actor.type,
        actorId: entry.actor.id ?? null,
        action: entry.action,
        objectType: entry.objectType,
        objectId: entry.objectId ?? null,
        requestId: entry.requestId ?? null,
        ...(entry.before !== undefined ? { before: auditSafe(entry.before) } : {}),
        ...(entry.after !== undefined ? { after: auditSafe(entry.after) } : {}),
      },
    });
  }

  /**
   * Makes a change and records its entry in one transaction: `change` works with `tx` and returns
   * its result and the entry (undefined when it changed nothing).
   */
  async change<T>(change: (tx: Prisma.TransactionClient) => Promise<{ result: T; entry?: AuditRecord }>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      const { result, entry } = await change(tx);
      if (entry) await this.record(entry, tx);
      return result;
    });
  }
}

/** The actor and request of an authenticated request, for an audit entry. */
export function auditContext(req: Request): AuditContext {
  return { tenantId: req.auth.tenantId, actor: { type: req.auth.principal.type, id: req.auth.principal.id }, requestId: String(req.id) };
}

