import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import type { RunRequest, SandboxErrorCode } from './code-sandbox.protocol';
import { engineCapBytes, freshEngine } from './engine-memory';
import { vmPrelude } from './vm-prelude';

export type RunOutcome =
  | { ok: true; outputJson: string; logs: string[] }
  | { ok: false; code: SandboxErrorCode; message: string; logs: string[] };

class Failure extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const MIB = 1024 * 1024;
const MAX_DESCRIPTION_CHARS = 4096;

/**
 * Runs `main(inputs)` of one code node in a fresh QuickJS runtime inside this process. The VM has
 * the ECMAScript built-ins and a recording `console`, and nothing else: no host functions, no
 * module loader, no timers. Every failure comes back as a stable code.
 */
export async function runInSandbox(req: RunRequest): Promise<RunOutcome> {
  const { limits } = req;
  // One WebAssembly instance per execution, its linear memory capped: that cap is the memory
  // limit. QuickJS's own limit is set to the same cap; it only ever stops single allocations
  // larger than the cap (see engine-memory.ts).
  const { module, memory } = await freshEngine(limits.memoryLimitBytes);
  let deadline = Date.now() + limits.timeoutMs;
  let interrupted = false;
  const runtime = module.newRuntime({
    memoryLimitBytes: engineCapBytes(limits.memoryLimitBytes),
    maxStackSizeBytes: limits.maxStackBytes,
    interruptHandler: () => (interrupted ||= Date.now() > deadline),
  });
  const ctx = runtime.newContext();
  const owned: QuickJSHandle[] = [];
  const own = (h: QuickJSHandle) => (owned.push(h), h);
  let trapped = false;
  let phase: 'prelude' | 'compile' | 'run' = 'prelude';
  let helpers: Record<'parse' | 'describe' | 'serialize' | 'takeLogs', QuickJSHandle> | undefined;

  /** Calls a prelude helper for a bounded string; undefined when the helper itself fails. */
  const callHelper = (fn: QuickJSHandle, args: QuickJSHandle[], maxChars: number): string | undefined => {
    const r = ctx.callFunction(fn, ctx.undefined, ...args);
    if (r.error) return void r.error.dispose();
    own(r.value);
    return boundedString(ctx, r.value, maxChars);
  };

  const outOfMemory = () => new Failure('code_memory_limit', `main exceeded the memory limit of ${Math.round(limits.memoryLimitBytes / MIB)} MiB`);
  const outOfTime = () => (memory.exhausted ? outOfMemory() : new Failure('code_timeout', `main did not finish within ${limits.timeoutMs} ms`));
  const classify = (error: QuickJSHandle): Failure => {
    own(error);
    if (interrupted) return outOfTime();
    const described = helpers ? callHelper(helpers.describe, [error], MAX_DESCRIPTION_CHARS) : undefined;
    if (interrupted) return outOfTime();
    const [name = 'Error', message = '(the thrown value could not be read)', line = ''] = (described ?? '').split('\u001f');
    const where = line ? ` (line ${line})` : '';
    if (name === 'InternalError' && message === 'out of memory') return outOfMemory();
    // With the heap at its cap QuickJS may have no room left to build its error object (it then
    // throws null) and the description may fail too: whatever is left of the error, memory ran out.
    if (memory.exhausted && (described === undefined || name === 'Thrown')) return outOfMemory();
    if (name === 'SyntaxError' && phase === 'compile') return new Failure('code_syntax_error', `SyntaxError: ${message}${where}`);
    return new Failure('code_runtime_error', `${name}: ${message}${where}`);
  };
  const unwrap = (r: { value?: QuickJSHandle; error?: QuickJSHandle }): QuickJSHandle => {
    if (r.error) throw classify(r.error);
    return own(r.value!);
  };
  const logs = (): string[] => {
    // An engine without memory left cannot be trusted to hand its logs over.
    if (trapped || !helpers || memory.exhausted) return [];
    // The logs are our own array of strings; a short fresh deadline still guards against user
    // code that hooked Array.prototype.toJSON.
    deadline = Date.now() + 100;
    try {
      const json = callHelper(helpers.takeLogs, [], limits.maxLogBytes * 6 + 1024);
      return json ? (JSON.parse(json) as string[]) : [];
    } catch {
      return [];
    }
  };

  try {
    const prelude = unwrap(ctx.evalCode(vmPrelude(limits.maxLogBytes), 'weft-prelude.js', { type: 'global', strict: true }));
    helpers = {
      parse: own(ctx.getProp(prelude, 'parse')),
      describe: own(ctx.getProp(prelude, 'describe')),
      serialize: own(ctx.getProp(prelude, 'serialize')),
      takeLogs: own(ctx.getProp(prelude, 'takeLogs')),
    };

    // Compiled first on its own, so that only a SyntaxError of the code itself is a syntax error
    // (a JSON.parse failure at run time is a runtime error). `type: 'global'` also keeps QuickJS
    // from guessing "module" and reaching for a module loader.
    phase = 'compile';
    unwrap(ctx.evalCode(req.code, 'main.js', { type: 'global', compileOnly: true }));
    phase = 'run';
    unwrap(ctx.evalCode(req.code, 'main.js', { type: 'global' }));
    // A second script sees the first one's top-level `function main`, `const main` or `let main`.
    const main = unwrap(ctx.evalCode(`typeof main === 'function' ? main : undefined`, 'weft-main.js', { type: 'global' }));
    if (ctx.typeof(main) !== 'function') throw new Failure('code_main_missing', 'the code must define a function main(inputs)');

    const inputs = unwrap(ctx.callFunction(helpers.parse, ctx.undefined, own(ctx.newString(req.inputsJson))));
    const returned = unwrap(ctx.callFunction(main, ctx.undefined, inputs));
    const value = settle(ctx, returned, (e) => classify(e), own);

    const tagged = unwrap(ctx.callFunction(helpers.serialize, ctx.undefined, value, own(ctx.newNumber(limits.maxOutputBytes))));
    const tooLarge = new Failure('code_output_too_large', `main returned more than ${limits.maxOutputBytes} bytes of JSON`);
    // Each counted character is at most 6 bytes of JSON (\u escapes), so this bound holds
    // before the string is ever copied out of the VM.
    const json = boundedString(ctx, tagged, limits.maxOutputBytes * 6 + 1);
    if (json === undefined || json[0] === 'L') throw tooLarge;
    if (json[0] === 'I') throw new Failure('code_output_invalid', json.slice(1));
    const outputJson = json.slice(1);
    if (Buffer.byteLength(outputJson) > limits.maxOutputBytes) throw tooLarge;
    return { ok: true, outputJson, logs: logs() };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, code: err.code, message: err.message, logs: logs() };
    // V8 stopped a WebAssembly call: the engine's native stack ran out (deeply nested data in a
    // built-in such as JSON.stringify) or the engine trapped. The instance is unusable now.
    if (err instanceof RangeError || (err instanceof Error && err.name === 'RuntimeError')) {
      trapped = true;
      if (interrupted || memory.exhausted) {
        const failure = interrupted ? outOfTime() : outOfMemory();
        return { ok: false, code: failure.code, message: failure.message, logs: [] };
      }
      const what = err instanceof RangeError ? 'stack overflow (recursion or nesting too deep)' : 'the engine stopped unexpectedly';
      return { ok: false, code: 'code_runtime_error', message: `InternalError: ${what}`, logs: [] };
    }
    throw err;
  } finally {
    if (!trapped) {
      try {
        for (const h of owned.reverse()) if (h.alive) h.dispose();
        ctx.dispose();
        runtime.dispose();
      } catch {
        // the instance is discarded whole; a leak check failing inside it changes nothing
      }
    }
  }
}

/** Awaits a returned promise by running the VM's job queue; there is nothing else it could wait for. */
function settle(ctx: QuickJSContext, returned: QuickJSHandle, classify: (e: QuickJSHandle) => Failure, own: (h: QuickJSHandle) => QuickJSHandle): QuickJSHandle {
  let state = ctx.getPromiseState(returned);
  if (state.type === 'fulfilled' && state.notAPromise) return returned;
  if (state.type === 'pending') {
    const jobs = ctx.runtime.executePendingJobs(-1);
    if (jobs.error) throw classify(jobs.error);
    state = ctx.getPromiseState(returned);
  }
  if (state.type === 'fulfilled') return own(state.value);
  if (state.type === 'rejected') throw classify(state.error);
  throw new Failure('code_runtime_error', 'main returned a promise that never settles (the sandbox has no timers or I/O to wait for)');
}

/** The string a handle holds, if it is one no longer than `maxChars` (checked before copying it out). */
function boundedString(ctx: QuickJSContext, h: QuickJSHandle, maxChars: number): string | undefined {
  if (ctx.typeof(h) !== 'string') return undefined;
  // A primitive string's own length: no user code can redefine it.
  const lengthHandle = ctx.getProp(h, 'length');
  const length = ctx.getNumber(lengthHandle);
  lengthHandle.dispose();
  if (!(length <= maxChars)) return undefined;
  return ctx.getString(h);
}
