/**
 * npm run bench:validate — graph validation time against graph size, in one process: four shapes at
 * n, 2n, 4n and 8n nodes (8n = the default node cap), each timed as the median of several
 * validations and compared with its own n in the same run (linear work doubles with each step:
 * ratios 2, 4, 8). Then the same shapes with the caps lifted, up to 8,000 nodes, and the hostile
 * graph of issue 7, which the caps must refuse at once. Not a test: figures only.
 */
import { DEFAULT_GRAPH_LIMITS, validateGraph, type GraphLimits } from '@weft/domain';
import { HOSTILE_TEXTS, chain, hostile, mesh, nested, references, sizeOf, withTemplate, type BenchGraph } from './validate.shapes';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 21);
const SHAPES: [string, (n: number) => BenchGraph][] = [
  ['chain', chain],
  ['fan-out/fan-in', mesh],
  ['references', references],
  ['nested containers', nested],
];
const NOW = new Date('2026-11-25T00:00:00Z');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function validate(graph: unknown, limits: GraphLimits): { ms: number; ok: boolean; codes: string[] } {
  const t0 = performance.now();
  const result = validateGraph(graph, { limits, now: NOW });
  return { ms: performance.now() - t0, ok: result.ok, codes: [...new Set(result.issues.map((i) => i.code))] };
}

/**
 * The sizes of one shape are timed in turns (n, 2n, 4n, 8n, n, 2n, …) after three warm-up turns,
 * so that load from other processes on the machine falls on every size alike.
 */
function table(title: string, sizes: number[], limits: GraphLimits): void {
  console.log(`\n${title}`);
  console.log('shape               nodes   edges   median ms   ratio to first');
  for (const [name, build] of SHAPES) {
    const graphs = sizes.map((n) => build(n));
    const times: number[][] = graphs.map(() => []);
    for (let turn = 0; turn < REPEATS + 3; turn++) {
      graphs.forEach((graph, k) => {
        const r = validate(graph, limits);
        if (!r.ok) throw new Error(`${name} at ${sizes[k]} nodes does not validate: ${r.codes.join(', ')}`);
        if (turn >= 3) times[k]!.push(r.ms);
      });
    }
    const base = median(times[0]!);
    graphs.forEach((graph, k) => {
      const size = sizeOf(graph);
      const ms = median(times[k]!);
      console.log(`${name.padEnd(18)} ${String(size.nodes).padStart(6)} ${String(size.edges).padStart(7)} ${ms.toFixed(3).padStart(11)} ${(ms / base).toFixed(2).padStart(16)}`);
    });
  }
}

function time(graph: unknown, limits: GraphLimits, repeats: number): { ms: number; ok: boolean; codes: string[] } {
  let last = validate(graph, limits);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push((last = validate(graph, limits)).ms);
  return { ...last, ms: median(times) };
}

function main(): void {
  const n = Math.floor(DEFAULT_GRAPH_LIMITS.maxNodes / 8);
  console.log(`validations per figure: ${REPEATS} (median, sizes in turns after 3 warm-up turns); default caps: ${JSON.stringify(DEFAULT_GRAPH_LIMITS)}`);
  table(`Default caps, n = ${n}`, [n, 2 * n, 4 * n, 8 * n], DEFAULT_GRAPH_LIMITS);

  const lifted: GraphLimits = { ...DEFAULT_GRAPH_LIMITS, maxNodes: 100_000, maxEdges: 500_000 };
  table('Caps lifted (maxNodes 100,000, maxEdges 500,000)', [1_000, 2_000, 4_000, 8_000], lifted);

  console.log('\nTexts that made the reference scanner backtrack (one template node, default caps)');
  for (const [name, text] of HOSTILE_TEXTS) {
    const r = time(withTemplate(text), DEFAULT_GRAPH_LIMITS, REPEATS);
    console.log(`  ${name.padEnd(44)} ${String(text.length).padStart(7)} chars ${r.ms.toFixed(3).padStart(9)} ms`);
  }

  const graph = hostile();
  const size = sizeOf(graph);
  const json = JSON.stringify(graph);
  const refused = time(graph, DEFAULT_GRAPH_LIMITS, REPEATS);
  console.log(`\nIssue 7's graph: ${size.nodes} nodes, ${size.edges} edges, ${(json.length / 1e6).toFixed(2)} MB of JSON`);
  console.log(`  default caps: ${refused.ms.toFixed(3)} ms, ${refused.ok ? 'accepted' : `refused (${refused.codes.join(', ')})`}`);
  const t0 = performance.now();
  JSON.parse(json);
  console.log(`  (parsing its JSON, for scale: ${(performance.now() - t0).toFixed(1)} ms)`);
  const full = time(graph, lifted, 3);
  console.log(`  caps lifted, full validation: ${full.ms.toFixed(1)} ms (${full.ok ? 'valid' : full.codes.join(', ')})`);
}

main();
