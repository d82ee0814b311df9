import { fork, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { NodeFailure } from '../errors/node-failure';
import type { ChildMessage, RunReply, RunRequest } from './code-sandbox.protocol';

export interface SandboxProcessOptions {
  script: string;
  /** V8 heap bound of the child (--max-old-space-size); the QuickJS heap is WebAssembly memory */
  heapMiB: number;
}

/** Enough native stack that QuickJS's own stack limit, not V8's, stops deep recursion. */
const CHILD_STACK_KIB = 3000;
const STDERR_TAIL_CHARS = 4096;

type KillReason = 'timeout' | 'cancelled' | 'closed';

/**
 * One forked child process running executions one at a time. A child that exits, is killed or
 * crashes fails the execution it was running with a clear code and is never used again.
 */
export class SandboxProcess {
  readonly ready: Promise<void>;
  jobs = 0;
  private readonly child: ChildProcess;
  private exited = false;
  private killedFor: KillReason | undefined;
  private stderrTail = '';
  private pending: { id: number; resolve(r: RunReply): void; reject(e: Error): void } | undefined;

  constructor(options: SandboxProcessOptions, onExit: (p: SandboxProcess) => void) {
    this.child = fork(options.script, [], {
      execArgv: [`--max-old-space-size=${options.heapMiB}`, `--stack-size=${CHILD_STACK_KIB}`],
      // Nothing of the worker's environment (database URLs, keys) is in reach of the child.
      env: {},
      cwd: tmpdir(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    (this.child.stderr as { unref?: () => void } | null)?.unref?.();

    this.ready = new Promise((resolve, reject) => {
      this.child.once('message', (m: ChildMessage) => (m.type === 'ready' ? resolve() : reject(new Error('sandbox child spoke before it was ready'))));
      this.child.once('exit', () => reject(new NodeFailure('code_sandbox_unavailable', 'the code sandbox process did not start', { cause: new Error(this.tail()) })));
      this.child.once('error', reject);
    });
    this.ready.then(() => this.hold(false), () => undefined);
    this.child.on('message', (m: ChildMessage) => {
      if (m.type === 'result' && this.pending?.id === m.id) {
        const { resolve } = this.pending;
        this.pending = undefined;
        resolve(m);
      }
    });
    this.child.on('error', (err) => this.pending?.reject(new NodeFailure('code_sandbox_crashed', 'the code sandbox process failed', { cause: err })));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.pending?.reject(this.exitFailure(code, signal));
      this.pending = undefined;
      onExit(this);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited && !this.killedFor;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Runs one execution. The child enforces the wall time itself; `hardTimeoutMs` is the backstop
   * for an engine stuck where it cannot be interrupted, and `signal` (the run was cancelled)
   * kills the child at once.
   */
  execute(req: RunRequest, hardTimeoutMs: number, signal?: AbortSignal): Promise<RunReply> {
    this.jobs += 1;
    return new Promise<RunReply>((resolve, reject) => {
      const onAbort = () => this.kill('cancelled');
      const timer = setTimeout(() => this.kill('timeout'), hardTimeoutMs);
      this.hold(true);
      const done = () => {
        this.hold(false);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.pending = {
        id: req.id,
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      this.child.send(req, (err) => {
        if (err) this.pending?.reject(new NodeFailure('code_sandbox_crashed', 'could not reach the code sandbox process', { cause: err }));
      });
    });
  }

  /** A starting or busy child keeps the event loop alive; an idle one must not hold up a shutdown. */
  private hold(busy: boolean): void {
    if (this.exited) return;
    const handles = [this.child, this.child.channel as { ref?: () => void; unref?: () => void } | undefined];
    for (const h of handles) (busy ? h?.ref : h?.unref)?.call(h);
  }

  kill(reason: KillReason): void {
    this.killedFor ??= reason;
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private exitFailure(code: number | null, signal: NodeJS.Signals | null): NodeFailure {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    switch (this.killedFor) {
      case 'timeout':
        return new NodeFailure('code_timeout', 'main did not finish within its time limit (the sandbox process was killed)');
      case 'cancelled':
        return new NodeFailure('code_cancelled', 'the run was cancelled while its code was running');
      case 'closed':
        return new NodeFailure('code_sandbox_unavailable', 'the code sandbox was shut down');
    }
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderrTail)) {
      return new NodeFailure('code_memory_limit', `the sandbox process ran out of memory and ${how}`);
    }
    // Most likely killed from outside (the OS, an operator): the next attempt gets a new process.
    // What the process printed names internals (paths, stacks): it goes to the worker log only.
    return new NodeFailure('code_sandbox_crashed', `the code sandbox process ${how} while running main`, { cause: new Error(this.tail()) });
  }

  private tail(): string {
    return this.stderrTail.trim().split('\n').slice(-3).join(' | ') || 'no output';
  }
}
