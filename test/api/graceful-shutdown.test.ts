/**
 * A deploy during load (docs/deployment.md "Rolling deploys"): 20 runs wait in an http-request
 * node, every one watched by a live event stream (5 of them also by a blocking start request);
 * the API and the worker get SIGTERM. The API answers the blocking requests 202 with Location,
 * ends the streams with a reconnect hint and exits 0; the worker lets the attempts that can finish
 * within its grace finish, cuts the others into a retryable worker_shutdown failure, and exits 0.
 * Started again, the worker retries the cut attempts and every run succeeds; every client
 * resumed with Last-Event-ID and saw its run's whole stream exactly once.
 */
import { createTenantKey } from '../../apps/api/src/auth/api-keys';
import { spawnApi, type ApiProcess } from '../support/api-process';
import { end, graph, start } from '../support/graph-builder';
import { eventually, httpClient, publishGraph, resetDatabase, startHarness, type Harness } from '../support/harness';
import { closedPort, startHttpTarget, type HttpTarget } from '../support/http-target';
import type { Exit } from '../support/service-process';
import { followEvents } from '../support/sse-client';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

const RUNS = 20;
const BLOCKING = 5;
const WORKER_GRACE_MS = 4_000;
const WORKER_FORCE_MS = 5_000;
const API_GRACE_MS = 8_000;
const RETRY_MS = 300;

let h: Harness;
let target: HttpTarget;
const procs: (ApiProcess | WorkerProcess)[] = [];

beforeAll(async () => {
  h = await startHarness('graceful-shutdown');
  await resetDatabase(h.prisma);
  target = await startHttpTarget();
}, 120_000);
afterAll(async () => {
  for (const p of procs) await p.stop();
  await target?.close();
  await h?.close();
});

/** Resolves with how the process ended; fails when it did not end by itself within `boundMs` (it is then killed). */
async function exitOf(proc: ApiProcess | WorkerProcess, boundMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`did not exit within ${boundMs} ms:\n${proc.output().slice(-3000)}`)), boundMs)));
  try {
    return await Promise.race([proc.exited, bound]);
  } finally {
    clearTimeout(timer);
  }
}

it('loses no run and no event when the API and the worker are stopped (SIGTERM) and started again mid-run', async () => {
  const port = await closedPort();
  const apiEnv = { WEFT_SHUTDOWN_GRACE_MS: String(API_GRACE_MS), WEFT_SSE_RETRY_MS: String(RETRY_MS) };
  const workerEnv = {
    WEFT_HTTP_ALLOWLIST: `127.0.0.1:${target.port}`,
    WEFT_INGESTION_WORKER: 'false',
    WEFT_WORKER_SHUTDOWN_GRACE_MS: String(WORKER_GRACE_MS),
    WEFT_WORKER_SHUTDOWN_FORCE_MS: String(WORKER_FORCE_MS),
  };
  const first = { api: await spawnApi(port, h.taskQueue, apiEnv), worker: await spawnWorker(h.taskQueue, workerEnv) };
  procs.push(first.api, first.worker);
  const key = (await createTenantKey(h.prisma, 'acme', 'admin')).key;
  const api = httpClient(first.api.url, key);
  const g = graph(
    [start, { id: 'fetch', type: 'http-request', data: { url: target.url('/gate/{{ start.tag }}') } }, end({ status: '{{ fetch.status }}' })],
    [['start', 'fetch'], ['fetch', 'end']],
    { tag: { type: 'string' } },
  );
  const workflowId = await publishGraph(api, g);

  const tags = Array.from({ length: RUNS }, (_, i) => `t${i}`);
  // The last BLOCKING runs are started in blocking mode: their requests are open at SIGTERM.
  const blocking = tags.slice(RUNS - BLOCKING).map((tag) => api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: { tag }, mode: 'blocking', timeoutMs: 120_000 }));
  for (const tag of tags.slice(0, RUNS - BLOCKING)) expect((await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: { tag } })).status).toBe(202);
  // Every run is inside its http-request node, held by the target.
  await eventually(async () => new Set(target.seen.filter((r) => r.path.startsWith('/gate/')).map((r) => r.path)).size === RUNS, 90_000);
  const runIdOf = new Map((await h.prisma.run.findMany({ where: { workflowId } })).map((r) => [(r.inputs as { tag: string }).tag, r.id]));
  expect(runIdOf.size).toBe(RUNS);
  const followers = new Map(tags.map((tag) => [tag, followEvents(first.api.url, runIdOf.get(tag)!, key, 180_000)]));
  // Every client is connected and has seen its node start.
  await eventually(async () => [...followers.values()].every((f) => f.seen.events.some((e) => e.event === 'node.started' && e.data.nodeId === 'fetch')), 60_000);

  first.api.kill('SIGTERM');
  first.worker.kill('SIGTERM');
  // Half of the held attempts can finish within the worker's grace; the other half are cut.
  const finishing = tags.slice(0, RUNS / 2);
  const cut = tags.slice(RUNS / 2);
  for (const tag of finishing) target.release(tag);

  for (const answer of await Promise.all(blocking)) {
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(`/v1/runs/${answer.body.data.id}`);
  }
  expect(await exitOf(first.api, API_GRACE_MS + 10_000)).toEqual({ code: 0, signal: null });
  expect(await exitOf(first.worker, WORKER_GRACE_MS + WORKER_FORCE_MS + 10_000)).toEqual({ code: 0, signal: null });

  const second = { api: await spawnApi(port, h.taskQueue, apiEnv), worker: await spawnWorker(h.taskQueue, workerEnv) };
  procs.push(second.api, second.worker);
  for (const tag of cut) target.release(tag);

  const followed = new Map(await Promise.all([...followers].map(async ([tag, f]) => [tag, await f.done] as const)));
  const again = httpClient(second.api.url, key);
  for (const tag of tags) {
    const runId = runIdOf.get(tag)!;
    expect((await again('GET', `/v1/runs/${runId}`)).body.data).toMatchObject({ id: runId, status: 'succeeded' });
    const { events, resumedFrom } = followed.get(tag)!;
    // The stream ended by the shutdown said so, with a reconnect delay, and carried no id (a client
    // that came back on a kept-alive connection before the old API was gone was told again).
    const closing = events.filter((e) => e.event === 'server.closing');
    expect(closing.length).toBeGreaterThan(0);
    for (const c of closing) expect(c).toEqual({ event: 'server.closing', data: { reason: 'shutdown', retryMs: RETRY_MS }, retry: RETRY_MS });
    // The client came back with the id of the last event it had seen.
    const before = events.slice(0, events.indexOf(closing[0]!)).filter((e) => e.id !== undefined);
    expect(resumedFrom[0]).toBe(before.at(-1)!.id);
    expect(resumedFrom.length).toBeGreaterThanOrEqual(closing.length);
    // What it saw over both connections is the run's whole stream: no gap, no duplicate.
    const ids = events.filter((e) => e.id !== undefined).map((e) => e.id);
    const stream = (await h.redis.xrange(`weft:run:${runId}:events`, '-', '+')).map(([id]) => id);
    expect(ids).toEqual(stream);
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.at(-1)).toMatchObject({ event: 'run.finished', data: { runId, status: 'succeeded' } });
  }
  // Attempts running at SIGTERM finished within the grace; the ones still held were cut, and retried.
  const attempts = async (tag: string) =>
    (await h.prisma.nodeAttempt.findMany({ where: { runId: runIdOf.get(tag)!, nodeKey: 'fetch' }, orderBy: { attempt: 'asc' } })).map((a) => ({
      attempt: a.attempt,
      status: a.status,
      code: (a.error as { code?: string } | null)?.code,
    }));
  for (const tag of finishing) expect(await attempts(tag)).toEqual([{ attempt: 1, status: 'succeeded', code: undefined }]);
  for (const tag of cut) {
    expect(await attempts(tag)).toEqual([
      { attempt: 1, status: 'failed', code: 'worker_shutdown' },
      { attempt: 2, status: 'succeeded', code: undefined },
    ]);
    const retrying = followed.get(tag)!.events.find((e) => e.event === 'node.retrying');
    expect(retrying?.data).toMatchObject({ nodeId: 'fetch', attempt: 2, error: { code: 'worker_shutdown' } });
  }
}, 300_000);
