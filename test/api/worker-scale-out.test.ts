/**
 * Scale-out (docs/deployment.md "Scaling"): two worker processes on one task queue share the
 * runs, and one of them dies (SIGKILL) while it holds attempts: no run is lost. Which worker did
 * what is read from Temporal's history (the identity, `<pid>@<host>`, of the worker that took each
 * task), made deterministic by giving the first worker 10 activity slots and filling them before
 * the second one starts: the second batch's attempts can only go to the second worker.
 */
import { hostname } from 'node:os';
import { decodeTimeoutType } from '@temporalio/common';
import { end, graph, start } from '../support/graph-builder';
import { eventually, httpClient, publishGraph, resetDatabase, startHarness, type Harness } from '../support/harness';
import { startHttpTarget, type HttpTarget } from '../support/http-target';
import { testEnv } from '../support/test-env';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

const BATCH = 10;

let h: Harness;
let target: HttpTarget;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  h = await startHarness('scale-out');
  await resetDatabase(h.prisma);
  target = await startHttpTarget();
}, 120_000);
afterAll(async () => {
  for (const w of workers) await w.stop();
  await target?.close();
  await h?.close();
});

const gatesSeen = () => new Set(target.seen.filter((r) => r.path.startsWith('/gate/')).map((r) => r.path)).size;

it('shares runs between two workers, and loses none when one is killed (SIGKILL) holding attempts', async () => {
  const env = { WEFT_HTTP_ALLOWLIST: `127.0.0.1:${target.port}`, WEFT_INGESTION_WORKER: 'false', WEFT_WORKER_MAX_ACTIVITIES: String(BATCH) };
  const api = httpClient(h.url, await h.key('acme'));
  // The node's timeout outlasts the second worker's start; the killed worker's attempts are noticed
  // by their heartbeat timeout (30 s, the most a node's is), well before the node's own.
  const g = graph(
    [start, { id: 'fetch', type: 'http-request', timeout: '120s', data: { url: target.url('/gate/{{ start.tag }}') } }, end({ status: '{{ fetch.status }}' })],
    [['start', 'fetch'], ['fetch', 'end']],
    { tag: { type: 'string' } },
  );
  const workflowId = await publishGraph(api, g);
  const startRuns = async (tags: string[]) => {
    const ids: string[] = [];
    for (const tag of tags) ids.push((await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: { tag } })).body.data.id as string);
    return ids;
  };

  const a = await spawnWorker(h.taskQueue, env);
  workers.push(a);
  const first = await startRuns(Array.from({ length: BATCH }, (_, i) => `a${i}`));
  // Worker A holds one attempt per run: its activity slots are all taken.
  await eventually(async () => gatesSeen() === BATCH, 90_000);
  const b = await spawnWorker(h.taskQueue, env);
  workers.push(b);
  const second = await startRuns(Array.from({ length: BATCH }, (_, i) => `b${i}`));
  await eventually(async () => gatesSeen() === 2 * BATCH, 90_000);

  a.kill('SIGKILL');
  expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
  for (let i = 0; i < BATCH; i++) {
    target.release(`a${i}`);
    target.release(`b${i}`);
  }

  const runs = [...first, ...second];
  await eventually(async () => (await h.prisma.run.count({ where: { id: { in: runs }, status: 'succeeded' } })) === runs.length, 120_000, 500);
  expect(b.alive()).toBe(true);

  // Who took what, from each run's history: the final attempt of the http node and the workflow tasks.
  const identityA = `${a.pid}@${hostname()}`;
  const identityB = `${b.pid}@${hostname()}`;
  const taken = async (runId: string) => {
    const run = await h.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const events = (await h.temporal.workflow.getHandle(run.temporalWorkflowId).fetchHistory()).events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'nodeHttpRequest');
    expect(scheduled).toHaveLength(1);
    const attempt = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled[0]!.eventId))!.activityTaskStartedEventAttributes!;
    const workflowTasks = events.filter((e) => e.workflowTaskCompletedEventAttributes).map((e) => e.workflowTaskCompletedEventAttributes!.identity);
    return { attempt: attempt.attempt, by: attempt.identity, lastFailure: decodeTimeoutType(attempt.lastFailure?.timeoutFailureInfo?.timeoutType), workflowTasks };
  };
  for (const runId of first) {
    const t = await taken(runId);
    // A started the run and took its first attempt; that attempt timed out (no heartbeat) and B took the next.
    expect(t.workflowTasks[0]).toBe(identityA);
    expect(t).toMatchObject({ attempt: 2, by: identityB, lastFailure: 'HEARTBEAT' });
  }
  for (const runId of second) expect(await taken(runId)).toMatchObject({ attempt: 1, by: identityB });
  // The node records say the same: a second attempt succeeded where the first was lost with its worker.
  for (const runId of first) {
    const attempts = await h.prisma.nodeAttempt.findMany({ where: { runId, nodeKey: 'fetch' }, orderBy: { attempt: 'asc' } });
    expect(attempts.map((x) => x.attempt)).toEqual([1, 2]);
    expect(attempts[1]!.status).toBe('succeeded');
  }
}, 300_000);

it('runs a worker process for ingestion only or for runs only, as its settings say', async () => {
  const ingestionQueue = `${h.taskQueue}-ingestion`;
  const env = { TEMPORAL_INGESTION_TASK_QUEUE: ingestionQueue, MILVUS_ADDRESS: testEnv.milvusAddress };
  const ingestionOnly = await spawnWorker(h.taskQueue, { ...env, WEFT_RUN_WORKER: 'false' });
  workers.push(ingestionOnly);
  const runsOnly = await spawnWorker(h.taskQueue, { ...env, WEFT_INGESTION_WORKER: 'false' });
  workers.push(runsOnly);
  // Pollers as Temporal sees them, per queue and task type (workflow: 1, activity: 2).
  const pollers = async (queue: string, taskQueueType: 1 | 2) =>
    ((await h.temporal.workflowService.describeTaskQueue({ namespace: testEnv.namespace, taskQueue: { name: queue }, taskQueueType })).pollers ?? []).map((p) => p.identity);
  const ingestionId = `${ingestionOnly.pid}@${hostname()}`;
  const runsId = `${runsOnly.pid}@${hostname()}`;
  await eventually(async () => (await pollers(ingestionQueue, 1)).includes(ingestionId) && (await pollers(h.taskQueue, 1)).includes(runsId), 60_000);
  for (const type of [1, 2] as const) {
    expect(await pollers(h.taskQueue, type)).not.toContain(ingestionId);
    expect(await pollers(ingestionQueue, type)).not.toContain(runsId);
  }
  const started = (proc: WorkerProcess) => JSON.parse(proc.output().split('\n').find((line) => line.includes('"worker started"'))!) as Record<string, unknown>;
  expect(started(ingestionOnly)).toMatchObject({ ingestionTaskQueue: ingestionQueue });
  expect(started(ingestionOnly)).not.toHaveProperty('taskQueue');
  expect(started(runsOnly)).toMatchObject({ taskQueue: h.taskQueue });
  expect(started(runsOnly)).not.toHaveProperty('ingestionTaskQueue');
  // Both drain and exit cleanly on SIGTERM.
  expect(await ingestionOnly.stop()).toEqual({ code: 0, signal: null });
  expect(await runsOnly.stop()).toEqual({ code: 0, signal: null });
}, 180_000);
