import type { Router } from 'express';
import type { Prisma, PrismaClient } from '@weft/activities';
import { sendList } from '../http/envelope';
import { pageWindow } from '../http/pagination';
import { READ_ERRORS, bindRoutes, defineRoutes, list } from '../http/route';
import { escapeLike } from '../workflows/workflows.service';
import { auditEntryDto, auditEntrySchema, listAuditQuery, type ListAuditQuery } from './audit.schemas';

export const auditRoutes = defineRoutes({
  list: {
    method: 'get',
    path: '/v1/audit',
    summary: 'Read the audit log: who changed what, when, in which request',
    note: 'newest first by default; `from` inclusive, `to` exclusive',
    request: { query: listAuditQuery },
    responses: { 200: list(auditEntrySchema, 'A page of audit entries of the workspace') },
    errors: [...READ_ERRORS, 403],
  },
});

/** The entries of one workspace that match the filters. */
export function auditWhere(tenantId: string, q: Omit<ListAuditQuery, 'page' | 'limit' | 'sort'>): Prisma.AuditEntryWhereInput {
  return {
    tenantId,
    // `workflow.` is every workflow action; escaped, `_` in a prefix is a character, not a wildcard.
    ...(q.action ? { action: q.action.endsWith('.') ? { startsWith: escapeLike(q.action) } : q.action } : {}),
    ...(q.objectType ? { objectType: q.objectType } : {}),
    ...(q.objectId ? { objectId: q.objectId } : {}),
    ...(q.actorType ? { actorType: q.actorType } : {}),
    ...(q.actorId ? { actorId: q.actorId } : {}),
    ...(q.from || q.to ? { createdAt: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } } : {}),
  };
}

/** GET /v1/audit: the append-only audit log of the caller's workspace (owners and admins). */
export function auditRouter(prisma: PrismaClient): Router {
  return bindRoutes(auditRoutes, {
    list: async (req, res, { query }) => {
      const { page, limit, sort, ...filters } = query;
      const { skip, take, orderBy } = pageWindow({ page, limit, sort });
      const where = auditWhere(req.auth.tenantId, filters);
      const [items, total] = await prisma.$transaction([
        // Entries of one millisecond keep the order they were written in.
        prisma.auditEntry.findMany({ where, skip, take, orderBy: [{ createdAt: orderBy.createdAt }, { id: orderBy.createdAt }] }),
        prisma.auditEntry.count({ where }),
      ]);
      sendList(req, res, items.map(auditEntryDto), { page, limit, total });
    },
  });
}
