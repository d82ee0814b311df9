import { randomUUID } from 'node:crypto';
import { Prisma, type Knowledge, type KnowledgeRef, type PrismaClient, type VectorStore } from '@weft/activities';
import type { CreateKnowledgeRequest, EmbeddingSettings } from '@weft/domain';
import type { AuditContext, AuditLog } from '../audit/audit-log';
import { countsOf, NO_DOCUMENTS, type DocumentCounts } from './knowledge.dto';
import { knowledgeBusy, knowledgeNameTaken, knowledgeNotFound, providerNotFound } from './knowledge-api.errors';

/** Job statuses that are not over: a worker may be writing the job's documents, segments and vectors. */
export const ACTIVE_JOB_STATUSES = ['queued', 'running'] as const;

export const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`;

/**
 * What the vector store is told about a knowledge: its tenant and, for high-quality, the dimensions
 * of its vectors (set, or recorded by its first indexing; none yet: it has no dense vectors).
 */
export function vectorRefOf(k: Pick<Knowledge, 'id' | 'tenantId' | 'indexing' | 'embedding' | 'vectorDimensions'>): KnowledgeRef {
  const embedding = k.embedding as EmbeddingSettings | null;
  const dimensions = k.indexing === 'high-quality' ? (embedding?.dimensions ?? k.vectorDimensions) : null;
  return { tenantId: k.tenantId, knowledgeId: k.id, dimensions };
}

/** What the audit log keeps of a knowledge. */
const summaryOf = (k: Knowledge) => ({ name: k.name, indexing: k.indexing });

/** Knowledge bases of a tenant: create, read, delete (with their vectors). */
export class KnowledgeService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly vectors: VectorStore,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Creates a knowledge. A high-quality one names a model provider of the tenant (the first one
   * when it names none): the name is resolved now and stored, so it never changes under the
   * knowledge's vectors; a provider that does not exist is 422 embedding_provider_not_found.
   */
  async create(tenantId: string, body: CreateKnowledgeRequest, by: AuditContext): Promise<Knowledge> {
    let embedding: EmbeddingSettings | undefined;
    if (body.indexing === 'high-quality' && body.embedding) {
      const provider = await this.prisma.modelProvider.findFirst({
        where: { tenantId, ...(body.embedding.provider !== undefined ? { name: body.embedding.provider } : {}) },
        orderBy: { createdAt: 'asc' },
        select: { name: true },
      });
      if (!provider) throw providerNotFound(body.embedding.provider);
      embedding = { ...body.embedding, provider: provider.name };
    }
    try {
      return await this.prisma.$transaction(async (tx) => {
        const created = await tx.knowledge.create({
          data: {
            id: newId('kb'),
            tenantId,
            name: body.name,
            description: body.description ?? null,
            indexing: body.indexing,
            embedding: embedding ?? Prisma.DbNull,
            chunking: body.chunking,
          },
        });
        await this.audit.record({ ...by, action: 'knowledge.create', objectType: 'knowledge', objectId: created.id, after: summaryOf(created) }, tx);
        return created;
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw knowledgeNameTaken(body.name);
      throw err;
    }
  }

  async find(tenantId: string, id: string): Promise<Knowledge> {
    const found = await this.prisma.knowledge.findFirst({ where: { id, tenantId } });
    if (!found) throw knowledgeNotFound(id);
    return found;
  }

  async list(tenantId: string, window: { skip: number; take: number; order: 'asc' | 'desc' }, filters: { name?: string }) {
    const where = { tenantId, name: filters.name };
    const [items, total] = await Promise.all([
      this.prisma.knowledge.findMany({ where, skip: window.skip, take: window.take, orderBy: [{ createdAt: window.order }, { id: window.order }] }),
      this.prisma.knowledge.count({ where }),
    ]);
    return { items, total };
  }

  /** Documents by status, for each knowledge. */
  async documentCounts(tenantId: string, knowledgeIds: readonly string[]): Promise<Map<string, DocumentCounts>> {
    if (!knowledgeIds.length) return new Map();
    const rows = await this.prisma.knowledgeDocument.groupBy({ by: ['knowledgeId', 'status'], where: { tenantId, knowledgeId: { in: [...knowledgeIds] } }, _count: { _all: true } });
    const byKnowledge = new Map<string, { status: string; count: number }[]>();
    for (const r of rows) {
      const list = byKnowledge.get(r.knowledgeId) ?? [];
      list.push({ status: r.status, count: r._count._all });
      byKnowledge.set(r.knowledgeId, list);
    }
    return new Map(knowledgeIds.map((id) => [id, byKnowledge.has(id) ? countsOf(byKnowledge.get(id)!) : NO_DOCUMENTS]));
  }

  /**
   * Deletes a knowledge: its vectors first, then its rows (documents, segments and jobs go with
   * it). A vector store that is down is 503 and leaves everything in place, so asking again
   * finishes the job; the other order could leave vectors nobody can reach. Refused (409
   * knowledge_busy) while one of its jobs is queued or running: its worker would write on.
   */
  async delete(knowledge: Knowledge, by: AuditContext): Promise<void> {
    const active = await this.prisma.ingestionJob.findFirst({ where: { tenantId: knowledge.tenantId, knowledgeId: knowledge.id, status: { in: [...ACTIVE_JOB_STATUSES] } }, select: { id: true, status: true } });
    if (active) throw knowledgeBusy(knowledge.id, active.status, active.id);
    await this.vectors.dropKnowledge(vectorRefOf(knowledge));
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.knowledge.deleteMany({ where: { id: knowledge.id, tenantId: knowledge.tenantId } });
      // A delete asked twice at once removes the rows once: one entry.
      if (count) await this.audit.record({ ...by, action: 'knowledge.delete', objectType: 'knowledge', objectId: knowledge.id, before: summaryOf(knowledge) }, tx);
    });
  }
}
