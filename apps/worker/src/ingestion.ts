import { Worker, type DataConverter, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import {
  DocumentParser,
  Embedder,
  SecretCipher,
  createIngestionActivities,
  type Logger,
  type ParseDocument,
  type PrismaClient,
  type RunEventStream,
  type SplitDocument,
  type Tracing,
  type VectorStore,
  type WorkerMetrics,
  splitDocument,
} from '@weft/activities';
import type { WorkerConfig } from './config';
import { shutdownOptions } from './shutdown';
import { observedWorkerOptions } from './worker-tracing';

/** What ingestion's activities need besides the database and Redis: the vector store and the parse and split steps. */
export interface IngestionPorts {
  /** the worker's own Milvus client when absent */
  vectors?: VectorStore;
  parse: ParseDocument;
  split: SplitDocument;
  /** the tenant's provider through the embedding cache; built from config when absent */
  embedder?: Pick<Embedder, 'embed'>;
}

/** The production ports: the parser's pool of worker threads (`close()` stops them) and the splitter; the vector store is the worker's. */
export function defaultIngestionPorts(): { ports: IngestionPorts; close(): Promise<void> } {
  const parser = new DocumentParser();
  return { ports: { parse: (bytes, format, name) => parser.parse(bytes, format, name), split: splitDocument }, close: () => parser.close() };
}

export interface IngestionWorkerDeps {
  connection: NativeConnection;
  /** the worker's, with its payload codec */
  dataConverter: DataConverter;
  bundle: WorkflowBundle;
  prisma: PrismaClient;
  redis: Redis;
  events: RunEventStream;
  logger: Logger;
  ports: IngestionPorts & { vectors: VectorStore };
  /** tracing of this process; the bundle then carries the tracing interceptors (bundleWorkflows) */
  tracing?: Tracing | undefined;
  metrics?: WorkerMetrics;
}

/**
 * The ingestion Worker (README "Ingestion"): job and document workflows and their activities on
 * TEMPORAL_INGESTION_TASK_QUEUE, with slots of its own, so a big batch waits for ingestion's slots
 * and never for those of interactive runs (nor they for it).
 */
export async function createIngestionWorker(config: WorkerConfig, deps: IngestionWorkerDeps): Promise<Worker> {
  const embedder =
    deps.ports.embedder ??
    new Embedder({
      prisma: deps.prisma,
      redis: deps.redis,
      logger: deps.logger,
      cipher: new SecretCipher(config.WEFT_ENCRYPTION_KEY),
      breaker: { failureThreshold: config.WEFT_LLM_BREAKER_THRESHOLD, coolDownMs: config.WEFT_LLM_BREAKER_COOLDOWN_MS },
      allowlist: config.WEFT_MODEL_PROVIDER_ALLOWLIST,
    });
  const activities = createIngestionActivities({
    prisma: deps.prisma,
    vectors: deps.ports.vectors,
    embedder,
    parse: deps.ports.parse,
    split: deps.ports.split,
    events: deps.events,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  return Worker.create({
    connection: deps.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_INGESTION_TASK_QUEUE,
    activities,
    dataConverter: deps.dataConverter,
    workflowBundle: deps.bundle,
    maxConcurrentActivityTaskExecutions: config.WEFT_INGESTION_MAX_ACTIVITIES,
    maxCachedWorkflows: config.WEFT_INGESTION_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: config.WEFT_INGESTION_MAX_WORKFLOW_TASKS,
    stickyQueueScheduleToStartTimeout: config.WEFT_WORKER_STICKY_TIMEOUT_MS,
    ...shutdownOptions(config),
    ...observedWorkerOptions(deps.tracing, false),
  });
}
