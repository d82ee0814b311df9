/**
 * npm run bench:activation — how long the interpreter's longest workflow task lasts on graphs built
 * to make it work hard, under the default run limits. A task that runs for seconds stalls a worker
 * (and past Temporal's deadlock detector, 2 s, can abort it); the per-task budget
 * (WEFT_RUN_ACTIVATION_STEPS) is what keeps tasks short. Prints, per graph, the longest and the
 * 99th-percentile task (WorkflowTaskStarted → WorkflowTaskCompleted in history), the number of tasks,
 * and the longest task's ratio to a baseline measured in the same run: a plain 20-node graph.
 * Not a test: figures only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { RunEventStream, createActivities, createLogger, createPrismaClient } from '@weft/activities';
import { DEFAULT_RUN_LIMITS, RUN_WORKFLOW_TYPE, type Graph, type RunWorkflowInput } from '@weft/domain';

const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/weft';

type Node = Graph['nodes'][number];
const chain = (nodes: Node[]): Graph => ({
  dsl: 'weft/v1',
  nodes,
  edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })),
});

/** The baseline: twenty small templates in a row. */
function plain(): Graph {
  return chain([{ id: 'start', type: 'start' }, ...Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, type: 'template', data: { template: `step ${i}` } })), { id: 'end', type: 'end', data: { outputs: {} } }]);
}

/** 300 templates ready at once, each rendering close to the per-template step limit. */
function templateFanOut(): Graph {
  const steps = Math.floor(DEFAULT_RUN_LIMITS.templateSteps * 0.9);
  const templates = Array.from({ length: 300 }, (_, i) => ({ id: `t${i}`, type: 'template', data: { template: `{% for i in (1..${steps}) %}{% endfor %}${i}` } }));
  return {
    dsl: 'weft/v1',
    nodes: [{ id: 'start', type: 'start' }, ...templates, { id: 'end', type: 'end', data: { outputs: {} } }],
    edges: templates.flatMap((t) => [
      { source: 'start', target: t.id },
      { source: t.id, target: 'end' },
    ]),
  };
}

/** An iteration over the most items allowed, fifty at a time, with a trivial inner graph. */
function bigIteration(): Graph {
  return chain([
    { id: 'start', type: 'start' },
    {
      id: 'each',
      type: 'iteration',
      data: {
        items: '{{ start.items }}',
        parallelism: 50,
        output: '{{ each.item }}',
        graph: { nodes: [{ id: 's', type: 'start' }, { id: 'e', type: 'end', data: { outputs: {} } }], edges: [{ source: 's', target: 'e' }] },
      },
    },
    { id: 'end', type: 'end', data: { outputs: { n: '{{ each.results }}' } } },
  ]);
}

/** A loop of 200 passes, each pass a template close to the step limit. */
function heavyLoop(): Graph {
  const steps = Math.floor(DEFAULT_RUN_LIMITS.templateSteps * 0.9);
  return chain([
    { id: 'start', type: 'start' },
    {
      id: 'lp',
      type: 'loop',
      data: {
        maxIterations: 200,
        graph: {
          nodes: [{ id: 'ls', type: 'start' }, { id: 'lt', type: 'template', data: { template: `{% for i in (1..${steps}) %}{% endfor %}` } }, { id: 'le', type: 'end', data: { outputs: {} } }],
          edges: [
            { source: 'ls', target: 'lt' },
            { source: 'lt', target: 'le' },
          ],
        },
      },
    },
    { id: 'end', type: 'end', data: { outputs: {} } },
  ]);
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
};

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const prisma = createPrismaClient(databaseUrl, 4);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  const tenant = await prisma.tenant.upsert({ where: { name: 'bench' }, create: { id: `tn_${randomUUID()}`, name: 'bench' }, update: {} });
  const wf = await prisma.workflow.create({ data: { id: `wf_${randomUUID()}`, tenantId: tenant.id, name: 'bench-activation', draft: plain() as never } });
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./bench.workflows'), logger: new DefaultLogger('WARN') });
  const activities = createActivities({
    prisma,
    events: new RunEventStream(redis),
    logger: createLogger({ service: 'bench', silent: true }),
    encryptionKey: process.env.WEFT_ENCRYPTION_KEY ?? randomBytes(32).toString('hex'),
    executors: {},
  });
  const worker = await Worker.create({ connection: await NativeConnection.connect({ address }), taskQueue, workflowBundle, activities });
  const client = new Client({ connection: await Connection.connect({ address }) });

  /** Runs the graph to its end; returns the durations of every workflow task of every execution of the run. */
  const tasksOf = async (graph: Graph, inputs: Record<string, unknown> = {}) => {
    const runId = `run_${randomUUID().replace(/-/g, '')}`;
    const workflowId = `bench-${runId}`;
    await prisma.run.create({ data: { id: runId, tenantId: tenant.id, workflowId: wf.id, version: null, status: 'queued', inputs: {}, temporalWorkflowId: workflowId } });
    const t0 = performance.now();
    const result = (await client.workflow.execute(RUN_WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [{ runId, tenantId: tenant.id, workflowId: wf.id, version: null, graph, inputs, requestedAt: new Date().toISOString(), limits: DEFAULT_RUN_LIMITS } satisfies RunWorkflowInput],
    })) as { status: string };
    const wall = performance.now() - t0;
    const durations: number[] = [];
    for await (const e of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      const history = await client.workflow.getHandle(workflowId, e.runId).fetchHistory();
      let started: number | undefined;
      for (const ev of history.events ?? []) {
        const at = Number(ev.eventTime?.seconds ?? 0) * 1000 + Math.floor(Number(ev.eventTime?.nanos ?? 0) / 1e6);
        if (ev.workflowTaskStartedEventAttributes) started = at;
        if ((ev.workflowTaskCompletedEventAttributes || ev.workflowTaskFailedEventAttributes) && started !== undefined) durations.push(at - started);
      }
    }
    return { status: result.status, wall, durations };
  };

  const cases: [string, () => Graph, Record<string, unknown>][] = [
    ['plain 20-node graph (baseline)', plain, {}],
    ['300 templates at once, 45,000 steps each', templateFanOut, {}],
    [`iteration over ${DEFAULT_RUN_LIMITS.maxIterationItems} items, parallelism 50`, bigIteration, { items: Array.from({ length: DEFAULT_RUN_LIMITS.maxIterationItems }, (_, i) => i) }],
    ['loop of 200 passes, a 45,000-step template each', heavyLoop, {}],
  ];
  // BENCH_CASES=iteration,loop runs only the cases whose names contain one of those words (the baseline always runs).
  const only = (process.env.BENCH_CASES ?? '').split(',').filter(Boolean);
  let baseline = 0;
  console.log(`limits: ${DEFAULT_RUN_LIMITS.activationSteps} units per task, ${DEFAULT_RUN_LIMITS.templateSteps} template steps`);
  await worker.runUntil(async () => {
    await tasksOf(plain()); // warm-up
    for (const [name, make, inputs] of cases.filter(([n], i) => i === 0 || !only.length || only.some((o) => n.includes(o)))) {
      const { status, wall, durations } = await tasksOf(make(), inputs);
      const longest = Math.max(...durations);
      if (!baseline) baseline = longest;
      console.log(
        `${name}: ${status}, ${(wall / 1000).toFixed(1)} s, ${durations.length} tasks; longest task ${longest} ms (×${(longest / Math.max(1, baseline)).toFixed(1)} of baseline, ${((longest / 2000) * 100).toFixed(0)}% of the 2 s deadlock limit), p99 ${percentile(durations, 0.99)} ms`,
      );
    }
  });
  await prisma.run.deleteMany({ where: { workflowId: wf.id } });
  await prisma.workflow.delete({ where: { id: wf.id } });
  await prisma.$disconnect();
  redis.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
