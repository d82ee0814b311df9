/** Figures of `npm run bench:api`: percentiles, the spread of ratios over rounds, memory readings. */
import { percentile } from './parked.report';

export interface Round {
  api: { p50: number; p95: number; runsPerSecond: number };
  bare: { p50: number; p95: number; runsPerSecond: number };
}

export function latencyOf(ms: number[]): { p50: number; p95: number } {
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

/** min / median / max of a list, for "how much did rounds disagree". */
export function spread(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);

export function printRounds(rounds: Round[], concurrency: number): void {
  console.log('');
  row(['round', 'API p50 / p95 ms', 'bare p50 / p95 ms', 'p50 ratio', `API runs/s @${concurrency}`, `bare runs/s @${concurrency}`, 'throughput ratio']);
  row(['---', '---', '---', '---', '---', '---', '---']);
  rounds.forEach((r, i) =>
    row([
      i + 1,
      `${f1(r.api.p50)} / ${f1(r.api.p95)}`,
      `${f1(r.bare.p50)} / ${f1(r.bare.p95)}`,
      f2(r.api.p50 / r.bare.p50),
      f1(r.api.runsPerSecond),
      f1(r.bare.runsPerSecond),
      f2(r.api.runsPerSecond / r.bare.runsPerSecond),
    ]),
  );
  const p50 = spread(rounds.map((r) => r.api.p50 / r.bare.p50));
  const tput = spread(rounds.map((r) => r.api.runsPerSecond / r.bare.runsPerSecond));
  console.log('');
  console.log(`p50 ratio API/bare (aim <= 1.5): median ${f2(p50.median)} (min ${f2(p50.min)}, max ${f2(p50.max)}) over ${rounds.length} rounds`);
  console.log(`throughput ratio API/bare at concurrency ${concurrency} (aim >= 0.7): median ${f2(tput.median)} (min ${f2(tput.min)}, max ${f2(tput.max)})`);
}

export interface MemoryReading {
  label: string;
  rss: number;
  /** the worker's main-thread V8 heap (used / total), when its probe answered */
  heap?: { heapUsed: number; heapTotal: number; external: number };
}

export function printMemory(readings: MemoryReading[]): void {
  console.log('');
  row(['worker', 'RSS MB', 'main-thread V8 heap used / total MB', 'external MB']);
  row(['---', '---', '---', '---']);
  for (const r of readings) row([r.label, r.rss.toFixed(0), r.heap ? `${r.heap.heapUsed.toFixed(0)} / ${r.heap.heapTotal.toFixed(0)}` : '-', r.heap ? r.heap.external.toFixed(0) : '-']);
}
