import { createServer } from 'node:net';

/** One sample of a Prometheus text scrape: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  text: string;
  samples: Sample[];
  /** the sum of the samples of `name` whose labels include every one of `labels` (0 when none) */
  value(name: string, labels?: Record<string, string>): number;
  has(name: string): boolean;
}

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

/** Reads a Prometheus text-format answer (comments and HELP/TYPE lines left out). */
export function parsePrometheus(text: string): Scrape {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k!] = v!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  const matching = (name: string, labels: Record<string, string>) => samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    text,
    samples,
    value: (name, labels = {}) => matching(name, labels).reduce((n, s) => n + s.value, 0),
    has: (name) => samples.some((s) => s.name === name),
  };
}

/** GET a /metrics endpoint and parse it; fails on anything but a 200 in text format. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`scrape of ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain')) throw new Error(`scrape of ${url} answered ${res.headers.get('content-type')}`);
  return parsePrometheus(text);
}

/** A loopback port nothing listens on now (for a process started next that needs a fixed one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
