import { NodeFailure, type NodeExecutors } from '@weft/activities';

/**
 * Port fakes for the interpreter suites: effectful nodes whose behaviour the graph itself asks
 * for through its config, so each test reads as one JSON graph. The real executors (sandbox,
 * HTTP client, LLM provider) have suites of their own.
 *   code: returns `inputs.value` (or `inputs`), after `inputs.delayMs`; fails with `inputs.fail`
 *   http-request: fails `failTimes` times (retryable, per node execution) before answering;
 *                 `bigBody` answers with a body of that many bytes
 */
export function fakeExecutors(): Partial<NodeExecutors> & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const count = (key: string) => {
    const n = (calls.get(key) ?? 0) + 1;
    calls.set(key, n);
    return n;
  };
  return {
    calls,
    async code(input) {
      count(input.idempotencyKey);
      const cfg = input.config as { inputs?: Record<string, unknown> };
      const inputs = cfg.inputs ?? {};
      if (typeof inputs.delayMs === 'number') await new Promise((r) => setTimeout(r, inputs.delayMs as number));
      if (inputs.fail) throw new NodeFailure('code_runtime_error', String(inputs.fail));
      return 'value' in inputs ? { value: inputs.value } : { ...inputs };
    },
    async 'http-request'(input) {
      const n = count(input.idempotencyKey);
      const cfg = input.config as { url: string; failTimes?: number; bigBody?: number; headers?: Record<string, string> };
      const failTimes = Number(new URL(cfg.url).searchParams.get('failTimes') ?? 0);
      if (n <= failTimes) throw new NodeFailure('http_status_503', `attempt ${n} failed`, { retryAfterMs: 50 });
      const big = Number(new URL(cfg.url).searchParams.get('bigBody') ?? 0);
      const body = big ? 'x'.repeat(big) : JSON.stringify({ attempt: n });
      return { status: 200, headers: {}, body, json: big ? null : { attempt: n } };
    },
  };
}
