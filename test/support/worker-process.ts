import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testEnv } from './test-env';

const WORKER_MAIN = path.join(__dirname, '..', '..', 'apps', 'worker', 'dist', 'main.js');

export interface WorkerProcess {
  pid: number;
  /** still running: it neither exited nor was killed by a signal */
  alive(): boolean;
  /** what it wrote to stdout and stderr so far */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The production worker (apps/worker/dist/main.js) in a process of its own, on a test's task
 * queue. Suites that throw hostile graphs at a worker use it: if the worker dies, the suite sees
 * it (and says so) instead of dying with it.
 */
export async function spawnWorker(taskQueue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: testEnv.databaseUrl,
      REDIS_URL: testEnv.redisUrl,
      TEMPORAL_ADDRESS: testEnv.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WEFT_ENCRYPTION_KEY: testEnv.encryptionKey,
      WEFT_RECONCILE_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
      // Workers of a suite would all want the default metrics port: none unless a suite asks for one.
      WEFT_WORKER_METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s:\n${out.slice(-2000)}`)), 60_000);
    const check = () => {
      if (out.includes('"worker started"') || out.includes('worker started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`worker exited before it started:\n${out.slice(-2000)}`));
    });
  });
  return {
    pid: child.pid!,
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
