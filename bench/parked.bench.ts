/**
 * npm run bench:parked — what parked runs cost. The production API and worker run in processes of
 * their own against a Temporal dev server of the benchmark's own (scripts/bench.sh starts it). N runs
 * are started through the API and park (at an approval, or with BENCH_PARK=wait at a 30-minute wait
 * that is then cancelled); then every one is woken (approved, or cancelled) and runs to its end.
 * Prints the worker's and the API's resident memory at each stage, absolute and as a ratio of the
 * idle baseline measured in the same run, CPU time per run, how fast runs were parked and decided,
 * and per decision the time from sending it to its answer and to its run's completion (Temporal's
 * close time). Not a test: figures.
 *
 * Settings: N (argument or BENCH_PARKED_RUNS), BENCH_CONCURRENCY (requests in flight), BENCH_IDLE_MS
 * (the idle period after the burst), BENCH_PARK (approval | wait), BENCH_DECIDE (api | update);
 * WEFT_WORKER_* variables (and NODE_OPTIONS) go to the worker, BENCH_WORKER_NODE_ARGS to its node.
 */
import { Client, Connection } from '@temporalio/client';
import { createPrismaClient, payloadDataConverter } from '@weft/activities';
import { temporalWorkflowIdFor } from '@weft/domain';
import { apiClient, pool, spawnApiApp, spawnWorkerApp, tenantKey } from './bench-processes';
import { runBench } from './bench-stack';
import { Probe, printReport, settle, type LatencyRow } from './parked.report';
import { approvalIdsOf, parkedGraph, parkingKind, wakeRun, type ParkingKind } from './parked.parking';

const N = Number(process.argv[2] ?? process.env.BENCH_PARKED_RUNS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 60_000);
/** Runs decided one at a time first: the wake-up of a parked (evicted) run with nothing else going on. */
const ALONE = Math.min(50, Math.floor(N / 10));
const env = {
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/weft_bench',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/13',
  TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7255',
  // The API's readiness includes the vector store (scripts/bench.sh starts the bench stack's own).
  MILVUS_ADDRESS: process.env.MILVUS_ADDRESS ?? '127.0.0.1:19555',
  TEMPORAL_TASK_QUEUE: `bench-parked-${Date.now().toString(36)}`,
  WEFT_ENCRYPTION_KEY: process.env.WEFT_ENCRYPTION_KEY ?? '0'.repeat(64),
  WEFT_RECONCILE_INTERVAL_MS: '0',
};
const API_PORT = Number(process.env.BENCH_API_PORT ?? 3455);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const kind: ParkingKind = parkingKind();
  const workerEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('WEFT_WORKER_') || k === 'NODE_OPTIONS')) as Record<string, string>;
  const prisma = createPrismaClient(env.DATABASE_URL, 4);
  const temporal = new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS }), dataConverter: payloadDataConverter(env) });
  const key = await tenantKey('bench-parked', env.DATABASE_URL);
  const apiProcess = await spawnApiApp(API_PORT, env);
  const worker = await spawnWorkerApp({ ...env, ...workerEnv }, (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean));
  const probe = new Probe({ worker: worker.pid, api: apiProcess.pid, temporal: Number(process.env.BENCH_TEMPORAL_PID ?? process.pid) });
  const api = apiClient(`http://127.0.0.1:${API_PORT}`, key);
  const deps = { api, temporal, prisma };

  /** Waits until `n` runs of the workflow are parked: its pending approvals (or its running runs, at the wait). */
  const parked = async (workflowId: string, n: number) => {
    for (let last = -1, since = Date.now(); ; await sleep(250)) {
      const count =
        kind === 'wait' ? await prisma.run.count({ where: { workflowId, status: 'running' } }) : await prisma.approval.count({ where: { workflowId, status: 'pending' } });
      if (count >= n) return;
      if (count !== last) [last, since] = [count, Date.now()];
      if (Date.now() - since > 120_000) throw new Error(`stuck at ${count} of ${n} parked runs`);
    }
  };

  try {
    const created = await api('POST', '/v1/workflows', { name: `parked-${kind}`, graph: parkedGraph(kind) });
    const workflowId = created.data.id as string;
    await api('POST', `/v1/workflows/${workflowId}/publish`);
    console.log(`parking ${N} runs at ${kind === 'wait' ? 'a 30-minute wait' : 'an approval'}; worker settings: ${JSON.stringify(workerEnv)}`);

    // Baseline: the worker has run one run from start to end (bundle loaded, caches warm), then idles.
    const warm = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: {} });
    await parked(workflowId, 1);
    await wakeRun(kind, deps, warm.data.id);
    await waitClosed(temporal, env.TEMPORAL_TASK_QUEUE, 1);
    await settle();
    const baseline = probe.mark('baseline (idle, after one run)');

    // Park N runs through the API.
    const runIds: string[] = new Array(N);
    const t0 = performance.now();
    probe.sampling(true);
    await pool([...Array(N).keys()], CONCURRENCY, async (i) => {
      runIds[i] = (await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: { n: i } })).data.id;
    });
    const startedMs = performance.now() - t0;
    await parked(workflowId, N);
    const parkedMs = performance.now() - t0;
    probe.sampling(false);
    const parkedReading = probe.mark('peak while parking', 'peak');
    await settle();
    probe.mark(`${N} parked`);

    // Wake every run: some alone, then the rest with CONCURRENCY in flight.
    const sent = new Map<string, { at: number; answered: number }>();
    const approvals = await approvalIdsOf(kind, prisma, runIds);
    const decide = async (runId: string) => {
      const at = Date.now();
      await wakeRun(kind, deps, runId, approvals.get(runId));
      sent.set(temporalWorkflowIdFor(runId), { at, answered: Date.now() - at });
    };
    for (const runId of runIds.slice(0, ALONE)) {
      await decide(runId);
      await waitClosed(temporal, env.TEMPORAL_TASK_QUEUE, 1 + sent.size, 50);
    }
    const beforeDeciding = probe.mark('before the bulk of decisions');
    const t1 = performance.now();
    probe.sampling(true);
    await pool(runIds.slice(ALONE), CONCURRENCY, decide);
    const decidedMs = performance.now() - t1;
    await waitClosed(temporal, env.TEMPORAL_TASK_QUEUE, N + 1);
    const completedMs = performance.now() - t1;
    probe.sampling(false);
    const decidedReading = probe.mark('peak while deciding', 'peak');
    await settle();
    probe.mark('after all decided');
    await sleep(IDLE_MS);
    probe.mark(`after ${Math.round(IDLE_MS / 1000)} s idle`);

    const closed = await closeTimes(temporal, env.TEMPORAL_TASK_QUEUE);
    const batch = (label: string, ids: string[]): LatencyRow => {
      const rows = ids.map((id) => temporalWorkflowIdFor(id)).map((wf) => ({ ...sent.get(wf)!, closed: closed.get(wf)! }));
      return { label, answered: rows.map((r) => r.answered), completed: rows.map((r) => r.closed - r.at) };
    };
    printReport({
      n: N,
      kind,
      readings: probe.readings.filter((r) => r !== beforeDeciding),
      throughput: [
        [`parking: ${N} runs started`, startedMs, N],
        [`parking: ${N} runs parked`, parkedMs, N],
        [`deciding: ${N - ALONE} decisions answered`, decidedMs, N - ALONE],
        [`deciding: ${N - ALONE} runs completed`, completedMs, N - ALONE],
      ],
      cpu: [
        ['parking', baseline, parkedReading, N],
        ['deciding, to completion', beforeDeciding, decidedReading, N - ALONE],
      ],
      latency: [batch(`${ALONE} decided one at a time`, runIds.slice(0, ALONE)), batch(`${N - ALONE} decided ${CONCURRENCY} at a time`, runIds.slice(ALONE))],
    });
  } catch (err) {
    console.error(`worker output:\n${worker.output().slice(-3000)}\nAPI output:\n${apiProcess.output().slice(-3000)}`);
    throw err;
  } finally {
    await worker.stop();
    await apiProcess.stop();
    await prisma.$disconnect();
    await temporal.connection.close();
  }
}

/** Waits until `n` workflows of the task queue are closed. */
async function waitClosed(temporal: Client, taskQueue: string, n: number, everyMs = 250) {
  for (let last = -1, since = Date.now(); ; await sleep(everyMs)) {
    const { count } = await temporal.workflow.count(`TaskQueue = "${taskQueue}" AND ExecutionStatus != "Running"`);
    if (count >= n) return;
    if (count !== last) [last, since] = [count, Date.now()];
    if (Date.now() - since > 120_000) throw new Error(`stuck at ${count} of ${n} closed runs`);
  }
}

/** Temporal's close time of every closed workflow of the task queue (ms since the epoch), by workflow id. */
async function closeTimes(temporal: Client, taskQueue: string): Promise<Map<string, number>> {
  const closed = new Map<string, number>();
  for await (const wf of temporal.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ExecutionStatus != "Running"` })) {
    if (wf.closeTime) closed.set(wf.workflowId, wf.closeTime.getTime());
  }
  return closed;
}

runBench(main);
