/**
 * The production API and worker (apps/{api,worker}/dist/main.js) in processes of their own, as a
 * deployment runs them, so a benchmark can read their resident memory from outside (/proc).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// Compiled to bench/dist/bench/ (rootDir is the repository).
const ROOT = path.join(__dirname, '..', '..', '..');

export interface AppProcess {
  pid: number;
  /** resident memory now, in MB (VmRSS; worker threads included) */
  rssMb(): number;
  output(): string;
  stop(): Promise<void>;
}

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMbOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** CPU time a process used so far (user + system), in seconds, from /proc (Linux; 100 ticks a second). */
export function cpuSecondsOf(pid: number): number {
  // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function spawnApp(name: 'api' | 'worker', env: Record<string, string>, ready: (out: string) => Promise<boolean> | boolean, nodeArgs: string[] = []): Promise<AppProcess> {
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'apps', name, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Interrupted (Ctrl-C, a timeout), the benchmark takes its processes with it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 90_000;
  while (!(await ready(out))) {
    if (gone) throw new Error(`${name} exited before it was ready:\n${out.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${name} not ready within 90 s:\n${out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid!,
    rssMb: () => rssMbOf(child.pid!),
    output: () => out,
    async stop() {
      if (gone) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * The worker, ready once it logged that it started (its LOG_LEVEL is raised to info for that line).
 * `nodeArgs`: flags NODE_OPTIONS refuses, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (BENCH_WORKER_NODE_ARGS).
 */
export function spawnWorkerApp(env: Record<string, string>, nodeArgs: string[] = []): Promise<AppProcess> {
  return spawnApp('worker', { LOG_LEVEL: 'info', ...env }, (out) => out.includes('worker started'), nodeArgs);
}

/**
 * The API on 127.0.0.1:port, ready once `readyPath` (/health/ready) answers 200; the port must be free
 * (not another API's). A benchmark without Milvus waits for /health/live instead.
 */
export async function spawnApiApp(port: number, env: Record<string, string>, readyPath = '/health/ready', nodeArgs: string[] = []): Promise<AppProcess> {
  const taken = await fetch(`http://127.0.0.1:${port}/health/live`).then(
    () => true,
    () => false,
  );
  if (taken) throw new Error(`port ${port} is taken: set BENCH_API_PORT`);
  const ready = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}${readyPath}`)).status === 200;
    } catch {
      return false;
    }
  };
  return spawnApp('api', { ...env, WEFT_API_HOST: '127.0.0.1', WEFT_API_PORT: String(port) }, ready, nodeArgs);
}

/** An admin key of the tenant, made by the project's own CLI (`npm run tenant -- create`). */
export async function tenantKey(tenant: string, databaseUrl: string): Promise<string> {
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(ROOT, 'apps', 'api', 'dist', 'cli', 'tenant.cli.js'), ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl } });
  const { stdout } = await cli('create', tenant);
  // The operator gives the benchmark's workspace request rates it never reaches: the rate limiter
  // still counts every request (its cost is measured), and never refuses one.
  await cli('set-quota', tenant, 'requestsPerMinute=1000000', 'keyRequestsPerMinute=1000000');
  return stdout.trim();
}

/** A JSON client of the API with the key; throws on a status it was not told to expect. */
export function apiClient(baseUrl: string, key: string) {
  return async (method: string, route: string, body?: unknown, expect: number[] = [200, 201, 202]): Promise<any> => {
    const res = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Runs `task` over the items with at most `concurrency` at once. */
export async function pool<T>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}
