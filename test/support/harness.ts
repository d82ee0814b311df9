import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { createLogger, createPrismaClient, type NodeExecutors, type PrismaClient } from '@weft/activities';
import type { Role } from '@weft/domain';
import { createApp } from '../../apps/api/src/app';
import { createTenantKey } from '../../apps/api/src/auth/api-keys';
import { apiConfigSchema } from '../../apps/api/src/config';
import { bundleWorkflows, createWorker } from '../../apps/worker/src/worker';
import { workerConfigSchema } from '../../apps/worker/src/config';
import { testEnv, uniqueTaskQueue } from './test-env';

export const silentLogger = createLogger({ service: 'test', silent: true });

// The SDK's own logger would print every worker state change; keep warnings and errors.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed by an earlier suite in this process
}

let bundle: Promise<WorkflowBundle> | undefined;
/** The workflow bundle is built once per test file (webpack takes a second or two). */
export function workflowBundle(): Promise<WorkflowBundle> {
  return (bundle ??= bundleWorkflows());
}

/** Empties every table. Only ever pointed at a database whose name says it is a test database. */
export async function resetDatabase(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe('TRUNCATE run_blobs, node_attempts, node_executions, runs, workflow_versions, workflows, api_keys, tenants CASCADE');
}

export interface Harness {
  url: string;
  taskQueue: string;
  prisma: PrismaClient;
  redis: Redis;
  temporal: Client;
  startWorker(executors?: NodeExecutors): Promise<{ stop(): Promise<void> }>;
  key(tenant: string, role?: Role): Promise<string>;
  close(): Promise<void>;
}

/** The real API on an ephemeral loopback port, over the real PostgreSQL, Redis and Temporal. */
export async function startHarness(name: string, overrides: Record<string, string> = {}): Promise<Harness> {
  const taskQueue = uniqueTaskQueue(name);
  const env = {
    DATABASE_URL: testEnv.databaseUrl,
    REDIS_URL: testEnv.redisUrl,
    TEMPORAL_ADDRESS: testEnv.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WEFT_API_PORT: '0',
    WEFT_ENCRYPTION_KEY: testEnv.encryptionKey,
    ...overrides,
  };
  const config = apiConfigSchema.parse(env);
  const prisma = createPrismaClient(config.DATABASE_URL, 4);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({ config, prisma, redis, temporal, logger: silentLogger });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const workers = new Set<{ stop(): Promise<void> }>();

  return {
    url: `http://127.0.0.1:${port}`,
    taskQueue,
    prisma,
    redis,
    temporal,
    async startWorker(executors?: NodeExecutors) {
      const { worker, close } = await createWorker(workerConfigSchema.parse(env), silentLogger, await workflowBundle(), executors);
      const running = worker.run();
      const handle = {
        async stop() {
          if (worker.getState() === 'RUNNING') worker.shutdown();
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
      await new Promise((resolve) => server.close(resolve));
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
