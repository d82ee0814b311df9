import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { CircuitBreaker, NodeFailure, type Logger } from '@weft/activities';
import { testEnv } from '../support/test-env';

// The breaker's state machine against the real Redis, with a clock the test moves.
let redis: Redis;
let now: number;
let logs: { level: string; message: string; meta: Record<string, unknown> }[];
const prefix = `weft-test-${randomUUID().slice(0, 8)}`;
const logger = {
  info: (message: string, meta: Record<string, unknown>) => logs.push({ level: 'info', message, meta }),
  warn: (message: string, meta: Record<string, unknown>) => logs.push({ level: 'warn', message, meta }),
} as unknown as Logger;
const breaker = (opts: Partial<ConstructorParameters<typeof CircuitBreaker>[2]> = {}) =>
  new CircuitBreaker(redis, logger, { failureThreshold: 3, coolDownMs: 10_000, trialLeaseMs: 5_000, prefix, clock: () => now, ...opts });
const endpoint = () => `http://127.0.0.1:9/${randomUUID()}`;

async function refusal(p: Promise<unknown>): Promise<NodeFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeFailure);
  return err as NodeFailure;
}

beforeAll(() => {
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});
beforeEach(() => {
  now = 1_800_000_000_000;
  logs = [];
});

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the count', async () => {
    const b = breaker();
    const e = endpoint();
    await b.failed(e);
    await b.failed(e);
    await b.succeeded(e);
    await b.failed(e);
    await b.failed(e);
    expect(await b.acquire(e)).toEqual({ trial: false });
    expect(logs).toEqual([]);
  });

  it('opens after N consecutive failures and fails fast with the time left', async () => {
    const b = breaker();
    const e = endpoint();
    for (let i = 0; i < 3; i++) await b.failed(e);
    expect(logs).toEqual([{ level: 'warn', message: 'llm circuit opened', meta: { endpoint: e, failures: 3, until: new Date(now + 10_000).toISOString() } }]);
    now += 4_000;
    const f = await refusal(b.acquire(e));
    expect(f.code).toBe('llm_circuit_open');
    expect(f.retryable).toBe(true);
    expect(f.options.retryAfterMs).toBe(6_000);
    expect(f.message).toBe(`The model provider at ${e} is failing; its circuit is open and it will be tried again in 6 s`);
  });

  it('lets one trial through after the cool-down; a success closes the circuit', async () => {
    const b = breaker();
    const e = endpoint();
    for (let i = 0; i < 3; i++) await b.failed(e);
    now += 10_000;
    expect(await b.acquire(e)).toEqual({ trial: true });
    // While the trial is out, others still fail fast (until its lease ends).
    expect((await refusal(b.acquire(e))).options.retryAfterMs).toBe(5_000);
    await b.succeeded(e);
    expect(await b.acquire(e)).toEqual({ trial: false });
    expect(logs.map((l) => l.message)).toEqual(['llm circuit opened', 'llm circuit half-open: trial call', 'llm circuit closed']);
  });

  it('reopens for another cool-down when the trial fails', async () => {
    const b = breaker();
    const e = endpoint();
    for (let i = 0; i < 3; i++) await b.failed(e);
    now += 10_000;
    await b.acquire(e);
    await b.failed(e);
    expect(logs.at(-1)).toMatchObject({ level: 'warn', message: 'llm circuit reopened: the trial call failed' });
    now += 9_999;
    expect((await refusal(b.acquire(e))).options.retryAfterMs).toBe(1);
    now += 1;
    expect(await b.acquire(e)).toEqual({ trial: true });
  });

  it('frees the trial slot of a cancelled trial, and a stuck trial after its lease', async () => {
    const b = breaker();
    const e = endpoint();
    for (let i = 0; i < 3; i++) await b.failed(e);
    now += 10_000;
    const permit = await b.acquire(e);
    await b.released(e, permit);
    expect(await b.acquire(e)).toEqual({ trial: true });
    now += 5_000;
    expect(await b.acquire(e)).toEqual({ trial: true });
  });

  it('is shared: another breaker on the same Redis sees the open circuit', async () => {
    const e = endpoint();
    const a = breaker();
    for (let i = 0; i < 3; i++) await a.failed(e);
    expect((await refusal(breaker().acquire(e))).code).toBe('llm_circuit_open');
    // …and endpoints do not share state.
    expect(await breaker().acquire(endpoint())).toEqual({ trial: false });
  });

  it('stays out of the way when Redis is unreachable', async () => {
    // Never connected and no offline queue: every command fails at once, as with Redis down.
    const dead = new Redis(testEnv.redisUrl, { lazyConnect: true, enableOfflineQueue: false });
    const b = new CircuitBreaker(dead, logger, { prefix });
    const e = endpoint();
    await b.failed(e);
    expect(await b.acquire(e)).toEqual({ trial: false });
    expect(logs.map((l) => l.message)).toEqual(['circuit breaker unavailable', 'circuit breaker unavailable; letting the call through']);
    dead.disconnect();
  });
});
