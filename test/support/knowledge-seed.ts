import { createHash, randomUUID } from 'node:crypto';
import type { Embedder, PrismaClient, VectorStore } from '@weft/activities';
import type { EmbeddingSettings, IndexingMode } from '@weft/domain';

/**
 * Indexes documents with the building blocks ingestion is made of, without its workflows: the
 * knowledge, document and segment rows in PostgreSQL, the segments' embeddings from the real
 * Embedder (high-quality), and their vectors upserted into the real vector store. Each paragraph
 * (text between blank lines) of a document is one segment.
 */
export interface SeedDocument {
  name: string;
  text: string;
}

export interface SeededKnowledge {
  knowledgeId: string;
  documents: { id: string; name: string; segmentIds: string[] }[];
}

const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`;

export async function seedKnowledge(
  deps: { prisma: PrismaClient; vectors: VectorStore; embedder: Embedder },
  spec: { tenantId: string; name?: string; indexing: IndexingMode; embedding?: EmbeddingSettings; documents: SeedDocument[] },
): Promise<SeededKnowledge> {
  const { prisma, vectors, embedder } = deps;
  const knowledgeId = newId('kb');
  await prisma.knowledge.create({
    data: {
      id: knowledgeId,
      tenantId: spec.tenantId,
      name: spec.name ?? knowledgeId,
      indexing: spec.indexing,
      ...(spec.embedding ? { embedding: spec.embedding } : {}),
      chunking: { strategy: 'paragraph', size: 1000, overlap: 0 },
    },
  });
  const seeded: SeededKnowledge = { knowledgeId, documents: [] };
  let dimensions: number | null = null;
  for (const doc of spec.documents) {
    const documentId = newId('doc');
    const pieces = doc.text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
    const bytes = Buffer.from(doc.text, 'utf8');
    await prisma.knowledgeDocument.create({
      data: {
        id: documentId,
        tenantId: spec.tenantId,
        knowledgeId,
        name: doc.name,
        source: 'text',
        format: 'txt',
        size: bytes.length,
        checksum: createHash('sha256').update(bytes).digest('hex'),
        content: bytes,
        status: 'completed',
        segmentCount: pieces.length,
        indexedAt: new Date(),
      },
    });
    const segments = pieces.map((text, position) => ({ id: `seg_${documentId.slice(4)}_${position}`, position, text }));
    await prisma.knowledgeSegment.createMany({
      data: segments.map((s) => ({ id: s.id, tenantId: spec.tenantId, knowledgeId, documentId, position: s.position, text: s.text, tokenCount: s.text.split(/\s+/).length })),
    });
    let dense: number[][] | undefined;
    if (spec.indexing === 'high-quality') {
      dense = (await embedder.embed(spec.tenantId, spec.embedding!, segments.map((s) => s.text))).vectors;
      dimensions = dense[0]!.length;
      // As the first indexing does: the length of the knowledge's vectors, before any is written.
      await prisma.knowledge.updateMany({ where: { id: knowledgeId, vectorDimensions: null }, data: { vectorDimensions: dimensions } });
    }
    const ref = { tenantId: spec.tenantId, knowledgeId, dimensions };
    await vectors.ensureKnowledge(ref);
    await vectors.upsert(
      ref,
      segments.map((s, i) => ({ id: s.id, documentId, text: s.text, ...(dense ? { dense: dense[i]! } : {}) })),
    );
    seeded.documents.push({ id: documentId, name: doc.name, segmentIds: segments.map((s) => s.id) });
  }
  return seeded;
}

/** A small corpus whose documents share no topic: a query about one finds that one. */
export const CORPUS: SeedDocument[] = [
  {
    name: 'billing.md',
    text: 'Invoices are sent on the first day of every month.\n\nTo update the credit card used for payments, open the billing page and choose payment methods.',
  },
  {
    name: 'passwords.md',
    text: 'To reset a forgotten password, click the reset link on the sign-in page.\n\nThe reset email expires after one hour; ask for another reset link when it has.',
  },
  {
    name: 'weaving.md',
    text: 'A loom weaves warp and weft threads into cloth.\n\nThe weft thread runs across the warp threads, over and under, row after row.',
  },
];
