/** Readings of the parked-runs benchmark (memory, CPU) and the report it prints. */
import { cpuSecondsOf, rssMbOf } from './bench-processes';

const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10_000);

/** Lets queued workflow tasks drain and the collector run before a reading is taken. */
export const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

export type Role = 'worker' | 'api' | 'temporal';
type PerRole = Record<Role, number>;

interface Reading {
  label: string;
  rss: PerRole;
  cpu: PerRole;
}

/** Resident memory and CPU time of the worker, the API and the Temporal server at marked moments, and the memory peaks between. */
export class Probe {
  readonly readings: Reading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private peak: PerRole = { worker: 0, api: 0, temporal: 0 };

  constructor(private readonly pids: PerRole) {}

  private read(of: (pid: number) => number): PerRole {
    return { worker: of(this.pids.worker), api: of(this.pids.api), temporal: of(this.pids.temporal) };
  }

  /** Samples memory every half second while on; a `peak` mark reports the highest sample since it was turned on. */
  sampling(on: boolean): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!on) return;
    this.peak = { worker: 0, api: 0, temporal: 0 };
    const sample = () => {
      const now = this.read(rssMbOf);
      for (const role of Object.keys(now) as Role[]) this.peak[role] = Math.max(this.peak[role], now[role]);
    };
    sample();
    this.timer = setInterval(sample, 500);
  }

  mark(label: string, kind: 'now' | 'peak' = 'now'): Reading {
    const reading = { label, rss: kind === 'peak' ? { ...this.peak } : this.read(rssMbOf), cpu: this.read(cpuSecondsOf) };
    this.readings.push(reading);
    console.log(`  ${label}: worker ${reading.rss.worker.toFixed(0)} MB, API ${reading.rss.api.toFixed(0)} MB, Temporal ${reading.rss.temporal.toFixed(0)} MB`);
    return reading;
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One batch of decisions: per run, ms from sending the decision to its answer and to the run's completion. */
export interface LatencyRow {
  label: string;
  answered: number[];
  completed: number[];
}

export interface Report {
  n: number;
  kind: string;
  readings: Reading[];
  /** label, elapsed ms, items */
  throughput: [string, number, number][];
  /** label, CPU phase between two readings, items */
  cpu: [string, Reading, Reading, number][];
  latency: LatencyRow[];
}

const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);
const table = (head: string[]) => {
  console.log('');
  row(head);
  row(head.map(() => '---'));
};

export function printReport({ n, kind, readings, throughput, cpu, latency }: Report): void {
  const [base, ...rest] = readings;
  if (!base) return;
  console.log(`\n${n} runs parked at ${kind === 'wait' ? 'a wait' : 'an approval'}; resident memory, × = ratio to the idle baseline`);
  table(['stage', 'worker MB', 'worker ×', 'API MB', 'API ×', 'Temporal MB']);
  for (const r of [base, ...rest]) row([r.label, r.rss.worker.toFixed(0), (r.rss.worker / base.rss.worker).toFixed(2), r.rss.api.toFixed(0), (r.rss.api / base.rss.api).toFixed(2), r.rss.temporal.toFixed(0)]);
  const parked = readings.find((r) => r.label.endsWith(' parked'));
  if (parked) {
    const kb = (mb: number) => ((mb * 1024) / n).toFixed(1);
    console.log(`\nper parked run: worker ${kb(parked.rss.worker - base.rss.worker)} KB, API ${kb(parked.rss.api - base.rss.api)} KB`);
  }
  table(['throughput', 'seconds', 'per second']);
  for (const [label, ms, items] of throughput) row([label, (ms / 1000).toFixed(1), (items / (ms / 1000)).toFixed(1)]);
  table(['CPU time per run (ms)', 'worker', 'API', 'Temporal server']);
  for (const [label, from, to, items] of cpu) {
    const per = (role: Role) => (((to.cpu[role] - from.cpu[role]) * 1000) / items).toFixed(1);
    row([label, per('worker'), per('api'), per('temporal')]);
  }
  table(['decisions (ms from sending)', 'answer p50', 'answer p99', 'run completed p50', 'run completed p99', 'completed after the answer p50', 'p99']);
  for (const { label, answered, completed } of latency) {
    const after = completed.map((c, i) => c - answered[i]!);
    const f = (x: number) => x.toFixed(0);
    row([label, f(percentile(answered, 50)), f(percentile(answered, 99)), f(percentile(completed, 50)), f(percentile(completed, 99)), f(percentile(after, 50)), f(percentile(after, 99))]);
  }
}
