import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import {
  BlobStore,
  Embedder,
  MilvusVectorStore,
  RetrievalService,
  IngestionEvents,
  RunEventStream,
  RunReconciler,
  SecretCipher,
  SecretsStore,
  TemporalExecutionInspector,
  type Tracing,
  createApiMetrics,
  createMetricsRegistry,
  parseHttpAllowlist,
  payloadDataConverter,
  type Logger,
  type PrismaClient,
} from '@weft/activities';
import { graphLimitsFromEnv, runLimitsFromEnv } from '@weft/domain';
import { AuditLog } from './audit/audit-log';
import { mountAccessControl } from './access-control';
import { auditRouter } from './audit/audit.router';
import { codecAccess, codecOrigins } from './codec/codec-access';
import { codecRouter } from './codec/codec.router';
import { consoleMiddleware } from './console/console.static';
import type { ApiConfig } from './config';
import { healthRouter } from './health/health.router';
import { eventsRouter } from './events/events.router';
import { LiveEvents } from './events/live-events';
import { historyRouter } from './history/history.router';
import { RunHistoryReader } from './history/run-history';
import { errorMiddleware, notFoundRoute } from './http/error.middleware';
import { Drain, drainMiddleware } from './http/drain';
import { setInputLimits } from './http/input-hygiene';
import { requestContext, runLogContext } from './http/request-context';
import { traceRequests } from './http/trace-requests';
import { mountedRoutes } from './http/route';
import { quotaDefaultsOf } from './quotas/quota-fields';
import { QuotasService } from './quotas/quotas.service';
import { metricsRouter, recordRequests } from './observability/metrics.router';
import { buildOpenApiDocument, openapiRouter } from './openapi/openapi';
import { rerunRouter } from './runs/rerun.router';
import { RerunService } from './runs/rerun.service';
import { runsRouter } from './runs/runs.router';
import { RunsService } from './runs/runs.service';
import { RunEndWaiter } from './runs/run-end-waiter';
import { RunEventHub } from './events/run-event-hub';
import { RunNodesReader } from './runs/run-nodes';
import { RunControlService } from './runs/run-control.service';
import { workflowsRouter } from './workflows/workflows.router';
import { secretsRouter } from './secrets/secrets.router';
import { modelProvidersRouter } from './model-providers/model-providers.router';
import { WorkflowsService } from './workflows/workflows.service';
import { approvalsRouter } from './approvals/approvals.router';
import { ApprovalsService } from './approvals/approvals.service';
import { formsRouter } from './approvals/forms.router';
import { retrieveRouter } from './knowledge/retrieve.router';
import { DocumentsService } from './knowledge/documents.service';
import { IngestionJobsService } from './knowledge/ingestion-jobs.service';
import { ingestionJobsRouter } from './knowledge/ingestion-jobs.router';
import { knowledgeRouter } from './knowledge/knowledge.router';
import { KnowledgeService } from './knowledge/knowledge.service';

export interface AppDeps {
  config: ApiConfig;
  prisma: PrismaClient;
  redis: Redis;
  temporal: Client;
  logger: Logger;
  /** tracing of this process (README "Traces and logs"); absent: no spans */
  tracing?: Tracing;
}

/** The app's vector store client (MILVUS_ADDRESS): closed with the app (main.ts and the tests). */
export function vectorStoreOf(app: Express): MilvusVectorStore {
  return app.locals.vectorStore as MilvusVectorStore;
}

/** The live event streams of an app (for shutdown, and for tests that check what a stream leaves behind). */
export function liveEventsOf(app: Express): LiveEvents {
  return app.locals.liveEvents as LiveEvents;
}

/** The app's drain state: main.ts starts it on SIGTERM (http/drain.ts). */
export function drainOf(app: Express): Drain {
  return app.locals.drain as Drain;
}

/** The HTTP app, built from its dependencies; main.ts and the tests both build it this way. */
export function createApp({ config, prisma, redis, temporal, logger, tracing }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  setInputLimits(app, { maxDepth: config.WEFT_MAX_JSON_DEPTH });
  app.use(requestContext);
  if (tracing) app.use(traceRequests(tracing.tracer, { trustCaller: config.WEFT_TRACE_TRUST_CALLER }));
  app.use('/v1/runs/:id', runLogContext);
  // Each app its own registry (README "Metrics"): tests build many apps in one process.
  const registry = createMetricsRegistry();
  const metrics = createApiMetrics(registry);
  app.use(recordRequests(metrics));
  const drain = new Drain();
  app.locals.drain = drain;
  app.use(drainMiddleware(drain));
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () =>
      logger.http('request', { method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
    );
    next();
  });
  app.use(express.json({ limit: config.WEFT_MAX_BODY_BYTES }));

  // Every router below is made of declared routes (http/route.ts) with whole paths, mounted at the
  // root; the OpenAPI document is generated from the declarations of what is mounted.
  // Connects on first use: the API starts (and reports Milvus as down) while Milvus is away.
  const vectorStore = new MilvusVectorStore({ address: config.MILVUS_ADDRESS, ...(config.MILVUS_TOKEN ? { token: config.MILVUS_TOKEN } : {}) });
  app.locals.vectorStore = vectorStore;
  app.use(
    healthRouter({ prisma, redis, temporal, namespace: config.TEMPORAL_NAMESPACE, vectorStore, taskQueues: { runs: config.TEMPORAL_TASK_QUEUE, ingestion: config.TEMPORAL_INGESTION_TASK_QUEUE } }),
  );
  app.use(metricsRouter(registry, config.WEFT_METRICS_TOKEN));
  let openapi: Record<string, unknown> = {};
  app.use(openapiRouter(() => openapi));

  // The audit log every change is recorded in (audit/audit-log.ts); services get it from here.
  const audit = new AuditLog(prisma);
  app.locals.audit = audit;
  const workflows = new WorkflowsService(prisma, { limits: graphLimitsFromEnv(config), now: () => new Date() }, audit);
  // Workspace quotas, checked where work starts (run starts, uploads), and the rate limits' settings.
  const quotas = new QuotasService(prisma, quotaDefaultsOf(config), audit, { cacheMs: config.WEFT_QUOTA_CACHE_MS });
  const events = new RunEventStream(redis, { maxEventsPerRun: config.WEFT_EVENTS_MAX_PER_RUN, finishedTtlSeconds: config.WEFT_EVENTS_TTL_SECONDS });
  const reconciler = new RunReconciler(prisma, new TemporalExecutionInspector(temporal), logger, new BlobStore(prisma, { encryptionKey: config.WEFT_ENCRYPTION_KEY }), { events });
  // Blocking starts learn of a run's end from its event stream (runs/run-end-waiter.ts), through a hub of their own.
  // Its reader stays open 2 s after the last waiter left: back-to-back requests share one connection.
  const ends = new RunEndWaiter(new RunEventHub(redis, events, logger, { lingerMs: 2_000 }));
  const runs = new RunsService(
    prisma,
    temporal,
    workflows,
    { taskQueue: config.TEMPORAL_TASK_QUEUE, blockingTimeoutMs: config.WEFT_BLOCKING_TIMEOUT_MS, limits: runLimitsFromEnv(config), stopWaiting: drain.signal, quotas },
    reconciler,
    ends,
  );
  const approvals = new ApprovalsService(prisma, temporal, { encryptionKey: config.WEFT_ENCRYPTION_KEY, decideTimeoutMs: config.WEFT_BLOCKING_TIMEOUT_MS }, audit);
  // Signed form links carry their own capability (the token), so they come before the key check.
  app.use(formsRouter(approvals));
  // The Temporal Web UI's codec server (README "Encrypted history"): the operator's token, not an API key.
  app.use(codecAccess({ token: config.WEFT_CODEC_TOKEN, allowedOrigins: codecOrigins(config.WEFT_CODEC_ALLOWED_ORIGINS, config.TEMPORAL_UI_URL) }));
  app.use(codecRouter(payloadDataConverter(config).payloadCodecs[0], config.TEMPORAL_NAMESPACE));
  // Accounts, sessions, API keys, members and the credential check with its rate limits (access-control.ts).
  mountAccessControl(app, { config, prisma, redis, logger, audit, quotas });
  const cipher = new SecretCipher(config.WEFT_ENCRYPTION_KEY);
  app.use(workflowsRouter(workflows));
  app.use(auditRouter(prisma));
  const secrets = new SecretsStore(prisma, cipher);
  app.use(secretsRouter(secrets, audit));
  app.use(modelProvidersRouter(prisma, cipher, audit));
  // The query of a high-quality knowledge is embedded here, as the worker embeds: same guard, allowlist and breaker.
  const embedder = new Embedder({
    prisma,
    redis,
    logger,
    cipher,
    breaker: { failureThreshold: config.WEFT_LLM_BREAKER_THRESHOLD, coolDownMs: config.WEFT_LLM_BREAKER_COOLDOWN_MS },
    allowlist: parseHttpAllowlist(config.WEFT_MODEL_PROVIDER_ALLOWLIST, 'WEFT_MODEL_PROVIDER_ALLOWLIST'),
  });
  app.use(retrieveRouter(new RetrievalService({ prisma, vectors: vectorStore, embedder })));
  app.use(approvalsRouter(approvals));
  app.use(
    runsRouter(runs, new RunNodesReader(prisma, temporal, config.WEFT_ENCRYPTION_KEY), new RunControlService(prisma, temporal, audit), {
      links: { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
      maxBlockingMs: Math.min(config.WEFT_MAX_BLOCKING_TIMEOUT_MS, 300_000),
      defaultBlockingMs: Math.min(config.WEFT_BLOCKING_TIMEOUT_MS, config.WEFT_MAX_BLOCKING_TIMEOUT_MS),
    }),
  );
  const reruns = new RerunService(prisma, temporal, workflows, runs, new BlobStore(prisma, { encryptionKey: config.WEFT_ENCRYPTION_KEY }), {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    blockingTimeoutMs: config.WEFT_BLOCKING_TIMEOUT_MS,
    limits: runLimitsFromEnv(config),
    quotas,
  });
  app.use(rerunRouter(reruns, { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE }, audit));
  // Live events and raw history of a run: their own folders, next to the run routes.
  const live = new LiveEvents(events, logger, {
    pingMs: config.WEFT_SSE_PING_MS,
    maxConnections: config.WEFT_SSE_MAX_CONNECTIONS,
    maxStreamMs: config.WEFT_SSE_MAX_STREAM_MS,
    recheckMs: config.WEFT_SSE_RECHECK_MS,
    retryMs: config.WEFT_SSE_RETRY_MS,
  });
  app.locals.liveEvents = live;
  metrics.sseConnectionsFrom(() => live.stats().connections);
  app.use(eventsRouter(runs, live));
  app.use(historyRouter(runs, new RunHistoryReader(temporal, secrets)));
  // Knowledge bases, their documents and the ingestion jobs that index them (events: the same live streams).
  const knowledge = new KnowledgeService(prisma, vectorStore, audit);
  const ingestionJobs = new IngestionJobsService(
    prisma,
    temporal,
    { taskQueue: config.TEMPORAL_INGESTION_TASK_QUEUE, concurrency: config.WEFT_INGESTION_CONCURRENCY },
    audit,
    new IngestionEvents(events, prisma, logger),
  );
  app.use(knowledgeRouter(knowledge, new DocumentsService(prisma, vectorStore, ingestionJobs, audit, quotas)));
  app.use(ingestionJobsRouter(ingestionJobs, live));
  openapi = buildOpenApiDocument(mountedRoutes(app).declared);
  // The web console (apps/console), one origin with the API it calls.
  app.use(consoleMiddleware(config.WEFT_CONSOLE_DIR));

  app.use(notFoundRoute);
  app.use(errorMiddleware(logger));
  return app;
}
