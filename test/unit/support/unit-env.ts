import { randomUUID } from 'node:crypto';
import { Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
// The SDK opens the test service of a time-skipping server only through this option (its own
// TestWorkflowEnvironment sets it when it launched the server itself); the unit tier launches the
// server on its own (test-server.ts) and connects to it the same way.
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection';
import { TimeSkippingWorkflowClient } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import {
  RUN_WORKFLOW_TYPE,
  validateGraph,
  validateRunInputs,
  type Graph,
  type RunLimits,
  type RunWorkflowInput,
  type RunWorkflowResult,
} from '@weft/domain';
import { FakeActivities, type Behaviour, type RunLog } from './fake-activities';

try {
  // The test server is not a full server: the core SDK warns about capabilities it lacks; keep errors.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
} catch {
  // installed already by an earlier file in this process
}

export interface RunSpec {
  graph: unknown;
  inputs?: Record<string, unknown>;
  /** graphs of sub-workflow nodes by subgraphKey() ("wf_x@latest", "wf_x@2") */
  subgraphs?: Record<string, unknown>;
  limits?: Partial<RunLimits>;
  activities?: Record<string, Behaviour | Behaviour[]>;
  blobs?: Record<string, unknown>;
  /** false: started as before RunWorkflowInput.startWithEnd existed */
  startWithEnd?: false;
}

export interface RunOutcome {
  runId: string;
  result: RunWorkflowResult;
  /** what the run-record port was told about this run */
  log: RunLog;
}

/** A graph as the API would store it: validated, with the schema's defaults filled in. */
export function validGraph(raw: unknown, what = 'graph'): Graph {
  const v = validateGraph(raw);
  if (!v.ok) throw new Error(`${what} is not a valid weft/v1 graph: ${JSON.stringify(v.issues)}`);
  return v.graph;
}

/** The run workflow's input, built as the API builds it (validated graph and inputs, resolved subgraphs). */
export function runInput(spec: RunSpec, runId = `run_${randomUUID().replace(/-/g, '')}`): RunWorkflowInput {
  const graph = validGraph(spec.graph);
  const { values, issues } = validateRunInputs(graph.inputs, spec.inputs ?? {});
  if (issues.length) throw new Error(`run inputs do not fit the graph: ${JSON.stringify(issues)}`);
  const subgraphs = Object.fromEntries(Object.entries(spec.subgraphs ?? {}).map(([key, g]) => [key, validGraph(g, `subgraph ${key}`)]));
  const subgraphVersions = Object.fromEntries(Object.keys(subgraphs).map((key) => [key, Number(/@(\d+)$/.exec(key)?.[1] ?? 1)]));
  return {
    runId,
    tenantId: 'acme',
    workflowId: 'wf_unit',
    version: 1,
    graph,
    inputs: values,
    requestedAt: new Date().toISOString(),
    subgraphs,
    subgraphVersions,
    ...(spec.limits ? { limits: spec.limits } : {}),
    ...(spec.startWithEnd === false ? {} : { startWithEnd: true as const }),
  };
}

export interface UnitEnv {
  fakes: FakeActivities;
  client: TimeSkippingWorkflowClient;
  connection: Connection;
  taskQueue: string;
  /** Runs a graph to its end on the time-skipping server; timers are skipped, not waited out. */
  run(spec: RunSpec): Promise<RunOutcome>;
  /** server time (moves on with every skipped timer) */
  now(): Promise<number>;
  /** Starts a run without waiting for it (time is skipped only while a result is awaited). */
  start(spec: RunSpec): Promise<{ runId: string; handle: WorkflowHandleWithFirstExecutionRunId<(i: RunWorkflowInput) => Promise<RunWorkflowResult>> }>;
}

/**
 * The unit tier's set-up for one test file: a client of the time-skipping test server the
 * globalSetup started, and an in-process Worker running the real run workflow with fake
 * activities on a task queue of its own. No database, no Redis.
 */
export function useUnitEnv(name: string): UnitEnv {
  const address = process.env.WEFT_UNIT_TEMPORAL_ADDRESS;
  const codePath = process.env.WEFT_UNIT_WORKFLOW_BUNDLE;
  const fakes = new FakeActivities();
  const env = { fakes, taskQueue: `unit-${name}-${randomUUID().slice(0, 8)}` } as UnitEnv;
  let native: NativeConnection;
  let running: Promise<void>;
  let worker: Worker;

  beforeAll(async () => {
    if (!address || !codePath) throw new Error('The unit tier runs under its Jest project (globalSetup starts the test server): npm run test:unit');
    const options: InternalConnectionOptions = { address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
    env.connection = await Connection.connect(options);
    env.client = new TimeSkippingWorkflowClient({ connection: env.connection });
    native = await NativeConnection.connect({ address });
    worker = await Worker.create({ connection: native, taskQueue: env.taskQueue, workflowBundle: { codePath }, activities: fakes.activities });
    running = worker.run();
  });

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await native?.close();
    await env.connection?.close();
  });

  env.run = async (spec) => {
    fakes.prepare(spec.activities, spec.blobs);
    const input = runInput(spec);
    const result = await env.client.execute<(i: RunWorkflowInput) => Promise<RunWorkflowResult>>(RUN_WORKFLOW_TYPE, {
      taskQueue: env.taskQueue,
      workflowId: `weft-${input.runId}`,
      args: [input],
    });
    return { runId: input.runId, result, log: fakes.run(input.runId) };
  };
  env.start = async (spec) => {
    fakes.prepare(spec.activities, spec.blobs);
    const input = runInput(spec);
    const handle = await env.client.start<(i: RunWorkflowInput) => Promise<RunWorkflowResult>>(RUN_WORKFLOW_TYPE, {
      taskQueue: env.taskQueue,
      workflowId: `weft-${input.runId}`,
      args: [input],
    });
    return { runId: input.runId, handle };
  };
  env.now = async () => {
    const { time } = await env.connection.testService!.getCurrentTime({});
    return Number(time!.seconds) * 1000 + Math.floor((time!.nanos ?? 0) / 1e6);
  };
  return env;
}

/** Node statuses by key (e.g. "work[each=1]": "failed"), as the run's records say. */
export function statuses(log: RunLog): Record<string, string> {
  return Object.fromEntries([...log.records.values()].map((r) => [r.key, r.status]));
}
