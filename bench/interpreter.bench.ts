/**
 * npm run bench:interpreter — the interpreter against a hand-written workflow doing the same work:
 * 10 activity nodes and 10 pure nodes, N runs each, interleaved, one process, one dev server.
 * Prints wall-time medians, their ratio and history events per run. Not a test: figures only.
 */
import { openBenchStack, runBench } from './bench-stack';
import { RUN_WORKFLOW_TYPE, type Graph, type RunWorkflowInput } from '@weft/domain';

const N = Number(process.env.BENCH_RUNS ?? 20);

function benchGraph(): Graph {
  const nodes: Graph['nodes'] = [{ id: 'start', type: 'start' }];
  const edges: Graph['edges'] = [];
  let prev = 'start';
  let text = "'x'";
  for (let i = 0; i < 10; i++) {
    nodes.push({ id: `c${i}`, type: 'code', data: { language: 'javascript', code: 'function main(i) { return i; }', inputs: { value: i === 0 ? 'x-0' : `{{ t${i - 1}.text }}-${i}` } } });
    nodes.push({ id: `t${i}`, type: 'template', data: { template: `{{ c${i}.value }}!` } });
    edges.push({ source: prev, target: `c${i}` }, { source: `c${i}`, target: `t${i}` });
    prev = `t${i}`;
    text = prev;
  }
  nodes.push({ id: 'end', type: 'end', data: { outputs: { text: `{{ ${text}.text }}` } } });
  edges.push({ source: prev, target: 'end' });
  return { dsl: 'weft/v1', nodes, edges };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const graph = benchGraph();
  const stack = await openBenchStack('bench', graph, { code: async (input) => ({ ...((input.config as { inputs: Record<string, unknown> }).inputs ?? {}) }) });
  const { client, taskQueue, tenant, wf, worker } = stack;

  const timeRun = async (kind: 'interpreter' | 'hand-written') => {
    const { runId, workflowId } = await stack.newRun();
    const t0 = performance.now();
    const result =
      kind === 'interpreter'
        ? await client.workflow.execute(RUN_WORKFLOW_TYPE, {
            taskQueue,
            workflowId,
            args: [{ runId, tenantId: tenant.id, workflowId: wf.id, version: null, graph, inputs: {}, requestedAt: new Date().toISOString() } satisfies RunWorkflowInput],
          })
        : await client.workflow.execute('handWrittenBench', { taskQueue, workflowId, args: [{ runId, tenantId: tenant.id, workflowId: wf.id }] });
    const ms = performance.now() - t0;
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return { ms, events: history.events?.length ?? 0, result };
  };

  const times = { interpreter: [] as number[], 'hand-written': [] as number[] };
  const events = { interpreter: 0, 'hand-written': 0 };
  await worker.runUntil(async () => {
    await timeRun('interpreter'); // warm-up: first workflow task, caches
    await timeRun('hand-written');
    for (let i = 0; i < N; i++) {
      for (const kind of i % 2 ? (['hand-written', 'interpreter'] as const) : (['interpreter', 'hand-written'] as const)) {
        const r = await timeRun(kind);
        times[kind].push(r.ms);
        events[kind] = r.events;
      }
    }
  });
  const mi = median(times.interpreter);
  const mh = median(times['hand-written']);
  console.log(`runs per variant: ${N} (interleaved, after one warm-up each)`);
  console.log(`hand-written: median ${mh.toFixed(1)} ms, ${events['hand-written']} history events per run`);
  console.log(`interpreter:  median ${mi.toFixed(1)} ms, ${events.interpreter} history events per run`);
  console.log(`ratio interpreter/hand-written: ${(mi / mh).toFixed(3)}`);
  await stack.close();
}

runBench(main);
