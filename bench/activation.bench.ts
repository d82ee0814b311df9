/**
 * npm run bench:activation — how long the interpreter holds the worker's thread at a time on graphs
 * built to make it work hard. An activation that runs for seconds stalls a worker (and past
 * Temporal's deadlock detector, 2 s, aborts it); the budget WEFT_RUN_ACTIVATION_STEPS is what keeps
 * activations short. The worker runs its workflows on this process's main thread (debug mode), so
 * the longest block of the event loop (monitorEventLoopDelay) is the longest activation. Prints, per
 * graph, that block with the default limits and its ratio to a baseline measured in the same run (a
 * plain 20-node graph), and for the template fan-out the same with the budget lifted, as the
 * interpreter ran before the budget existed. Not a test: figures only.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openBenchStack, runBench } from './bench-stack';
import { DEFAULT_RUN_LIMITS, NODE_STEP_COST, RUN_WORKFLOW_TYPE, type Graph, type RunLimits, type RunWorkflowInput } from '@weft/domain';


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

async function main() {
  // Debug mode: workflows on the main thread (and no deadlock detector, so the lifted budget can be shown).
  const stack = await openBenchStack('bench-activation', plain(), {}, { debugMode: true });
  const { client, taskQueue, tenant, wf, worker } = stack;

  /** Runs the graph to its end; returns the longest block of the event loop meanwhile, and the pauses the run took. */
  const blockOf = async (graph: Graph, inputs: Record<string, unknown> = {}, limits: RunLimits = DEFAULT_RUN_LIMITS) => {
    const { runId, workflowId } = await stack.newRun();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t0 = performance.now();
    const result = (await client.workflow.execute(RUN_WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [{ runId, tenantId: tenant.id, workflowId: wf.id, version: null, graph, inputs, requestedAt: new Date().toISOString(), limits } satisfies RunWorkflowInput],
    })) as { status: string };
    const wall = performance.now() - t0;
    delay.disable();
    let pauses = 0;
    for await (const e of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      const history = await client.workflow.getHandle(workflowId, e.runId).fetchHistory();
      for (const ev of history.events ?? []) {
        const payloads = Object.values(ev.markerRecordedEventAttributes?.details ?? {}).flatMap((p) => p?.payloads ?? []);
        if (payloads.some((p) => Buffer.from(p.data ?? []).toString('utf8').includes('pauseTask'))) pauses++;
      }
    }
    return { status: result.status, wall, longest: delay.max / 1e6, pauses };
  };

  const lifted: RunLimits = { ...DEFAULT_RUN_LIMITS, activationSteps: Number.MAX_SAFE_INTEGER };
  const cases: [string, () => Graph, Record<string, unknown>, RunLimits][] = [
    ['plain 20-node graph (baseline)', plain, {}, DEFAULT_RUN_LIMITS],
    ['300 templates at once, 45,000 steps each', templateFanOut, {}, DEFAULT_RUN_LIMITS],
    ['the same, budget lifted (as before it existed)', templateFanOut, {}, lifted],
    [`iteration over ${DEFAULT_RUN_LIMITS.maxIterationItems} items, parallelism 50`, bigIteration, { items: Array.from({ length: DEFAULT_RUN_LIMITS.maxIterationItems }, (_, i) => i) }, DEFAULT_RUN_LIMITS],
    ['loop of 200 passes, a 45,000-step template each', heavyLoop, {}, DEFAULT_RUN_LIMITS],
  ];
  // BENCH_CASES=iteration,loop runs only the cases whose names contain one of those words (the baseline always runs).
  const only = (process.env.BENCH_CASES ?? '').split(',').filter(Boolean);
  let baseline = 0;
  console.log(`limits: ${DEFAULT_RUN_LIMITS.activationSteps} units between pauses (a node ${NODE_STEP_COST}, a template step 1), ${DEFAULT_RUN_LIMITS.templateSteps} template steps`);
  await worker.runUntil(async () => {
    await blockOf(plain()); // warm-up
    for (const [name, make, inputs, limits] of cases.filter(([n], i) => i === 0 || !only.length || only.some((o) => n.includes(o)))) {
      const { status, wall, longest, pauses } = await blockOf(make(), inputs, limits);
      if (!baseline) baseline = longest;
      console.log(
        `${name}: ${status} in ${(wall / 1000).toFixed(1)} s, ${pauses} pauses; longest block of the worker ${longest.toFixed(0)} ms (×${(longest / Math.max(1, baseline)).toFixed(1)} of baseline, ${((longest / 2000) * 100).toFixed(0)}% of the 2 s deadlock limit)`,
      );
    }
  });
  await stack.close();
}

runBench(main);
