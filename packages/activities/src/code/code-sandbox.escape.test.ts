import { readFileSync } from 'node:fs';
import { NodeFailure } from '../errors/node-failure';
import { CodeSandbox } from './code-sandbox';

// Each attempt must be contained with a stable code, and the worker process (this Jest process,
// which hosts the sandbox's parent side) must stay unharmed: afterEach proves a normal execution
// still works and that nothing of the host was touched.
const MIB = 1024 * 1024;
const fast = new CodeSandbox({ timeoutMs: 500, memoryLimitBytes: 16 * MIB, killGraceMs: 500 });
const roomy = new CodeSandbox({ timeoutMs: 3_000, memoryLimitBytes: 16 * MIB });
afterAll(async () => {
  await fast.close();
  await roomy.close();
});

const hostEnvKeys = Object.keys(process.env).length;
afterEach(async () => {
  await expect(fast.run({ code: 'function main(i) { return { echo: i.x } }', inputs: { x: 'still fine' } })).resolves.toMatchObject({ outputs: { echo: 'still fine' } });
  expect(Object.keys(process.env).length).toBe(hostEnvKeys);
  expect(typeof (globalThis as Record<string, unknown>).polluted).toBe('undefined');
});

async function failure(sandbox: CodeSandbox, code: string, signal?: AbortSignal): Promise<NodeFailure> {
  const err = await sandbox.run({ code, inputs: {} }, signal).then(
    (r) => new Error(`expected a failure, got ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  if (!(err instanceof NodeFailure)) throw err;
  return err;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function busyPid(sandbox: CodeSandbox): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const [pid] = sandbox.busyPids();
    if (pid) return pid;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no sandbox process became busy');
}

describe('escape attempts', () => {
  it('this.constructor.constructor("return process")() finds no process', async () => {
    const err = await failure(fast, `function main() { return { p: this.constructor.constructor('return process')().pid } }`);
    expect(err).toMatchObject({ code: 'code_runtime_error', message: "ReferenceError: 'process' is not defined" });
    const viaFunction = await failure(fast, `function main() { return Function('return this')().process.mainModule }`);
    expect(viaFunction).toMatchObject({ code: 'code_runtime_error', message: expect.stringMatching(/^TypeError: /) });
  });

  it('require("fs") is not defined', async () => {
    await expect(failure(fast, `function main() { return { fs: require('fs').readFileSync('/etc/passwd', 'utf8') } }`)).resolves.toMatchObject({
      code: 'code_runtime_error',
      message: "ReferenceError: 'require' is not defined",
    });
  });

  it('import("fs") is refused and a static import does not compile', async () => {
    await expect(failure(fast, `async function main() { const fs = await import('fs'); return { fs: typeof fs } }`)).resolves.toMatchObject({
      code: 'code_runtime_error',
      message: "ReferenceError: could not load module 'fs'",
    });
    await expect(failure(fast, `import fs from 'fs';\nfunction main() { return {} }`)).resolves.toMatchObject({ code: 'code_syntax_error' });
  });

  it('globalThis.process does not exist', async () => {
    await expect(fast.run({ code: 'function main() { return { type: typeof globalThis.process } }', inputs: {} })).resolves.toMatchObject({ outputs: { type: 'undefined' } });
    await expect(failure(fast, 'function main() { globalThis.process.exit(1) }')).resolves.toMatchObject({ code: 'code_runtime_error', message: expect.stringMatching(/^TypeError: /) });
  });

  it('with-statement tricks resolve nothing of the host', async () => {
    await expect(failure(fast, 'function main() { with (globalThis) { return { env: process.env } } }')).resolves.toMatchObject({
      code: 'code_runtime_error',
      message: "ReferenceError: 'process' is not defined",
    });
    const proxy = `function main() {
      const everything = new Proxy({}, { has: () => true, get: (t, k) => (k === Symbol.unscopables ? undefined : globalThis[k]) });
      with (everything) { return { pid: process.pid } }
    }`;
    await expect(failure(fast, proxy)).resolves.toMatchObject({ code: 'code_runtime_error', message: expect.stringMatching(/^TypeError: /) });
  });

  it('prototype pollution stays inside the VM', async () => {
    await fast.run({ code: 'Object.prototype.polluted = "yes"; function main() { return { seen: ({}).polluted } }', inputs: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('limits', () => {
  it('while(true){} ends with code_timeout', async () => {
    await expect(failure(fast, 'function main() { while (true) {} }')).resolves.toMatchObject({ code: 'code_timeout', retryable: false });
    await expect(failure(fast, 'async function main() { for (;;) await null }')).resolves.toMatchObject({ code: 'code_timeout' });
    await expect(failure(fast, 'while (true) {} function main() {}')).resolves.toMatchObject({ code: 'code_timeout' });
  });

  it("'x'.repeat(1e9) ends with code_memory_limit", async () => {
    await expect(failure(roomy, "function main() { return { s: 'x'.repeat(1e9) } }")).resolves.toMatchObject({
      code: 'code_memory_limit',
      message: 'main exceeded the memory limit of 16 MiB',
      retryable: false,
    });
  });

  it('a growing array ends with code_memory_limit, also when it is still referenced', async () => {
    await expect(failure(roomy, 'function main() { const a = []; while (true) a.push({ i: a.length }) }')).resolves.toMatchObject({ code: 'code_memory_limit' });
    await expect(failure(roomy, 'var kept = []; function main() { for (;;) kept.push("item " + kept.length) }')).resolves.toMatchObject({ code: 'code_memory_limit' });
  });

  it('every shape of allocation loop ends with code_memory_limit under the default limits, and the child stays small', async () => {
    // The defaults of WEFT_CODE_MEMORY_MB (64) and WEFT_CODE_TIMEOUT_MS (5 s). QuickJS's own limit
    // counted 8 bytes per block in WebAssembly, so these used to grow the child to gigabytes and
    // end with code_timeout.
    const defaults = new CodeSandbox({ maxProcesses: 1 });
    const loops = [
      'const a = []; for (;;) a.push(new Array(1000).fill(1))',
      'const a = []; for (;;) a.push({ i: a.length, s: "item " + a.length })',
      'let s = "x"; for (;;) s = s + s',
      'let a = [1]; for (;;) a = a.concat(a)',
      'const m = new Map(); for (let i = 0;; i++) m.set(i, [i])',
      'const o = {}; for (let i = 0;; i++) o["k" + i] = { v: i }',
      'const a = []; for (;;) a.push(new Uint8Array(1 << 20))',
      // Catching the engine's out-of-memory error and going on does not turn it into a timeout.
      'const a = []; try { for (;;) a.push(new Array(1000).fill(1)) } catch (e) { for (;;) {} }',
    ];
    try {
      const pids = new Set<number>();
      for (const loop of loops) {
        const running = failure(defaults, `function main() { ${loop} }`);
        pids.add(await busyPid(defaults));
        await expect(running).resolves.toMatchObject({ code: 'code_memory_limit', message: 'main exceeded the memory limit of 64 MiB', retryable: false });
      }
      // One child ran them all (none crashed), and its peak resident memory stayed near the cap
      // of one engine (64 MiB plus its baseline) plus Node's own, not gigabytes.
      const [pid] = [...pids];
      expect(pids.size).toBe(1);
      expect(alive(pid!)).toBe(true);
      const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      expect(peakKiB * 1024).toBeLessThan(320 * MIB);
      // Memory up to the limit is there to be used.
      await expect(defaults.run({ code: 'function main() { return { n: "x".repeat(48e6).length } }', inputs: {} })).resolves.toMatchObject({ outputs: { n: 48e6 } });
    } finally {
      await defaults.close();
    }
  });

  it('a 100 MB output ends with code_output_too_large, measured in the child', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      // 1 MiB in the VM, 100 MiB once serialized: refused while it is being measured.
      const repeated = `function main() { const s = 'x'.repeat(${MIB}); return { parts: Array.from({ length: 100 }, () => s) } }`;
      await expect(failure(roomy, repeated)).resolves.toMatchObject({ code: 'code_output_too_large', retryable: false });
      // 100 MB really held by the VM (under a larger memory limit).
      const big = new CodeSandbox({ timeoutMs: 5_000, memoryLimitBytes: 256 * MIB });
      try {
        await expect(failure(big, `function main() { return { s: 'x'.repeat(100e6) } }`)).resolves.toMatchObject({ code: 'code_output_too_large' });
      } finally {
        await big.close();
      }
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(40 * MIB);
  });

  it('deeply nested data that overflows the engine native stack is a runtime error', async () => {
    const code = 'function main() { let a = []; for (let i = 0; i < 200000; i++) a = [a]; return { s: JSON.stringify(a).length } }';
    await expect(failure(roomy, code)).resolves.toMatchObject({ code: 'code_runtime_error', message: expect.stringMatching(/stack overflow/) });
  });
});

describe('sandbox processes', () => {
  it('reuses a warm process for the next execution', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const done = roomy.run({ code: 'function main() { let n = 0; for (let i = 0; i < 2e6; i++) n += i; return { n } }', inputs: {} });
      pids.add(await busyPid(roomy));
      await done;
    }
    expect(pids.size).toBe(1);
  });

  it('a child killed mid-run fails that execution clearly, and the next execution gets a new child', async () => {
    const running = failure(roomy, 'function main() { while (true) {} }');
    const pid = await busyPid(roomy);
    process.kill(pid, 'SIGKILL');
    await expect(running).resolves.toMatchObject({ code: 'code_sandbox_crashed', message: expect.stringMatching(/SIGKILL/), retryable: true });
    const next = roomy.run({ code: 'function main() { let n = 0; for (let i = 0; i < 2e6; i++) n += i; return { n } }', inputs: {} });
    expect(await busyPid(roomy)).not.toBe(pid);
    await expect(next).resolves.toMatchObject({ outputs: { n: 1999999000000 } });
  });

  it('a child that stops answering is killed after the wall time and its grace', async () => {
    const running = failure(fast, 'function main() { let n = 0; for (let i = 0; i < 5e6; i++) n += i; return { n } }');
    const pid = await busyPid(fast);
    process.kill(pid, 'SIGSTOP');
    await expect(running).resolves.toMatchObject({ code: 'code_timeout', retryable: false });
    expect(alive(pid)).toBe(false);
  });

  it('the abort signal (a cancelled run) kills the execution', async () => {
    const controller = new AbortController();
    const running = failure(roomy, 'function main() { while (true) {} }', controller.signal);
    const pid = await busyPid(roomy);
    controller.abort();
    await expect(running).resolves.toMatchObject({ code: 'code_cancelled' });
    expect(alive(pid)).toBe(false);
    await expect(failure(roomy, 'function main() { return {} }', controller.signal)).resolves.toMatchObject({ code: 'code_cancelled' });
  });

  it('runs at most maxProcesses executions at once; a queued one can be cancelled', async () => {
    const single = new CodeSandbox({ timeoutMs: 3_000, maxProcesses: 1 });
    try {
      const work = (n: number) => single.run({ code: `function main() { let s = 0; for (let i = 0; i < 1e6; i++) s += i; return { n: ${n} } }`, inputs: {} });
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, single.busyPids().length)), 2);
      const controller = new AbortController();
      const first = work(1);
      const queued = single.run({ code: 'function main() { return {} }', inputs: {} }, controller.signal).catch((e: unknown) => e);
      const results = [first, work(2), work(3)];
      controller.abort();
      await expect(Promise.all(results)).resolves.toEqual([1, 2, 3].map((n) => ({ outputs: { n }, logs: [] })));
      clearInterval(sampler);
      expect(most).toBe(1);
      await expect(queued).resolves.toMatchObject({ code: 'code_cancelled', message: expect.stringMatching(/waited for a sandbox/) });
    } finally {
      await single.close();
    }
  });

  it('the child holds none of the worker environment', async () => {
    // Read from outside with the host's tools: the VM itself has no way to look.
    const done = roomy.run({ code: 'function main() { let n = 0; for (let i = 0; i < 5e6; i++) n += i; return {} }', inputs: {} });
    const environ = readFileSync(`/proc/${await busyPid(roomy)}/environ`, 'utf8');
    await done;
    // Only what Node itself sets up for the IPC channel.
    const names = environ.split('\0').filter(Boolean).map((kv) => kv.split('=')[0]).sort();
    expect(names).toEqual(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
  });
});
