import type { Request } from 'express';
import type { Prisma, PrismaClient } from '@weft/activities';

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

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * The audit log (table audit_log, append-only by trigger): every change to workflows, versions,
 * keys, members, invitations, secrets, providers and quotas, and every approval decision. Record
 * inside the transaction of the change where there is one, so a change is never kept without its
 * entry.
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
        ...(entry.before !== undefined ? { before: entry.before } : {}),
        ...(entry.after !== undefined ? { after: entry.after } : {}),
      },
    });
  }
}

/** The actor and request of an authenticated request, for an audit entry. */
export function auditContext(req: Request): { tenantId: string; actor: AuditActor; requestId: string } {
  return { tenantId: req.auth.tenantId, actor: { type: req.auth.principal.type, id: req.auth.principal.id }, requestId: String(req.id) };
}
