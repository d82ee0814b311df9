import { setFlagsFromString } from 'node:v8';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { Redis } from 'ioredis';
import {
  BlobStore,
  MilvusVectorStore,
  RunEventStream,
  RunReconciler,
  connectExecutionInspector,
  createActivities,
  createPrismaClient,
  startReconciler,
  type Logger,
  type NodeExecutors,
  type WorkerMetrics,
} from '@weft/activities';
import { noticeOptions, type WorkerConfig } from './config';
import { createExecutors } from './executors';
import { createIngestionWorker, type IngestionPorts } from './ingestion';

import { WORKFLOWS_ENTRY, bundleWorkflows, workflowBundlerOptions } from './workflow-bundle';

export { WORKFLOWS_ENTRY, bundleWorkflows };

export interface CreateWorkerOptions {
  /** the ingestion worker's ports (their owner closes them); without them (or with WEFT_INGESTION_WORKER=false) this process runs no ingestion worker */
  ingestion?: IngestionPorts;
  /** what the activities count (main.ts serves it on WEFT_WORKER_METRICS_PORT); none: nothing is counted */
  metrics?: WorkerMetrics;
}

/**
 * Composition root: config → adapters → activities → Worker, and the ingestion Worker on its own
 * task queue beside it. Tests hand in executors of their own; otherwise the real ones are built
 * from config. `run()` runs both until a signal (or `shutdown()`) stops them.
 */
export async function createWorker(config: WorkerConfig, logger: Logger, bundle?: WorkflowBundle, executors?: Partial<NodeExecutors>, options: CreateWorkerOptions = {}) {
  const prisma = createPrismaClient(config.DATABASE_URL);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
  redis.on('error', (err) => logger.warn('redis error', { message: err.message }));
  const events = new RunEventStream(redis, { maxEventsPerRun: config.WEFT_EVENTS_MAX_PER_RUN, finishedTtlSeconds: config.WEFT_EVENTS_TTL_SECONDS });
  // Connects on first use: retrieval fails with vector_store_unavailable (retried) while Milvus is away.
  const vectors = new MilvusVectorStore({ address: config.MILVUS_ADDRESS, ...(config.MILVUS_TOKEN ? { token: config.MILVUS_TOKEN } : {}) });
  const { metrics } = options;
  const nodes = executors ? { executors, close: async () => {} } : createExecutors(config, { prisma, redis, events, logger, vectors, metrics });
  const activities = createActivities({
    prisma,
    events,
    logger,
    executors: nodes.executors,
    encryptionKey: config.WEFT_ENCRYPTION_KEY,
    maxValueDepth: config.WEFT_MAX_VALUE_DEPTH,
    notices: noticeOptions(config),
    metrics,
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  // V8 reads the heap limit when an isolate is created: set here, it is the limit of the workflow
  // thread Worker.create starts (this thread's own is fixed already). No other thread is started.
  setFlagsFromString(`--max-old-space-size=${config.WEFT_WORKER_WORKFLOW_HEAP_MB}`);
  const ingestionPorts = config.WEFT_INGESTION_WORKER ? options.ingestion : undefined;
  // Two Workers share one bundle (webpack runs once).
  const sharedBundle = bundle ?? (ingestionPorts ? await bundleWorkflows() : undefined);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
    maxConcurrentActivityTaskExecutions: config.WEFT_WORKER_MAX_ACTIVITIES,
    // Parked runs (README "Parked runs"): a bounded cache evicts them, so they cost the worker nothing.
    maxCachedWorkflows: config.WEFT_WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: config.WEFT_WORKER_MAX_WORKFLOW_TASKS,
    stickyQueueScheduleToStartTimeout: config.WEFT_WORKER_STICKY_TIMEOUT_MS,
    ...(sharedBundle ? { workflowBundle: sharedBundle } : { workflowsPath: WORKFLOWS_ENTRY, bundlerOptions: workflowBundlerOptions() }),
  });
  const ingestion = ingestionPorts
    ? await createIngestionWorker(config, { connection, bundle: sharedBundle!, prisma, redis, events, logger, ports: { vectors, ...ingestionPorts }, metrics })
    : undefined;
  // Records the workflows could not set right themselves (a terminated run, an end that could not
  // be written) are compared with Temporal periodically; every worker may do it, it is idempotent.
  let reconciler: { stop(): Promise<void> } | undefined;
  let inspection: { close(): Promise<void> } | undefined;
  if (config.WEFT_RECONCILE_INTERVAL_MS > 0) {
    const inspector = await connectExecutionInspector({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
    inspection = inspector;
    reconciler = startReconciler(new RunReconciler(prisma, inspector.inspector, logger, new BlobStore(prisma, { encryptionKey: config.WEFT_ENCRYPTION_KEY }), { events }), logger, config.WEFT_RECONCILE_INTERVAL_MS);
  }
  const close = async () => {
    await reconciler?.stop();
    await Promise.allSettled([nodes.close(), prisma.$disconnect(), redis.quit(), connection.close(), inspection?.close(), vectors.close()]);
  };
  /** Runs the Workers until they are shut down (both stop on SIGINT/SIGTERM); if one fails, the other is shut down too. */
  const run = async () => {
    const runs = [worker, ingestion].filter((w): w is Worker => w !== undefined).map((w) => w.run());
    try {
      await Promise.all(runs);
    } finally {
      shutdown();
      await Promise.allSettled(runs);
    }
  };
  const shutdown = () => {
    for (const w of [worker, ingestion]) if (w?.getState() === 'RUNNING') w.shutdown();
  };
  return { worker, ingestion, run, shutdown, close };
}
