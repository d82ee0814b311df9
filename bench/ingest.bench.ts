/**
 * npm run bench:ingest — how fast documents are indexed through Temporal, against the same steps
 * run directly. A seeded corpus of N documents (txt, md, html, json, csv, and one in fifty each pdf
 * and docx) goes into a high-quality knowledge (dense embeddings from the local OpenAI-compatible
 * test server, BM25, Milvus Lite) twice per round: through a job workflow and its document child
 * workflows on the production ingestion Worker (apps/worker's createIngestionWorker, its config's
 * defaults), and through the same activities, on the same ports, called in a plain loop with the
 * same concurrency (ingest.paths.ts). Each pass has a tenant of its own, so its embedding cache
 * starts cold; the order of the two alternates between rounds, as Milvus's collection grows.
 * Prints documents/s and segments/s of both, their ratio per round, and the median and spread, and
 * the CPU time each pass used per document in this process, the Temporal server and Milvus Lite.
 * Not a test: figures.
 *
 * Settings: N (argument or BENCH_INGEST_DOCUMENTS, default 1000), BENCH_CONCURRENCY (documents at
 * once, default 8), BENCH_ROUNDS (default 2), BENCH_ACTIVITY_SLOTS (the ingestion worker's
 * activity slots; WEFT_INGESTION_MAX_ACTIVITIES's default otherwise).
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { Redis } from 'ioredis';
import {
  Embedder,
  MilvusVectorStore,
  RunEventStream,
  SecretCipher,
  closeSharedDocumentParser,
  createIngestionActivities,
  createLogger,
  createPrismaClient,
  payloadDataConverter,
  parseDocument,
  splitDocument,
} from '@weft/activities';
import type { IngestionJobResult } from '@weft/domain';
import { workerConfigSchema } from '../apps/worker/src/config';
import { createIngestionWorker } from '../apps/worker/src/ingestion';
import { addDocuments, createJob, createKnowledge, createTenant, type JobRef } from '../test/support/ingestion-fixtures';
import { startOpenAiServer } from '../test/support/openai-server';
import { cpuSecondsOf } from './bench-processes';
import { runBench } from './bench-stack';
import { makeCorpus, type CorpusDocument } from './ingest.corpus';
import { direct, viaTemporal } from './ingest.paths';

const N = Number(process.argv[2] ?? process.env.BENCH_INGEST_DOCUMENTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const ACTIVITY_SLOTS = process.env.BENCH_ACTIVITY_SLOTS;
const WARMUP_DOCUMENTS = 50;
const EMBEDDING = { model: 'embed-test', dimensions: 64 };

type Path = 'temporal' | 'direct';
interface Pass {
  path: Path;
  documents: number;
  segments: number;
  seconds: number;
  /** CPU seconds used during the pass, by process */
  cpu: Record<Process, number>;
}

/** Processes whose CPU time is counted: this one (worker, activities, parse threads), the Temporal server, Milvus Lite. */
type Process = 'bench' | 'temporal' | 'milvus';
const PIDS: Record<Process, number> = {
  bench: process.pid,
  temporal: Number(process.env.BENCH_TEMPORAL_PID ?? 0),
  milvus: Number(process.env.BENCH_MILVUS_PID ?? 0),
};
const cpuNow = (): Record<Process, number> => {
  const of = (pid: number) => (pid > 0 ? cpuSecondsOf(pid) : 0);
  return { bench: of(PIDS.bench), temporal: of(PIDS.temporal), milvus: of(PIDS.milvus) };
};

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // The production worker's settings: its config's defaults, with this run's services (scripts/bench.sh) and queue.
  const config = workerConfigSchema.parse({
    ...process.env,
    TEMPORAL_INGESTION_TASK_QUEUE: `bench-ingest-${randomUUID().slice(0, 8)}`,
    ...(ACTIVITY_SLOTS ? { WEFT_INGESTION_MAX_ACTIVITIES: ACTIVITY_SLOTS } : {}),
  });
  const address = config.TEMPORAL_ADDRESS;
  const prisma = createPrismaClient(config.DATABASE_URL, 10);
  const redis = new Redis(config.REDIS_URL);
  const server = await startOpenAiServer();
  const vectors = new MilvusVectorStore({ address: config.MILVUS_ADDRESS });
  const logger = createLogger({ service: 'bench-ingest', silent: true });
  // One set of ports for both paths: the same parser threads, embedder (and its cache), Milvus client.
  const ports = {
    vectors,
    parse: parseDocument,
    split: splitDocument,
    embedder: new Embedder({
      prisma,
      redis,
      logger,
      cipher: new SecretCipher(config.WEFT_ENCRYPTION_KEY),
      breaker: { prefix: `bench-ingest-${randomUUID().slice(0, 8)}` },
      allowlist: [`127.0.0.1:${new URL(server.url).port}`],
    }),
  };
  const events = new RunEventStream(redis);
  const activities = createIngestionActivities({ prisma, ...ports, events, logger });
  const connection = await NativeConnection.connect({ address });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('@weft/workflows/dist/workflows'), logger: new DefaultLogger('WARN') });
  // The production data converter (payload codec included) on both sides, as in the apps.
  const dataConverter = payloadDataConverter(config);
  const worker = await createIngestionWorker(config, { connection, dataConverter, bundle: workflowBundle, prisma, redis, events, logger, ports });
  const running = worker.run();
  const temporal = new Client({ connection: await Connection.connect({ address }), dataConverter });

  /** Indexes the documents into a fresh tenant's knowledge by one path; checks every one completed. */
  const pass = async (path: Path, docs: CorpusDocument[]): Promise<Pass> => {
    const tenantId = await createTenant(prisma, { url: server.url, apiKey: 'sk-bench' });
    const knowledgeId = await createKnowledge(prisma, tenantId, { indexing: 'high-quality', embedding: EMBEDDING, chunking: { strategy: 'fixed', size: 1000, overlap: 100 } });
    const documentIds = await addDocuments(prisma, tenantId, knowledgeId, docs);
    const job: JobRef = await createJob(prisma, tenantId, knowledgeId, documentIds);
    const cpu0 = cpuNow();
    const t0 = performance.now();
    const result: IngestionJobResult = path === 'temporal' ? await viaTemporal(temporal, config.TEMPORAL_INGESTION_TASK_QUEUE, job, documentIds, CONCURRENCY) : await direct(activities, job, documentIds, CONCURRENCY);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuNow();
    const cpu = { bench: cpu1.bench - cpu0.bench, temporal: cpu1.temporal - cpu0.temporal, milvus: cpu1.milvus - cpu0.milvus };
    if (result.status !== 'completed' || result.succeeded !== docs.length) {
      const failed = await prisma.knowledgeDocument.findMany({ where: { knowledgeId, status: 'error' }, select: { name: true, errorCode: true, errorMessage: true }, take: 5 });
      throw new Error(`${path}: ${JSON.stringify(result)}; ${JSON.stringify(failed)}`);
    }
    const segments = await prisma.knowledgeSegment.count({ where: { knowledgeId } });
    return { path, documents: docs.length, segments, seconds, cpu };
  };

  try {
    const corpus = await makeCorpus(N);
    const bytes = corpus.reduce((n, d) => n + d.content.length, 0);
    const formats = Object.entries(corpus.reduce<Record<string, number>>((m, d) => ((m[d.format] = (m[d.format] ?? 0) + 1), m), {}));
    console.log(`corpus: ${N} documents, ${(bytes / 1024 / 1024).toFixed(1)} MB (${formats.map(([f, n]) => `${f} ${n}`).join(', ')})`);
    console.log(`concurrency ${CONCURRENCY} documents; ingestion worker activity slots ${config.WEFT_INGESTION_MAX_ACTIVITIES}; ${ROUNDS} rounds; fixed chunks of 1000 (overlap 100); embeddings ${EMBEDDING.dimensions} dims`);

    // Warm-up (not counted): the parse threads load their libraries, the worker its bundle, Milvus its collection.
    await pass('temporal', corpus.slice(0, WARMUP_DOCUMENTS));
    await pass('direct', corpus.slice(0, WARMUP_DOCUMENTS));

    const rounds: Array<Record<Path, Pass>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order: Path[] = r % 2 === 0 ? ['temporal', 'direct'] : ['direct', 'temporal'];
      const round = {} as Record<Path, Pass>;
      for (const path of order) round[path] = await pass(path, corpus);
      rounds.push(round);
      console.log(`round ${r + 1}: ${describe(round.temporal)} | ${describe(round.direct)} | ratio ${ratio(round).toFixed(2)}`);
    }
    report(rounds);
  } finally {
    worker.shutdown();
    await running;
    await closeSharedDocumentParser();
    await vectors.close();
    await connection.close();
    await server.close();
    await prisma.$disconnect();
    redis.disconnect();
  }
}

const rate = (p: Pass) => p.documents / p.seconds;
const ratio = (round: Record<Path, Pass>) => rate(round.temporal) / rate(round.direct);

function describe(p: Pass): string {
  return `${p.path} ${rate(p).toFixed(1)} docs/s, ${(p.segments / p.seconds).toFixed(0)} segments/s (${p.seconds.toFixed(1)} s; ${cpuPerDocument(p)})`;
}

/** CPU milliseconds per document, by process: on a busy machine, what a path costs whatever the wall clock says. */
function cpuPerDocument(p: Pass): string {
  const ms = (s: number) => ((s * 1000) / p.documents).toFixed(0);
  return `CPU ms/doc: bench ${ms(p.cpu.bench)}, temporal ${ms(p.cpu.temporal)}, milvus ${ms(p.cpu.milvus)}`;
}

function report(rounds: Array<Record<Path, Pass>>): void {
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
  const of = (path: Path) => {
    const docs = rounds.map((r) => rate(r[path]));
    const segments = rounds.map((r) => r[path].segments / r[path].seconds);
    return `${path.padEnd(8)} ${median(docs).toFixed(1)} documents/s (${spread(docs)}), ${median(segments).toFixed(0)} segments/s (${spread(segments)})`;
  };
  const ratios = rounds.map(ratio);
  console.log(`\nmedian over ${rounds.length} rounds (spread in brackets), ${rounds[0]!.temporal.segments} segments per pass:`);
  console.log(`  ${of('temporal')}`);
  console.log(`  ${of('direct')}`);
  console.log(`  ratio temporal/direct: ${median(ratios).toFixed(2)} (${spread(ratios)})`);
}

runBench(main);
