import type { NodeActivityInput } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import { CodeSandbox } from './code-sandbox';
import { createCodeExecutor } from './code.executor';

// Real child processes running the compiled dist/code/code-sandbox.child.js (npm test builds it).
const sandbox = new CodeSandbox({ timeoutMs: 2_000, memoryLimitBytes: 16 * 1024 * 1024, maxOutputBytes: 64 * 1024 });
afterAll(() => sandbox.close());

const run = (code: string, inputs: unknown = {}) => sandbox.run({ code, inputs });

/** The NodeFailure a run rejects with. */
async function failure(code: string, inputs: unknown = {}): Promise<NodeFailure> {
  const err = await run(code, inputs).then(
    (r) => new Error(`expected a failure, got ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  if (!(err instanceof NodeFailure)) throw err;
  return err;
}

describe('CodeSandbox: normal use', () => {
  it('runs a synchronous main with its inputs and returns nested JSON', async () => {
    const code = `function main(inputs) {
      const total = inputs.items.reduce((s, i) => s + i.price * i.qty, 0);
      return { total, names: inputs.items.map((i) => i.name.toUpperCase()), meta: { count: inputs.items.length, empty: null, ok: true, deep: [[1], { x: [2] }] } };
    }`;
    const inputs = { items: [{ name: 'tea', price: 2.5, qty: 2 }, { name: 'cake', price: 4, qty: 1 }] };
    await expect(run(code, inputs)).resolves.toEqual({
      outputs: { total: 9, names: ['TEA', 'CAKE'], meta: { count: 2, empty: null, ok: true, deep: [[1], { x: [2] }] } },
      logs: [],
    });
  });

  it('awaits an async main and the promises it chains', async () => {
    const code = `async function main({ n }) {
      const double = async (x) => { await null; return x * 2; };
      const values = await Promise.all([double(n), double(n + 1)]);
      return { values, later: await new Promise((resolve) => resolve('done')) };
    }`;
    await expect(run(code, { n: 20 })).resolves.toMatchObject({ outputs: { values: [40, 42], later: 'done' } });
  });

  it('accepts main as a const arrow function and keeps unicode and escapes intact', async () => {
    const text = 'naïve “quotes” \\ back\nslash \u0001 😀';
    await expect(run('const main = ({ text }) => ({ text, length: text.length });', { text })).resolves.toMatchObject({ outputs: { text, length: text.length } });
  });

  it('drops undefined properties as JSON does', async () => {
    await expect(run('function main() { return { a: 1, b: undefined, c: [undefined] } }')).resolves.toMatchObject({ outputs: { a: 1, c: [null] } });
  });

  it('captures console lines, bounded, without putting them into the outputs', async () => {
    const r = await run(`function main() { console.log('hello', { a: 1 }, [2]); console.error('bad'); for (let i = 0; i < 1e5; i++) console.log('spam ' + i); return { ok: true } }`);
    expect(r.outputs).toEqual({ ok: true });
    expect(r.logs.slice(0, 2)).toEqual(['log hello {"a":1} [2]', 'error bad']);
    expect(r.logs.join('').length).toBeLessThanOrEqual(64 * 1024 + 2);
  });

  it('has the ECMAScript built-ins and nothing of the host', async () => {
    const code = `function main() {
      const names = ['process', 'require', 'module', 'exports', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch',
        'XMLHttpRequest', 'WebSocket', 'WebAssembly', 'Buffer', 'std', 'os', 'Deno', 'Bun', '__dirname', 'global'];
      const present = names.filter((n) => typeof globalThis[n] !== 'undefined');
      return { present, json: JSON.stringify({ d: new Date(0).toISOString(), m: [...new Map([[1, 2]])], r: /a(b)/.exec('ab')[1], n: Math.max(1, 2) }) };
    }`;
    await expect(run(code)).resolves.toMatchObject({ outputs: { present: [], json: '{"d":"1970-01-01T00:00:00.000Z","m":[[1,2]],"r":"b","n":2}' } });
  });

  it('starts every execution from a fresh VM: globals do not leak between executions', async () => {
    await run('var leaked = 1; globalThis.other = 2; Object.prototype.polluted = 3; function main() { return {} }');
    await expect(run('function main() { return { leaked: typeof leaked, other: typeof other, polluted: typeof ({}).polluted } }')).resolves.toMatchObject({
      outputs: { leaked: 'undefined', other: 'undefined', polluted: 'undefined' },
    });
  });
});

describe('CodeSandbox: failures of the code', () => {
  it('reports a syntax error with code_syntax_error', async () => {
    const err = await failure('function main( {');
    expect(err).toMatchObject({ code: 'code_syntax_error', retryable: false });
    expect(err.message).toMatch(/^SyntaxError: .+ \(line 1\)$/);
  });

  it('reports code without main with code_main_missing', async () => {
    await expect(failure('const x = 1;')).resolves.toMatchObject({ code: 'code_main_missing', retryable: false });
    await expect(failure('const main = 42;')).resolves.toMatchObject({ code: 'code_main_missing' });
  });

  it('reports a thrown exception with code_runtime_error and its message', async () => {
    await expect(failure('function main() { throw new TypeError("bad input: " + 42) }')).resolves.toMatchObject({
      code: 'code_runtime_error',
      message: 'TypeError: bad input: 42',
      retryable: false,
    });
    await expect(failure('async function main() { await null; throw new RangeError("late") }')).resolves.toMatchObject({ message: 'RangeError: late' });
    await expect(failure('function main() { throw { reason: "plain object" } }')).resolves.toMatchObject({ code: 'code_runtime_error', message: 'Thrown: {"reason":"plain object"}' });
    await expect(failure('function main() { throw "just text" }')).resolves.toMatchObject({ message: 'Thrown: just text' });
    await expect(failure('throw new Error("at load time"); function main() {}')).resolves.toMatchObject({ message: 'Error: at load time (line 1)' });
    // A JSON.parse failure at run time is a runtime error, not a syntax error of the code.
    await expect(failure('function main() { return JSON.parse("{oops") }')).resolves.toMatchObject({ code: 'code_runtime_error' });
  });

  it('cuts a huge error message short', async () => {
    const err = await failure('function main() { throw new Error("x".repeat(5e6)) }');
    expect(err.code).toBe('code_runtime_error');
    expect(err.message.length).toBeLessThan(2_100);
  });

  it('reports deep recursion as a runtime error', async () => {
    await expect(failure('function main() { const f = () => f(); return f() }')).resolves.toMatchObject({ code: 'code_runtime_error', message: expect.stringMatching(/stack overflow/) });
  });

  it('reports a result that is not a JSON object with code_output_invalid', async () => {
    const cases: Array<[string, RegExp]> = [
      ['return [1, 2]', /not an array/],
      ['return 42', /not a number/],
      ['return null', /not null/],
      ['return "text"', /not a string/],
      ['return { f() {} }', /a function at "f" is not JSON/],
      ['return { big: 10n }', /a bigint at "big"/],
      ['const o = {}; o.self = o; return o', /circular/],
    ];
    for (const [body, message] of cases) {
      await expect(failure(`function main() { ${body} }`)).resolves.toMatchObject({ code: 'code_output_invalid', message: expect.stringMatching(message), retryable: false });
    }
  });

  it('reports a promise that can never settle instead of waiting for the time limit', async () => {
    await expect(failure('function main() { return new Promise(() => {}) }')).resolves.toMatchObject({ code: 'code_runtime_error', message: expect.stringMatching(/never settles/) });
  });

  it('measures the result with the real JSON.stringify even when the code replaced it', async () => {
    const code = `function main() { JSON.stringify = () => '{}'; Array.isArray = () => false; String.prototype.slice = () => ''; return { list: ['x'.repeat(70000)] } }`;
    await expect(failure(code)).resolves.toMatchObject({ code: 'code_output_too_large' });
  });
});

describe('createCodeExecutor', () => {
  const executor = createCodeExecutor({ timeoutMs: 2_000, memoryLimitBytes: 16 * 1024 * 1024 });
  afterAll(() => executor.close());
  const input = (config: unknown): NodeActivityInput => ({
    runId: 'run_1',
    tenantId: 'ten_1',
    workflowId: 'wf_1',
    node: { nodeId: 'c', type: 'code', key: 'c' },
    config,
    idempotencyKey: 'run_1/c',
  });

  it('runs the node config and returns what main returns as the outputs', async () => {
    const config = { language: 'javascript', code: 'function main({ a, b }) { return { sum: a + b } }', inputs: { a: 2, b: 3 } };
    await expect(executor(input(config), new AbortController().signal)).resolves.toEqual({ sum: 5 });
  });

  it('refuses a config that is not a code node config with code_config_invalid', async () => {
    await expect(executor(input({ language: 'python', code: 'x' }), new AbortController().signal)).rejects.toMatchObject({ code: 'code_config_invalid', retryable: false });
  });
});
