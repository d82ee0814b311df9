import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { clientTracingInterceptors, createLogger, createPrismaClient, payloadDataConverter, type Logger, type NodeExecutors, type PrismaClient, type Tracing } from '@weft/activities';
import type { Role } from '@weft/domain';
import { createApp, liveEventsOf, vectorStoreOf } from '../../apps/api/src/app';
import { createTenantKey } from '../../apps/api/src/auth/api-keys';
import { apiConfigSchema } from '../../apps/api/src/config';
import { createWorker, type CreateWorkerOptions } from '../../apps/worker/src/worker';
import { workerConfigSchema } from '../../apps/worker/src/config';
import { serviceEnv, testEnv, uniqueTaskQueue } from './test-env';
import { cachedWorkflowBundle } from './workflow-bundle';

export const silentLogger = createLogger({ service: 'test', silent: true });

// The SDK's own logger would print every worker state change; keep warnings and errors.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed by an earlier suite in this process
}

let bundle: Promise<WorkflowBundle> | undefined;
let tracedBundle: Promise<WorkflowBundle> | undefined;
/** The production worker's workflow bundle, built once for every suite (./workflow-bundle.ts) and read once per test file; `tracing`: with the tracing interceptors. */
export function workflowBundle(options: { tracing?: boolean } = {}): Promise<WorkflowBundle> {
  return options.tracing ? (tracedBundle ??= cachedWorkflowBundle('traced')) : (bundle ??= cachedWorkflowBundle('worker'));
}

/** Empties every table. Only ever pointed at a database whose name says it is a test database. */
export async function resetDatabase(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe('TRUNCATE run_blobs, node_attempts, node_executions, runs, workflow_versions, workflows, api_keys, tenants, accounts CASCADE');
}

export interface Harness {
  url: string;
  /** the API app itself (its live event streams: liveEventsOf(app)) */
  app: Express;
  taskQueue: string;
  /** the ingestion worker's task queue (a worker started with `{ingestion}` polls it) */
  ingestionTaskQueue: string;
  prisma: PrismaClient;
  redis: Redis;
  temporal: Client;
  /** a worker in this process; with `options.ingestion` (its ports) it runs the ingestion worker too */
  startWorker(executors?: Partial<NodeExecutors>, options?: CreateWorkerOptions): Promise<{ stop(): Promise<void> }>;
  key(tenant: string, role?: Role): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real API on an ephemeral loopback port, over the real PostgreSQL, Redis and Temporal.
 * `tracing`: the API, its Temporal client and the workers it starts are traced (tests hand in a
 * tracing started with an in-memory exporter).
 */
export async function startHarness(name: string, overrides: Record<string, string> = {}, logger: Logger = silentLogger, options: { tracing?: Tracing } = {}): Promise<Harness> {
  const taskQueue = uniqueTaskQueue(name);
  const env = {
    ...serviceEnv(taskQueue),
    WEFT_API_PORT: '0',
    WEFT_CODEC_TOKEN: testEnv.codecToken,
    // Suites share one database: a reconciler sweeping it would touch other suites' runs.
    WEFT_RECONCILE_INTERVAL_MS: '0',
    ...overrides,
  };
  const config = apiConfigSchema.parse(env);
  const prisma = createPrismaClient(config.DATABASE_URL, 4);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  // As main.ts builds it: payloads encrypted with the keys of the harness's settings.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: payloadDataConverter(config), interceptors: clientTracingInterceptors(options.tracing) });
  const app = createApp({ config, prisma, redis, temporal, logger, tracing: options.tracing });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const workers = new Set<{ stop(): Promise<void> }>();
  const traced = options.tracing !== undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    app,
    taskQueue,
    ingestionTaskQueue: env.TEMPORAL_INGESTION_TASK_QUEUE,
    prisma,
    redis,
    temporal,
    async startWorker(executors?: Partial<NodeExecutors>, workerOptions?: CreateWorkerOptions) {
      const { run, shutdown, close } = await createWorker(workerConfigSchema.parse(env), logger, await workflowBundle({ tracing: traced }), executors, { ...workerOptions, tracing: options.tracing });
      const running = run();
      const handle = {
        async stop() {
          shutdown();
          await running;
          await close();
          workers.delete(handle);
        },
      };
      workers.add(handle);
      return handle;
    },
    async key(tenant, role = 'admin') {
      return (await createTenantKey(prisma, tenant, role)).key;
    },
    async close() {
      for (const w of [...workers]) await w.stop();
      // A live event stream a test left open would keep the server from closing.
      liveEventsOf(app).closeAll();
      await new Promise((resolve) => server.close(resolve));
      // A stream's recheck can outlive it; its Temporal call must not meet a closed connection.
      await liveEventsOf(app).settled();
      await vectorStoreOf(app).close();
      await connection.close();
      await redis.quit();
      await prisma.$disconnect();
    },
  };
}

/** A small fetch wrapper returning status, headers and parsed JSON. */
export function httpClient(baseUrl: string, key?: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, headers: res.headers, body: json };
  };
}

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export type ApiClient = ReturnType<typeof httpClient>;

/** Creates and publishes a workflow through the API; returns its id. */
export async function publishGraph(api: ApiClient, graph: unknown, name = 'test'): Promise<string> {
  const created = await api('POST', '/v1/workflows', { name, graph });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const published = await api('POST', `/v1/workflows/${created.body.data.id}/publish`);
  if (published.status !== 201) throw new Error(JSON.stringify(published.body));
  return created.body.data.id as string;
}

/** Publishes a graph and runs it in blocking mode; returns the finished run and its node list. */
export async function runGraph(api: ApiClient, graph: unknown, inputs: Record<string, unknown> = {}, timeoutMs = 90_000) {
  const workflowId = await publishGraph(api, graph);
  const r = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs, mode: 'blocking', timeoutMs });
  if (r.status !== 200) throw new Error(`run did not finish: ${JSON.stringify(r.body)}`);
  const nodes = (await api('GET', `/v1/runs/${r.body.data.id}/nodes`)).body.data as any[];
  return { run: r.body.data, nodes, workflowId };
}

/**
 * The usual suite set-up: a harness, a worker with the given executors and an admin key of
 * tenant `acme`, on an empty database. Read the fields inside tests (they are set in beforeAll).
 */
export function useSuiteHarness(name: string, executors?: Partial<NodeExecutors>) {
  const suite = {} as { h: Harness; api: ApiClient; stopWorker: () => Promise<void> };
  beforeAll(async () => {
    suite.h = await startHarness(name);
    suite.stopWorker = (await suite.h.startWorker(executors)).stop;
    await resetDatabase(suite.h.prisma);
    suite.api = httpClient(suite.h.url, await suite.h.key('acme'));
  });
  afterAll(async () => {
    await suite.stopWorker();
    await suite.h.close();
  });
  return suite;
}
