import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NodeFailure } from '../errors/node-failure';
import type { RunReply, SandboxLimits } from './code-sandbox.protocol';
import { SandboxProcess } from './sandbox-process';

export interface CodeSandboxOptions {
  /** wall time of one execution, from the call of the code to its result (default 5 s) */
  timeoutMs?: number;
  /** QuickJS heap limit of one execution (default 64 MiB) */
  memoryLimitBytes?: number;
  /** size limit of the JSON of main's result, checked in the child (default 1 MiB) */
  maxOutputBytes?: number;
  /** QuickJS stack limit (default 512 KiB) */
  maxStackBytes?: number;
  /** characters of console output kept per execution (default 64 KiB) */
  maxLogBytes?: number;
  /** executions running at once; more wait for a free process (default 4) */
  maxProcesses?: number;
  /** warm processes kept for the next executions (default 2) */
  maxIdleProcesses?: number;
  /** executions one process runs before it is replaced (default 100) */
  recycleAfter?: number;
  /** V8 heap bound of each child process (default 256 MiB) */
  childHeapMiB?: number;
  /** how long past `timeoutMs` the parent waits before it kills an unresponsive child (default 1 s) */
  killGraceMs?: number;
  /** path of the compiled child entry; found next to this file or in dist/ by default */
  childScript?: string;
}

export interface SandboxResult {
  outputs: Record<string, unknown>;
  /** console lines of the execution, bounded by maxLogBytes */
  logs: string[];
}

const MIB = 1024 * 1024;

/** The compiled child entry: beside this file in dist/, or in dist/ when this file runs from src/ (ts-jest). */
function defaultChildScript(): string {
  const candidates = [join(__dirname, 'code-sandbox.child.js'), resolve(__dirname, '../../dist/code/code-sandbox.child.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`The code sandbox child script is not built (looked for ${candidates.join(', ')}): run npm run build`);
  return found;
}

/**
 * Runs JavaScript `main(inputs)` in QuickJS (WebAssembly) inside pooled child processes, under
 * wall-time, memory, stack and output limits. See docs/adr/0003-code-sandbox.md.
 */
export class CodeSandbox {
  private readonly limits: SandboxLimits;
  private readonly options: Required<Pick<CodeSandboxOptions, 'maxProcesses' | 'maxIdleProcesses' | 'recycleAfter' | 'childHeapMiB' | 'killGraceMs'>> & { childScript: string };
  private readonly idle: SandboxProcess[] = [];
  private readonly live = new Set<SandboxProcess>();
  private readonly queue: Array<() => void> = [];
  private running = 0;
  private nextId = 1;
  private closed = false;

  constructor(options: CodeSandboxOptions = {}) {
    this.limits = {
      timeoutMs: options.timeoutMs ?? 5_000,
      memoryLimitBytes: options.memoryLimitBytes ?? 64 * MIB,
      maxOutputBytes: options.maxOutputBytes ?? MIB,
      maxStackBytes: options.maxStackBytes ?? 512 * 1024,
      maxLogBytes: options.maxLogBytes ?? 64 * 1024,
    };
    this.options = {
      maxProcesses: options.maxProcesses ?? 4,
      maxIdleProcesses: options.maxIdleProcesses ?? 2,
      recycleAfter: options.recycleAfter ?? 100,
      childHeapMiB: options.childHeapMiB ?? 256,
      killGraceMs: options.killGraceMs ?? 1_000,
      childScript: options.childScript ?? defaultChildScript(),
    };
  }

  /** Process ids of the children running an execution right now (for operators and tests). */
  busyPids(): number[] {
    return [...this.live].filter((p) => p.busy && p.pid !== undefined).map((p) => p.pid!);
  }

  async run(job: { code: string; inputs: unknown }, signal?: AbortSignal): Promise<SandboxResult> {
    const cancelled = () => new NodeFailure('code_cancelled', 'the run was cancelled before its code ran');
    if (signal?.aborted) throw cancelled();
    await this.slot(signal);
    let proc: SandboxProcess | undefined;
    try {
      if (this.closed) throw new NodeFailure('code_sandbox_unavailable', 'the code sandbox was shut down');
      proc = await this.take();
      if (signal?.aborted) throw cancelled();
      const reply = await proc.execute(
        { type: 'run', id: this.nextId++, code: job.code, inputsJson: JSON.stringify(job.inputs ?? {}), limits: this.limits },
        this.limits.timeoutMs + this.options.killGraceMs,
        signal,
      );
      return toResult(reply);
    } finally {
      if (proc) this.giveBack(proc);
      this.running -= 1;
      this.queue.shift()?.();
    }
  }

  /** Kills every child; running executions fail with code_sandbox_unavailable. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.live) p.kill('closed');
    this.idle.length = 0;
    for (const wake of this.queue.splice(0)) wake();
  }

  private async slot(signal?: AbortSignal): Promise<void> {
    if (this.running < this.options.maxProcesses) {
      this.running += 1;
      return;
    }
    await new Promise<void>((resolveSlot, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        this.running += 1;
        resolveSlot();
      };
      const onAbort = () => {
        this.queue.splice(this.queue.indexOf(wake) >>> 0, 1);
        reject(new NodeFailure('code_cancelled', 'the run was cancelled while its code waited for a sandbox'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(wake);
    });
  }

  private async take(): Promise<SandboxProcess> {
    let proc: SandboxProcess | undefined;
    while ((proc = this.idle.pop())) if (proc.alive) return proc;
    proc = new SandboxProcess({ script: this.options.childScript, heapMiB: this.options.childHeapMiB }, (p) => this.forget(p));
    this.live.add(proc);
    try {
      await proc.ready;
    } catch (err) {
      proc.kill('closed');
      throw err instanceof NodeFailure ? err : new NodeFailure('code_sandbox_unavailable', 'the code sandbox process did not start', { cause: err });
    }
    return proc;
  }

  private giveBack(proc: SandboxProcess): void {
    const keep = !this.closed && proc.alive && !proc.busy && proc.jobs < this.options.recycleAfter && this.idle.length < this.options.maxIdleProcesses;
    if (keep) this.idle.push(proc);
    else proc.kill('closed');
  }

  private forget(proc: SandboxProcess): void {
    this.live.delete(proc);
    const i = this.idle.indexOf(proc);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

function toResult(reply: RunReply): SandboxResult {
  if (!reply.ok) throw new NodeFailure(reply.code, reply.message);
  let outputs: unknown;
  try {
    outputs = JSON.parse(reply.outputJson);
  } catch {
    throw new NodeFailure('code_output_invalid', 'main returned something that is not JSON');
  }
  if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) {
    throw new NodeFailure('code_output_invalid', 'main must return an object');
  }
  return { outputs: outputs as Record<string, unknown>, logs: reply.logs };
}
