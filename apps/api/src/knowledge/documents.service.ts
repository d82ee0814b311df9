import { createHash } from 'node:crypto';
import { Prisma, type Knowledge, type PrismaClient, type VectorStore } from '@weft/activities';
import { ingestionWorkflowIdFor, type DocumentFormat, type DocumentStatus } from '@weft/domain';
import type { AuditContext, AuditLog } from '../audit/audit-log';
import { DOCUMENT_COLUMNS, type DocumentRow } from './knowledge.dto';
import { documentConflict, documentNotFound, uploadInvalid } from './knowledge-api.errors';
import type { IngestionJobsService } from './ingestion-jobs.service';
import type { QuotasService } from '../quotas/quotas.service';
import { newId, vectorRefOf } from './knowledge.service';

/** A document of an upload, checked (name, format, not empty) and ready to store. */
export interface IncomingDocument {
  name: string;
  format: DocumentFormat;
  bytes: Buffer<ArrayBuffer>;
  /** upload (multipart), text (JSON body), cli */
  source: string;
}

export interface StoredUpload {
  jobId: string | null;
  documents: { id: string; name: string; status: DocumentStatus }[];
  skipped: { name: string; documentId: string; status: DocumentStatus; reason: 'duplicate' }[];
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Documents an upload's audit entry names one by one (an upload holds up to 1000): the rest are in its job. */
const AUDITED_DOCUMENTS = 100;

/** What the audit log keeps of a document: names and sizes, never its content. */
function documentSummary(knowledge: Knowledge, doc: DocumentRow) {
  return { knowledgeId: knowledge.id, name: doc.name, format: doc.format, size: doc.size, sha256: doc.checksum, status: doc.status };
}

/** Documents of a knowledge: upload (stored, then indexed by a job), read, replace, delete. */
export class DocumentsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly vectors: VectorStore,
    private readonly jobs: IngestionJobsService,
    private readonly audit: AuditLog,
    /** the workspace's stored-documents quota (quotas/quotas.service.ts); none: no quota */
    private readonly quotas?: Pick<QuotasService, 'checkDocuments'>,
  ) {}

  /**
   * Stores an upload's documents and starts the job that indexes them. A document whose bytes the
   * knowledge holds already (same sha256, this upload included) is skipped: nothing is stored or
   * indexed again, and the answer names the existing document. The job, its documents and their
   * links are written in one transaction; if its workflow cannot be started they are deleted again
   * (and the error answered), so no document waits in `queued` for a job that will never run.
   */
  async upload(knowledge: Knowledge, incoming: readonly IncomingDocument[], by: AuditContext): Promise<StoredUpload> {
    const byChecksum = new Map<string, IncomingDocument & { checksum: string }>();
    const skipped: StoredUpload['skipped'] = [];
    const repeats: { name: string; checksum: string }[] = [];
    for (const doc of incoming) {
      const checksum = sha256(doc.bytes);
      if (byChecksum.has(checksum)) repeats.push({ name: doc.name, checksum });
      else byChecksum.set(checksum, { ...doc, checksum });
    }
    const jobId = newId('job');
    const attempt = 1;
    const { created, existing } = await this.prisma.$transaction(
      async (tx) => {
        const existing = await tx.knowledgeDocument.findMany({
          where: { tenantId: knowledge.tenantId, knowledgeId: knowledge.id, checksum: { in: [...byChecksum.keys()] } },
          select: { id: true, checksum: true, status: true },
        });
        const known = new Set(existing.map((d) => d.checksum));
        const fresh = [...byChecksum.values()].filter((d) => !known.has(d.checksum));
        if (!fresh.length) return { created: [], existing };
        // Refused (429 quota_exceeded) before anything is stored when the new documents would go over the quota.
        await this.quotas?.checkDocuments(tx, knowledge.tenantId, fresh.length);
        await tx.ingestionJob.create({
          data: { id: jobId, tenantId: knowledge.tenantId, knowledgeId: knowledge.id, status: 'queued', attempt, temporalWorkflowId: ingestionWorkflowIdFor(jobId, attempt) },
        });
        const rows = fresh.map((d) => ({
          id: newId('doc'),
          tenantId: knowledge.tenantId,
          knowledgeId: knowledge.id,
          name: d.name,
          source: d.source,
          format: d.format,
          size: d.bytes.length,
          checksum: d.checksum,
          content: d.bytes,
          status: 'queued',
          jobId,
        }));
        // Another upload of the same bytes at the same moment wins the unique (knowledge, checksum): ours is skipped.
        await tx.knowledgeDocument.createMany({ data: rows, skipDuplicates: true });
        const ours = await tx.knowledgeDocument.findMany({ where: { tenantId: knowledge.tenantId, id: { in: rows.map((r) => r.id) } }, select: { id: true, name: true, status: true, checksum: true } });
        const oursSet = new Set(ours.map((d) => d.checksum));
        const raced = await tx.knowledgeDocument.findMany({
          where: { tenantId: knowledge.tenantId, knowledgeId: knowledge.id, checksum: { in: fresh.filter((d) => !oursSet.has(d.checksum)).map((d) => d.checksum) } },
          select: { id: true, checksum: true, status: true },
        });
        if (!ours.length) await tx.ingestionJob.delete({ where: { id: jobId } });
        else await tx.ingestionJobDocument.createMany({ data: ours.map((d) => ({ jobId, documentId: d.id })) });
        return { created: ours, existing: [...existing, ...raced] };
      },
      // Up to maxUploadBytes of content is written in this transaction.
      { timeout: 120_000, maxWait: 10_000 },
    );
    const byStoredChecksum = new Map([...existing, ...created].map((d) => [d.checksum, d]));
    for (const d of existing) skipped.push({ name: byChecksum.get(d.checksum)!.name, documentId: d.id, status: d.status as DocumentStatus, reason: 'duplicate' });
    for (const r of repeats) {
      const first = byStoredChecksum.get(r.checksum)!;
      skipped.push({ name: r.name, documentId: first.id, status: first.status as DocumentStatus, reason: 'duplicate' });
    }
    if (!created.length) return { jobId: null, documents: [], skipped };
    // Upload order, as the client sent them.
    const order = new Map([...byChecksum.keys()].map((c, i) => [c, i]));
    created.sort((a, b) => order.get(a.checksum)! - order.get(b.checksum)!);
    try {
      await this.jobs.startWorkflow({ id: jobId, tenantId: knowledge.tenantId, knowledgeId: knowledge.id }, attempt, created.map((d) => d.id));
    } catch (err) {
      await this.prisma.$transaction([
        this.prisma.knowledgeDocument.deleteMany({ where: { tenantId: knowledge.tenantId, id: { in: created.map((d) => d.id) } } }),
        this.prisma.ingestionJob.deleteMany({ where: { id: jobId, tenantId: knowledge.tenantId } }),
      ]);
      throw err;
    }
    // Recorded once the job's workflow has started: an upload undone above leaves no entry.
    await this.audit.record({
      ...by,
      action: 'document.upload',
      objectType: 'knowledge',
      objectId: knowledge.id,
      after: { jobId, documentCount: created.length, documents: created.slice(0, AUDITED_DOCUMENTS).map((d) => ({ id: d.id, name: d.name })), skipped: skipped.length },
    });
    return { jobId, documents: created.map((d) => ({ id: d.id, name: d.name, status: d.status as DocumentStatus })), skipped };
  }

  async find(knowledge: Knowledge, id: string): Promise<DocumentRow> {
    const doc = await this.prisma.knowledgeDocument.findFirst({ where: { id, knowledgeId: knowledge.id, tenantId: knowledge.tenantId }, select: DOCUMENT_COLUMNS });
    if (!doc) throw documentNotFound(id);
    return doc;
  }

  async list(knowledge: Knowledge, window: { skip: number; take: number; order: 'asc' | 'desc' }, filters: { status?: DocumentStatus }) {
    const where = { knowledgeId: knowledge.id, tenantId: knowledge.tenantId, status: filters.status };
    const [items, total] = await Promise.all([
      this.prisma.knowledgeDocument.findMany({ where, skip: window.skip, take: window.take, orderBy: [{ createdAt: window.order }, { id: window.order }], select: DOCUMENT_COLUMNS }),
      this.prisma.knowledgeDocument.count({ where }),
    ]);
    return { items, total };
  }

  /**
   * Deletes a document: its vectors first, then its row (its segments and job links go with it).
   * Allowed while a job indexes it: the job's steps find it gone, write nothing more and remove
   * what they had upserted in between (ingestion.activities.ts), so no vector outlives it.
   */
  async delete(knowledge: Knowledge, doc: DocumentRow, by: AuditContext): Promise<void> {
    await this.vectors.deleteDocument(vectorRefOf(knowledge), doc.id);
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.knowledgeDocument.deleteMany({ where: { id: doc.id, tenantId: knowledge.tenantId, knowledgeId: knowledge.id } });
      if (count) await this.audit.record({ ...by, action: 'document.delete', objectType: 'document', objectId: doc.id, before: documentSummary(knowledge, doc) }, tx);
    });
  }

  /**
   * Replaces the content of a document that failed (a corrupt file fixed by its owner): the same
   * document, with the new bytes, name and format; it stays `error` (with the error of the content
   * it had) until a retry of its job indexes it. Only a failed document: 409 for one that is
   * indexed (delete it and upload the new version) or being indexed.
   */
  async replace(knowledge: Knowledge, doc: DocumentRow, incoming: IncomingDocument, by: AuditContext): Promise<DocumentRow> {
    if (doc.status !== 'error') throw documentConflict(doc.id, doc.status, 'replaced: only a document that failed can be (delete it and upload the new version)');
    const checksum = sha256(incoming.bytes);
    const twin = await this.prisma.knowledgeDocument.findFirst({ where: { tenantId: knowledge.tenantId, knowledgeId: knowledge.id, checksum, id: { not: doc.id } }, select: { id: true, name: true } });
    if (twin) throw uploadInvalid([{ code: 'document_duplicate', message: `the knowledge holds these bytes already, as '${twin.name}' (${twin.id})`, path: ['file'] }]);
    try {
      const count = await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.knowledgeDocument.updateMany({
          where: { id: doc.id, tenantId: knowledge.tenantId, knowledgeId: knowledge.id, status: 'error' },
          data: { name: incoming.name, format: incoming.format, source: incoming.source, size: incoming.bytes.length, checksum, content: incoming.bytes },
        });
        const after = { knowledgeId: knowledge.id, name: incoming.name, format: incoming.format, size: incoming.bytes.length, sha256: checksum };
        if (count) await this.audit.record({ ...by, action: 'document.replace', objectType: 'document', objectId: doc.id, before: documentSummary(knowledge, doc), after }, tx);
        return count;
      });
      if (count === 0) throw documentConflict(doc.id, (await this.find(knowledge, doc.id)).status, 'replaced');
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw uploadInvalid([{ code: 'document_duplicate', message: 'the knowledge holds these bytes already', path: ['file'] }]);
      }
      throw err;
    }
    return this.find(knowledge, doc.id);
  }
}
