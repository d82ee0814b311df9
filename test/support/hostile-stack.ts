import type { Prisma } from '@weft/activities';
import { end, graph, start, tpl } from './graph-builder';
import { eventually, httpClient, publishGraph, resetDatabase, startHarness, type ApiClient, type Harness } from './harness';
import { spawnWorker, type WorkerProcess } from './worker-process';

/** A graph any tenant may run: the control that other tenants still get served. */
export const benignGraph = graph([start, tpl('t', 'Hello, {{ start.name }}'), end({ greeting: '{{ t.text }}' })], [['start', 't'], ['t', 'end']], { name: { type: 'string', required: true } });

export interface HostileStack {
  h: Harness;
  worker: WorkerProcess;
  /** the hostile tenant */
  mallory: ApiClient;
  /** another tenant of the same deployment */
  alice: ApiClient;
}

/**
 * The real API in-process and the production worker in a process of its own, for suites that send
 * graphs which used to crash or wedge workers: a worker that dies fails the test, not the suite.
 */
export function useHostileStack(name: string, workerEnv: Record<string, string> = {}, apiEnv: Record<string, string> = {}) {
  const stack = {} as HostileStack;
  beforeAll(async () => {
    stack.h = await startHarness(name, apiEnv);
    await resetDatabase(stack.h.prisma);
    stack.worker = await spawnWorker(stack.h.taskQueue, workerEnv);
    stack.mallory = httpClient(stack.h.url, await stack.h.key('mallory'));
    stack.alice = httpClient(stack.h.url, await stack.h.key('alice'));
  }, 120_000);
  afterAll(async () => {
    await stack.worker?.stop();
    await stack.h?.close();
  });
  return stack;
}

/** Starts a run (async) and returns its id. */
export async function startRun(api: ApiClient, workflowId: string, inputs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs, ...extra });
  if (r.status !== 202) throw new Error(`run not started: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.id as string;
}

const TERMINAL = ['succeeded', 'partially-succeeded', 'failed', 'cancelled', 'timed-out'];

/** Polls the run until it ends; fails the test if it stays open. */
export async function runEnd(api: ApiClient, runId: string, timeoutMs = 90_000): Promise<any> {
  return eventually(async () => {
    const r = await api('GET', `/v1/runs/${runId}`);
    return TERMINAL.includes(r.body?.data?.status) && r.body.data;
  }, timeoutMs, 300);
}

/** Another tenant's run succeeds on the same worker, and the worker process is still the one we started. */
export async function othersStillServed(stack: HostileStack): Promise<void> {
  const id = await publishGraph(stack.alice, benignGraph, 'benign');
  const r = await stack.alice('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'Alice' }, mode: 'blocking', timeoutMs: 60_000 });
  expect(r.status).toBe(200);
  expect(r.body.data.status).toBe('succeeded');
  expect(r.body.data.outputs).toEqual({ greeting: 'Hello, Alice' });
  expect(stack.worker.alive()).toBe(true);
}

/**
 * Publishes a valid graph, then replaces the stored version with `raw`, the way a version stored
 * under older rules (or damaged in the database) would look to today's interpreter.
 */
export async function publishRaw(stack: HostileStack, api: ApiClient, raw: unknown): Promise<string> {
  const id = await publishGraph(api, graph([start, end({})], [['start', 'end']]), 'raw');
  await stack.h.prisma.workflowVersion.updateMany({ where: { workflowId: id, version: 1 }, data: { graph: raw as Prisma.InputJsonValue } });
  return id;
}

