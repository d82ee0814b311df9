import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DocumentFormat } from '@weft/domain';
import type { ParseReply, ParseRequest } from './parse.protocol';

export interface ParserPoolOptions {
  /** documents parsed at once, one thread each (default 2) */
  threads?: number;
  /** wall time of one document's parse before its thread is terminated (default 60 s) */
  timeoutMs?: number;
  /** V8 heap bound of each thread (default 256 MiB) */
  heapMiB?: number;
  /**
   * Growth of the process's resident memory allowed while documents are parsed (default 1 GiB).
   * A thread's heap bound does not cover ArrayBuffers, which is where a decompression bomb (a
   * PDF stream or a zip entry that inflates a thousandfold) lands: past this growth the threads
   * parsing are terminated.
   */
  memoryGrowthBytes?: number;
  /** documents one thread parses before it is replaced (default 200) */
  recycleAfter?: number;
  /** path of the compiled thread entry; found next to this file or in dist/ by default */
  script?: string;
}

/** Why a thread was ended while it parsed: a bound, a crash, or the pool's shutdown (not the document's fault). */
export type ThreadLoss = 'timeout' | 'memory' | 'crashed' | 'closed';
export type PoolReply = ParseReply | { ok: false; lost: ThreadLoss; detail?: string };

const MIB = 1024 * 1024;
const WATCH_INTERVAL_MS = 50;

function defaultScript(): string {
  const candidates = [join(__dirname, 'parse.thread.js'), resolve(__dirname, '../../../dist/knowledge/parse/parse.thread.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`The document parse thread is not built (looked for ${candidates.join(', ')}): run npm run build`);
  return found;
}

class ParseThread {
  readonly worker: Worker;
  jobs = 0;
  private pending: { id: number; resolve(r: PoolReply): void; timer: NodeJS.Timeout } | undefined;
  private killedFor: ThreadLoss | undefined;
  private error: Error | undefined;
  exited = false;

  constructor(script: string, heapMiB: number, onExit: (t: ParseThread) => void) {
    this.worker = new Worker(script, {
      name: 'weft-document-parse',
      resourceLimits: { maxOldGenerationSizeMb: heapMiB, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      // Nothing of the worker's environment (database URLs, keys) is in reach of a parser.
      env: {},
      // Libraries' warnings about a damaged file are not the worker's log.
      stdout: true,
      stderr: true,
    });
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.worker.on('message', (reply: ParseReply) => {
      if (this.pending?.id !== reply.id) return;
      this.settle(reply);
    });
    this.worker.on('error', (err) => (this.error = err));
    this.worker.on('exit', () => {
      this.exited = true;
      const oom = (this.error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const lost: ThreadLoss = this.killedFor ?? (oom ? 'memory' : 'crashed');
      this.settle({ ok: false, lost, ...(this.error ? { detail: this.error.message.slice(0, 300) } : {}) });
      onExit(this);
    });
    this.worker.unref();
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  parse(req: ParseRequest, timeoutMs: number): Promise<PoolReply> {
    this.jobs += 1;
    return new Promise((resolvePending) => {
      const timer = setTimeout(() => this.kill('timeout'), timeoutMs);
      this.pending = { id: req.id, resolve: resolvePending, timer };
      this.worker.ref();
      this.worker.postMessage(req, [req.bytes.buffer as ArrayBuffer]);
    });
  }

  kill(reason: ThreadLoss): void {
    this.killedFor ??= reason;
    void this.worker.terminate();
  }

  private settle(reply: PoolReply): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (!this.exited) this.worker.unref();
    pending.resolve(reply);
  }
}

/**
 * A small pool of parse threads: untrusted documents are parsed off the worker's event loop,
 * under a heap bound, a wall-time bound and a bound on the process's memory growth; a thread that
 * crosses one is terminated and replaced, and only its document fails.
 */
export class ParserPool {
  private readonly options: Required<ParserPoolOptions>;
  private readonly idle: ParseThread[] = [];
  private readonly live = new Set<ParseThread>();
  private readonly queue: Array<() => void> = [];
  private running = 0;
  private nextId = 1;
  private closed = false;
  private watch: NodeJS.Timeout | undefined;
  private baselineRss: number | undefined;

  constructor(options: ParserPoolOptions = {}) {
    this.options = {
      threads: options.threads ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      heapMiB: options.heapMiB ?? 256,
      memoryGrowthBytes: options.memoryGrowthBytes ?? 1024 * MIB,
      recycleAfter: options.recycleAfter ?? 200,
      script: options.script ?? defaultScript(),
    };
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  async parse(bytes: Uint8Array, format: DocumentFormat, maxChars: number): Promise<PoolReply> {
    await this.slot();
    let thread: ParseThread | undefined;
    try {
      if (this.closed) throw new Error('the document parser was shut down');
      thread = this.take();
      this.watchMemory();
      // A copy the thread owns: the caller's Buffer may share its memory with other Buffers.
      const own = new Uint8Array(bytes);
      return await thread.parse({ id: this.nextId++, format, bytes: own, maxChars }, this.options.timeoutMs);
    } finally {
      if (thread) this.giveBack(thread);
      this.running -= 1;
      if (this.running === 0) this.stopWatching();
      this.queue.shift()?.();
    }
  }

  /** Terminates every thread (a parse in flight fails as `closed`). */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatching();
    for (const wake of this.queue.splice(0)) wake();
    for (const t of this.live) t.kill('closed');
    await Promise.all([...this.live].map((t) => t.worker.terminate()));
    this.idle.length = 0;
  }

  /** Threads alive now (for tests and operators). */
  get threadCount(): number {
    return this.live.size;
  }

  private async slot(): Promise<void> {
    if (this.running < this.options.threads) {
      this.running += 1;
      return;
    }
    await new Promise<void>((wake) =>
      this.queue.push(() => {
        this.running += 1;
        wake();
      }),
    );
  }

  private take(): ParseThread {
    let thread: ParseThread | undefined;
    while ((thread = this.idle.pop())) if (!thread.exited) return thread;
    thread = new ParseThread(this.options.script, this.options.heapMiB, (t) => this.forget(t));
    this.live.add(thread);
    return thread;
  }

  private giveBack(thread: ParseThread): void {
    if (!this.closed && !thread.exited && thread.jobs < this.options.recycleAfter) this.idle.push(thread);
    else if (!thread.exited) void thread.worker.terminate();
  }

  private forget(thread: ParseThread): void {
    this.live.delete(thread);
    const i = this.idle.indexOf(thread);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /**
   * Samples the process's resident memory while parses run. The baseline is the lowest value seen
   * since parsing began (memory freed by an ended parse lowers it); past the allowed growth, the
   * threads that are parsing are terminated, and the baseline is taken afresh once they are gone.
   */
  private watchMemory(): void {
    if (this.watch) return;
    this.baselineRss = process.memoryUsage.rss();
    this.watch = setInterval(() => {
      const rss = process.memoryUsage.rss();
      this.baselineRss = Math.min(this.baselineRss ?? rss, rss);
      if (rss - this.baselineRss <= this.options.memoryGrowthBytes) return;
      for (const t of this.live) if (t.busy) t.kill('memory');
      this.baselineRss = undefined;
    }, WATCH_INTERVAL_MS);
    this.watch.unref();
  }

  private stopWatching(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
  }
}
