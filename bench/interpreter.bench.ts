/**
 * npm run bench:interpreter — the interpreter against a hand-written workflow doing the same work:
 * 10 activity nodes and 10 pure nodes, N runs each, interleaved, one process, one dev server.
 * Repeated for BENCH_ROUNDS rounds (5): prints each round's wall-time medians and ratio, the spread
 * of the ratio (min / median / max) so that one noisy round cannot mislead, and history events per
 * run. The bundle is built as the worker builds it (apps/worker/src/workflow-bundle.ts). Not a
 * test: figures only.
 */
import { openBenchStack, runBench } from './bench-stack';
import { RUN_WORKFLOW_TYPE, type Graph, type RunWorkflowInput } from '@weft/domain';

const N = Number(process.env.BENCH_RUNS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

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

  const rounds: { interpreter: number; handWritten: number }[] = [];
  const events = { interpreter: 0, 'hand-written': 0 };
  await worker.runUntil(async () => {
    await timeRun('interpreter'); // warm-up: first workflow task, caches
    await timeRun('hand-written');
    for (let round = 0; round < ROUNDS; round++) {
      const times = { interpreter: [] as number[], 'hand-written': [] as number[] };
      for (let i = 0; i < N; i++) {
        for (const kind of (i + round) % 2 ? (['hand-written', 'interpreter'] as const) : (['interpreter', 'hand-written'] as const)) {
          const r = await timeRun(kind);
          times[kind].push(r.ms);
          events[kind] = r.events;
        }
      }
      const r = { interpreter: median(times.interpreter), handWritten: median(times['hand-written']) };
      rounds.push(r);
      console.log(`round ${round + 1}: hand-written ${r.handWritten.toFixed(1)} ms, interpreter ${r.interpreter.toFixed(1)} ms, ratio ${(r.interpreter / r.handWritten).toFixed(3)}`);
    }
  });
  const ratios = rounds.map((r) => r.interpreter / r.handWritten).sort((a, b) => a - b);
  console.log(`runs per variant and round: ${N} (interleaved, after one warm-up each); ${ROUNDS} rounds`);
  console.log(`history events per run: hand-written ${events['hand-written']}, interpreter ${events.interpreter}`);
  console.log(`hand-written median of round medians: ${median(rounds.map((r) => r.handWritten)).toFixed(1)} ms; interpreter: ${median(rounds.map((r) => r.interpreter)).toFixed(1)} ms`);
  console.log(`ratio interpreter/hand-written: median ${median(ratios).toFixed(3)} (min ${ratios[0]!.toFixed(3)}, max ${ratios[ratios.length - 1]!.toFixed(3)}) over ${ROUNDS} rounds`);
  await stack.close();
}

runBench(main);
