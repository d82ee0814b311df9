import { setFlagsFromString } from 'node:v8';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { Redis } from 'ioredis';
import {
  BlobStore,
  MilvusVectorStore,
  RunEventStream,
  RunReconciler,
  connectExecutionInspector,
  createActivities,
  createPrismaClient,
  FAILURE_CONVERTER_PATH,
  payloadDataConverter,
  startReconciler,
  type Logger,
  type NodeExecutors,
  type Tracing,
  type WorkerMetrics,
} from '@weft/activities';
import { noticeOptions, type WorkerConfig } from './config';
import { shutdownOptions } from './shutdown';
import { createExecutors } from './executors';
import { createIngestionWorker, type IngestionPorts } from './ingestion';
import { TRACING_WORKFLOW_INTERCEPTORS, observedWorkerOptions } from './worker-tracing';
import { WORKFLOWS_ENTRY, workflowBundlerOptions } from './workflow-bundle';

export { WORKFLOWS_ENTRY };

/** `tracing`: with the workflow interceptors of a traced worker (worker-tracing.ts) */
export async function bundleWorkflows(options: { tracing?: boolean } = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_ENTRY,
    // The domain evaluated once per workflow thread, not once per run (workflow-bundle.ts).
    ...workflowBundlerOptions(),
    // The failure converter of the data converter (payloadDataConverter): workflow failures are encrypted too.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(options.tracing ? { workflowInterceptorModules: [TRACING_WORKFLOW_INTERCEPTORS] } : {}),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
}

export interface CreateWorkerOptions {
  /** the ingestion worker's ports (their owner closes them); without them (or with WEFT_INGESTION_WORKER=false) this process runs no ingestion worker */
  ingestion?: IngestionPorts;
  /** tracing of this process (README "Traces and logs"); a bundle handed in must then come from `bundleWorkflows({ tracing: true })` */
  tracing?: Tracing;
  /** what the activities count (main.ts serves it on WEFT_WORKER_METRICS_PORT); none: nothing is counted */
  metrics?: WorkerMetrics;
}

/**
 * Composition root: config → adapters → activities → Worker, and the ingestion Worker on its own
 * task queue beside it (either may be left out: WEFT_RUN_WORKER, WEFT_INGESTION_WORKER). Tests hand in executors of their own; otherwise the real ones are built
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
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  // Payloads are encrypted in this thread (codecs run outside the workflow sandbox); README "Encrypted history".
  const dataConverter = payloadDataConverter(config);
  // V8 reads the heap limit when an isolate is created: set here, it is the limit of the workflow
  // thread Worker.create starts (this thread's own is fixed already). No other thread is started.
  setFlagsFromString(`--max-old-space-size=${config.WEFT_WORKER_WORKFLOW_HEAP_MB}`);
  const ingestionPorts = config.WEFT_INGESTION_WORKER ? options.ingestion : undefined;
  // Two Workers share one bundle (webpack runs once); one Worker alone bundles its own.
  const sharedBundle = bundle ?? (ingestionPorts ? await bundleWorkflows({ tracing: options.tracing !== undefined }) : undefined);
  // A process that serves ingestion only (WEFT_RUN_WORKER=false) builds no node executors (sandbox processes, LLM clients).
  const nodes = !config.WEFT_RUN_WORKER ? undefined : executors ? { executors, close: async () => {} } : createExecutors(config, { prisma, redis, events, logger, vectors, metrics });
  const worker = nodes
    ? await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        activities: createActivities({
          prisma,
          events,
          logger,
          executors: nodes.executors,
          encryptionKey: config.WEFT_ENCRYPTION_KEY,
          maxValueDepth: config.WEFT_MAX_VALUE_DEPTH,
          notices: noticeOptions(config),
          metrics,
        }),
        dataConverter,
        maxConcurrentActivityTaskExecutions: config.WEFT_WORKER_MAX_ACTIVITIES,
        // Parked runs (README "Parked runs"): a bounded cache evicts them, so they cost the worker nothing.
        maxCachedWorkflows: config.WEFT_WORKER_MAX_CACHED_WORKFLOWS,
        maxConcurrentWorkflowTaskExecutions: config.WEFT_WORKER_MAX_WORKFLOW_TASKS,
        stickyQueueScheduleToStartTimeout: config.WEFT_WORKER_STICKY_TIMEOUT_MS,
        ...shutdownOptions(config),
        ...(sharedBundle ? { workflowBundle: sharedBundle } : { workflowsPath: WORKFLOWS_ENTRY, bundlerOptions: workflowBundlerOptions() }),
        ...observedWorkerOptions(options.tracing, !sharedBundle),
      })
    : undefined;
  const ingestion = ingestionPorts
    ? await createIngestionWorker(config, { connection, dataConverter, bundle: sharedBundle!, prisma, redis, events, logger, ports: { vectors, ...ingestionPorts }, metrics, tracing: options.tracing })
    : undefined;
  // Records the workflows could not set right themselves (a terminated run, an end that could not
  // be written) are compared with Temporal periodically; every worker may do it, it is idempotent.
  let reconciler: { stop(): Promise<void> } | undefined;
  let inspection: { close(): Promise<void> } | undefined;
  if (config.WEFT_RECONCILE_INTERVAL_MS > 0) {
    const inspector = await connectExecutionInspector({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
    inspection = inspector;
    reconciler = startReconciler(new RunReconciler(prisma, inspector.inspector, logger, new BlobStore(prisma, { encryptionKey: config.WEFT_ENCRYPTION_KEY }), { events }), logger, config.WEFT_RECONCILE_INTERVAL_MS);
  }
  const close = async () => {
    await reconciler?.stop();
    await Promise.allSettled([nodes?.close(), prisma.$disconnect(), redis.quit(), connection.close(), inspection?.close(), vectors.close()]);
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
