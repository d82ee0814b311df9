import path from 'node:path';
import { spawnService, type ServiceProcess } from './service-process';
import { testEnv } from './test-env';

const WORKER_MAIN = path.join(__dirname, '..', '..', 'apps', 'worker', 'dist', 'main.js');

export type WorkerProcess = ServiceProcess;

/**
 * The production worker (apps/worker/dist/main.js) in a process of its own, on a test's task
 * queue. Suites that throw hostile graphs at a worker use it: if the worker dies, the suite sees
 * it (and says so) instead of dying with it. Shutdown suites signal it (SIGTERM, SIGKILL).
 */
export function spawnWorker(taskQueue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  return spawnService('worker', WORKER_MAIN, {
    DATABASE_URL: testEnv.databaseUrl,
    REDIS_URL: testEnv.redisUrl,
    TEMPORAL_ADDRESS: testEnv.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WEFT_ENCRYPTION_KEY: testEnv.encryptionKey,
    WEFT_RECONCILE_INTERVAL_MS: '0',
    // Suites that stop a worker while an activity hangs need not wait the production grace.
    WEFT_WORKER_SHUTDOWN_GRACE_MS: '2000',
    LOG_LEVEL: 'info',
    // Workers of a suite would all want the default metrics port: none unless a suite asks for one.
    WEFT_WORKER_METRICS_PORT: '0',
    ...env,
  }, 'worker started');
}
