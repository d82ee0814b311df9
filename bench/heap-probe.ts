/**
 * Preloaded into a benchmark's worker (`node --require heap-probe.js`): on SIGWINCH (harmless by
 * default; the Temporal SDK shuts a worker down on SIGUSR2) it prints one
 * line, `weft-heap {json}`, with the process's memory and the V8 heap of its main thread (the
 * workflow thread's isolate is not visible from here; RSS includes it). Read by api.bench.ts.
 */
import { getHeapStatistics } from 'node:v8';

const MB = 1024 * 1024;
process.on('SIGWINCH', () => {
  const m = process.memoryUsage();
  const h = getHeapStatistics();
  const line = { rss: m.rss / MB, heapUsed: m.heapUsed / MB, heapTotal: m.heapTotal / MB, external: m.external / MB, arrayBuffers: m.arrayBuffers / MB, heapLimit: h.heap_size_limit / MB };
  process.stderr.write(`weft-heap ${JSON.stringify(line)}\n`);
});
