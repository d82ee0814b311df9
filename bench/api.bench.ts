/**
 * npm run bench:api — the run path against the engine under it, in one process and one run.
 *
 * API path: a published 3-node pure workflow (start → template → end) started in blocking mode over
 * HTTP, served by the production API and worker (apps/{api,worker}/dist/main.js), each in a process
 * of its own. Bare Temporal: an empty workflow on a worker of its own (bench/bare-worker.ts, also its
 * own process, SDK defaults) on its own task queue, started and awaited with the SDK client. Same
 * Temporal dev server, same machine, same moment; the clients of both live in this process.
 *
 * Each round measures latency (runs one at a time, the two alternating) and throughput (CONCURRENCY
 * clients, the two one after the other, order alternating by round); the ratios of the rounds and
 * their spread are printed. Then a burst of BENCH_BURST runs through the API, with the worker's
 * resident memory (and main-thread V8 heap) before, at its peak during, right after and after idling.
 * Not a test: figures.
 *
 * Settings: BENCH_ROUNDS (3), BENCH_LATENCY_RUNS (40 a variant a round), BENCH_THROUGHPUT_RUNS (320),
 * BENCH_CONCURRENCY (16), BENCH_WARMUP (40), BENCH_BURST (2000), BENCH_IDLE_MS (20000), BENCH_API_PORT (7271),
 * BENCH_WORKER_METRICS_PORT (7272);
 * WEFT_WORKER_* and WEFT_INGESTION_* variables go to the product's worker, BENCH_WORKER_NODE_ARGS to its node
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), BENCH_API_NODE_ARGS to the API's.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { apiClient, cpuSecondsOf, pool, rssMbOf, spawnApiApp, spawnWorkerApp, tenantKey, type AppProcess } from './bench-processes';
import { runBench } from './bench-stack';
import { latencyOf, printMemory, printRounds, type MemoryReading, type Round } from './api.report';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = num('BENCH_ROUNDS', 3);
const LATENCY_RUNS = num('BENCH_LATENCY_RUNS', 40);
const THROUGHPUT_RUNS = num('BENCH_THROUGHPUT_RUNS', 320);
const CONCURRENCY = num('BENCH_CONCURRENCY', 16);
const WARMUP = num('BENCH_WARMUP', 40);
const BURST = num('BENCH_BURST', 2000);
const IDLE_MS = num('BENCH_IDLE_MS', 20_000);
const API_PORT = num('BENCH_API_PORT', 7271);
const stamp = Date.now().toString(36);
const env = {
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/weft_bench_api',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/11',
  TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7265',
  // No Milvus: nothing here retrieves (the API connects to it on first use only).
  MILVUS_ADDRESS: process.env.MILVUS_ADDRESS ?? '127.0.0.1:19565',
  TEMPORAL_TASK_QUEUE: `bench-api-${stamp}`,
  TEMPORAL_INGESTION_TASK_QUEUE: `bench-api-ingestion-${stamp}`,
  WEFT_ENCRYPTION_KEY: process.env.WEFT_ENCRYPTION_KEY ?? '0'.repeat(64),
  WEFT_RECONCILE_INTERVAL_MS: '0',
  // The worker's /metrics (on, as deployed) on a port of the benchmark's own.
  WEFT_WORKER_METRICS_PORT: process.env.BENCH_WORKER_METRICS_PORT ?? '7272',
};
const BARE_QUEUE = `bench-bare-${stamp}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pureGraph = {
  dsl: 'weft/v1',
  inputs: { name: { type: 'string', required: true } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'greet', type: 'template', data: { template: 'Hello, {{ start.name }}' } },
    { id: 'done', type: 'end', data: { outputs: { greeting: '{{ greet.text }}' } } },
  ],
  edges: [
    { source: 'start', target: 'greet' },
    { source: 'greet', target: 'done' },
  ],
};

/** The bare worker (bench/bare-worker.ts) in a process of its own. */
async function spawnBareWorker(): Promise<AppProcess> {
  let out = '';
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-worker.js')], {
    env: { PATH: process.env.PATH ?? '', TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS, BENCH_BARE_TASK_QUEUE: BARE_QUEUE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  process.once('exit', () => child.kill('SIGKILL'));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (const deadline = Date.now() + 90_000; !out.includes('bare worker started'); await sleep(100)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`bare worker did not start:\n${out.slice(-2000)}`);
  }
  return {
    pid: child.pid!,
    rssMb: () => rssMbOf(child.pid!),
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The worker's memory now: RSS from /proc, and its main-thread heap from its probe (heap-probe.ts). */
async function readMemory(worker: AppProcess, label: string): Promise<MemoryReading> {
  const before = worker.output().lastIndexOf('weft-heap ');
  process.kill(worker.pid, 'SIGWINCH');
  let heap: MemoryReading['heap'];
  for (let i = 0; i < 20 && !heap; i++) {
    await sleep(50);
    const out = worker.output();
    const at = out.lastIndexOf('weft-heap ');
    if (at > before) heap = JSON.parse(out.slice(at + 10, out.indexOf('\n', at)));
  }
  return { label, rss: worker.rssMb(), heap };
}

async function main() {
  const workerEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^WEFT_(WORKER|INGESTION)_/.test(k))) as Record<string, string>;
  const key = await tenantKey('bench-api', env.DATABASE_URL);
  const temporal = new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS }) });
  const apiProcess = await spawnApiApp(API_PORT, env, '/health/live', (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean));
  const nodeArgs = ['--require', path.join(__dirname, 'heap-probe.js'), ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const worker = await spawnWorkerApp({ ...env, ...workerEnv }, nodeArgs);
  const bare = await spawnBareWorker();
  const api = apiClient(`http://127.0.0.1:${API_PORT}`, key);
  const pids = { worker: worker.pid, api: apiProcess.pid, bare: bare.pid, temporal: Number(process.env.BENCH_TEMPORAL_PID ?? 0), bench: process.pid };
  console.log(`worker settings: ${JSON.stringify(workerEnv)}; rounds ${ROUNDS}, ${LATENCY_RUNS} runs one at a time and ${THROUGHPUT_RUNS} at concurrency ${CONCURRENCY} per variant a round`);

  try {
    const created = await api('POST', '/v1/workflows', { name: 'bench-api', graph: pureGraph });
    const workflowId = created.data.id as string;
    await api('POST', `/v1/workflows/${workflowId}/publish`);

    let n = 0;
    const apiRun = async () => {
      const body = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: { name: `n${n++}` }, mode: 'blocking' }, [200]);
      if (body.data.status !== 'succeeded') throw new Error(`run ${body.data.id} ended ${body.data.status}`);
    };
    const bareRun = () => temporal.workflow.execute('emptyWorkflow', { taskQueue: BARE_QUEUE, workflowId: `bare-${randomUUID()}` });
    const timed = async (run: () => Promise<unknown>) => {
      const t0 = performance.now();
      await run();
      return performance.now() - t0;
    };
    const throughput = async (run: () => Promise<unknown>) => {
      const t0 = performance.now();
      await pool([...Array(THROUGHPUT_RUNS).keys()], CONCURRENCY, async () => void (await run()));
      return THROUGHPUT_RUNS / ((performance.now() - t0) / 1000);
    };

    // Warm-up: bundles loaded, connections and caches warm, JIT settled, on both sides.
    await pool([...Array(WARMUP).keys()], 4, async () => {
      await apiRun();
      await bareRun();
    });

    const rounds: Round[] = [];
    const cpu = { api: { worker: 0, api: 0, temporal: 0, runs: 0 }, bare: { worker: 0, temporal: 0, runs: 0 } };
    const cpuOf = (pid: number) => (pid ? cpuSecondsOf(pid) : 0);
    for (let round = 0; round < ROUNDS; round++) {
      const ms = { api: [] as number[], bare: [] as number[] };
      for (let i = 0; i < LATENCY_RUNS; i++) {
        for (const kind of (i + round) % 2 ? (['bare', 'api'] as const) : (['api', 'bare'] as const)) ms[kind].push(await timed(kind === 'api' ? apiRun : bareRun));
      }
      const rate = { api: 0, bare: 0 };
      for (const kind of round % 2 ? (['bare', 'api'] as const) : (['api', 'bare'] as const)) {
        const c0 = { worker: cpuOf(pids.worker), api: cpuOf(pids.api), bare: cpuOf(pids.bare), temporal: cpuOf(pids.temporal) };
        rate[kind] = await throughput(kind === 'api' ? apiRun : bareRun);
        if (kind === 'api') {
          cpu.api.worker += cpuOf(pids.worker) - c0.worker;
          cpu.api.api += cpuOf(pids.api) - c0.api;
          cpu.api.temporal += cpuOf(pids.temporal) - c0.temporal;
          cpu.api.runs += THROUGHPUT_RUNS;
        } else {
          cpu.bare.worker += cpuOf(pids.bare) - c0.bare;
          cpu.bare.temporal += cpuOf(pids.temporal) - c0.temporal;
          cpu.bare.runs += THROUGHPUT_RUNS;
        }
      }
      rounds.push({ api: { ...latencyOf(ms.api), runsPerSecond: rate.api }, bare: { ...latencyOf(ms.bare), runsPerSecond: rate.bare } });
      console.log(`round ${round + 1}: p50 ${latencyOf(ms.api).p50.toFixed(1)} / ${latencyOf(ms.bare).p50.toFixed(1)} ms, ${rate.api.toFixed(1)} / ${rate.bare.toFixed(1)} runs/s (API / bare)`);
    }
    printRounds(rounds, CONCURRENCY);
    const perRun = (s: number, runs: number) => ((s * 1000) / runs).toFixed(1);
    console.log(
      `CPU per run in the throughput phases: API path: worker ${perRun(cpu.api.worker, cpu.api.runs)} ms, API ${perRun(cpu.api.api, cpu.api.runs)} ms` +
        (pids.temporal ? `, Temporal ${perRun(cpu.api.temporal, cpu.api.runs)} ms` : '') +
        `; bare: worker ${perRun(cpu.bare.worker, cpu.bare.runs)} ms` +
        (pids.temporal ? `, Temporal ${perRun(cpu.bare.temporal, cpu.bare.runs)} ms` : ''),
    );

    // The burst: the worker's memory before, at its peak during, right after, and after idling.
    await sleep(2000);
    const memory: MemoryReading[] = [await readMemory(worker, 'before the burst (warm, idle)')];
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, worker.rssMb());
      } catch {
        // the worker is gone: the burst fails and says so
      }
    }, 250);
    const t0 = performance.now();
    let mid: Promise<MemoryReading> | undefined;
    await pool([...Array(BURST).keys()], CONCURRENCY, async (i) => {
      if (i === BURST / 2) mid = readMemory(worker, `during the burst (${BURST / 2} runs in)`);
      await apiRun();
    });
    const burstS = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (mid) memory.push(await mid);
    memory.push({ label: 'peak during the burst (RSS sampled every 250 ms)', rss: peak });
    memory.push(await readMemory(worker, 'right after the burst'));
    await sleep(IDLE_MS);
    memory.push(await readMemory(worker, `after ${Math.round(IDLE_MS / 1000)} s idle`));
    console.log(`\nburst: ${BURST} runs through the API at concurrency ${CONCURRENCY} in ${burstS.toFixed(1)} s (${(BURST / burstS).toFixed(1)} runs/s)`);
    printMemory(memory);
  } catch (err) {
    console.error(`worker output:\n${worker.output().slice(-3000)}\nAPI output:\n${apiProcess.output().slice(-3000)}\nbare worker output:\n${bare.output().slice(-2000)}`);
    throw err;
  } finally {
    await Promise.all([worker.stop(), apiProcess.stop(), bare.stop()]);
    await temporal.connection.close();
  }
}

runBench(main);
