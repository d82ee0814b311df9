/** Memory readings of the parked-runs benchmark and the report it prints. */
import type { AppProcess } from './bench-processes';

const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10_000);

/** Lets queued workflow tasks drain and the collector run before a reading is taken. */
export const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

interface Reading {
  label: string;
  worker: number;
  api: number;
}

/** Resident memory of the worker and the API at marked moments, and the peaks between. */
export class MemoryProbe {
  readonly readings: Reading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private peak = { worker: 0, api: 0 };

  constructor(
    private readonly worker: AppProcess,
    private readonly api: AppProcess,
  ) {}

  /** Samples every half second while on; a `peak` mark reports the highest sample since it was turned on. */
  sampling(on: boolean): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!on) return;
    this.peak = { worker: 0, api: 0 };
    const sample = () => {
      this.peak.worker = Math.max(this.peak.worker, this.worker.rssMb());
      this.peak.api = Math.max(this.peak.api, this.api.rssMb());
    };
    sample();
    this.timer = setInterval(sample, 500);
  }

  mark(label: string, kind: 'now' | 'peak' = 'now'): void {
    const reading = kind === 'peak' ? { label, ...this.peak } : { label, worker: this.worker.rssMb(), api: this.api.rssMb() };
    this.readings.push(reading);
    console.log(`  ${label}: worker ${reading.worker.toFixed(0)} MB, API ${reading.api.toFixed(0)} MB`);
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Report {
  n: number;
  kind: string;
  probe: MemoryProbe;
  /** label, elapsed ms, items */
  throughput: [string, number, number][];
  /** label, p50, p99, max (ms) */
  latency: [string, number, number, number][];
}

export function printReport({ n, kind, probe, throughput, latency }: Report): void {
  const [base, ...rest] = probe.readings;
  if (!base) return;
  const parked = probe.readings.find((r) => r.label.endsWith(' parked'));
  const row = (cells: string[]) => console.log(`| ${cells.join(' | ')} |`);
  console.log(`\n${n} runs parked at ${kind === 'wait' ? 'a wait' : 'an approval'}, resident memory (ratio: of the idle baseline)\n`);
  row(['stage', 'worker MB', 'worker ×', 'API MB', 'API ×']);
  row(['---', '---', '---', '---', '---']);
  for (const r of [base, ...rest]) row([r.label, r.worker.toFixed(0), (r.worker / base.worker).toFixed(2), r.api.toFixed(0), (r.api / base.api).toFixed(2)]);
  if (parked) {
    const kb = (mb: number) => ((mb * 1024) / n).toFixed(1);
    console.log(`\nper parked run: worker ${kb(parked.worker - base.worker)} KB, API ${kb(parked.api - base.api)} KB`);
  }
  console.log('');
  row(['throughput', 'seconds', 'per second']);
  row(['---', '---', '---']);
  for (const [label, ms, items] of throughput) row([label, (ms / 1000).toFixed(1), (items / (ms / 1000)).toFixed(1)]);
  console.log('');
  row(['decision returned → run completed', 'p50 ms', 'p99 ms', 'max ms']);
  row(['---', '---', '---', '---']);
  for (const [label, p50, p99, max] of latency) row([label, p50.toFixed(0), p99.toFixed(0), max.toFixed(0)]);
}
