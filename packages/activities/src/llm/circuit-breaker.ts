import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { NodeFailure } from '../errors/node-failure';
import type { Logger } from '../observability/logger';
import { LLM_ERRORS } from './llm.errors';

export interface CircuitBreakerOptions {
  /** consecutive retryable failures that open the circuit */
  failureThreshold?: number;
  /** how long an open circuit fails fast before one trial call is let through */
  coolDownMs?: number;
  /** how long a trial call holds the half-open circuit before another trial may start */
  trialLeaseMs?: number;
  /** failures further apart than this no longer count as consecutive */
  failureWindowMs?: number;
  /** Redis key prefix */
  prefix?: string;
  clock?: () => number;
}

// Each script reads and writes one hash atomically. Fields: f = consecutive failures,
// o = open until (ms; absent while closed), t = the half-open trial's lease (ms).
// Returns {verdict, ms}: 0 closed, 1 open (ms = time left), 2 this call is the half-open trial.
const ACQUIRE = `
local o = tonumber(redis.call('HGET', KEYS[1], 'o') or '0')
if o == 0 then return {0, 0} end
local now = tonumber(ARGV[1])
if now < o then return {1, o - now} end
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
if now < t then return {1, t - now} end
redis.call('HSET', KEYS[1], 't', now + tonumber(ARGV[2]))
return {2, 0}`;
// Returns {transition, until}: 0 none, 1 opened, 2 reopened after a failed trial.
const FAILURE = `
local now, threshold, cool, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
local o = tonumber(redis.call('HGET', KEYS[1], 'o') or '0')
local verdict = 0
if o > 0 and now >= o then
  redis.call('HSET', KEYS[1], 'o', now + cool)
  redis.call('HDEL', KEYS[1], 't')
  verdict = 2
elseif o == 0 and f >= threshold then
  redis.call('HSET', KEYS[1], 'o', now + cool)
  verdict = 1
end
redis.call('PEXPIRE', KEYS[1], ttl)
return {verdict, now + cool}`;
// Returns 1 when the circuit was open (or half-open) and is now closed.
const SUCCESS = `
local o = redis.call('HGET', KEYS[1], 'o')
redis.call('DEL', KEYS[1])
if o then return 1 end
return 0`;
const RELEASE = `redis.call('HDEL', KEYS[1], 't')`;

/** What acquire() grants: the caller reports how the call went. */
export interface BreakerPermit {
  trial: boolean;
}

/**
 * A circuit breaker per model endpoint (base URL), shared by every worker process through Redis:
 * a vendor outage is a fact about the endpoint, not about one process, and with N workers an
 * in-process breaker would let N times the threshold of calls hammer a failing endpoint and would
 * forget its state on every deploy. Keys expire, so an endpoint nobody calls leaves nothing behind.
 * Time comes from the worker's clock: skew between workers is small next to a cool-down.
 * If Redis is unreachable the breaker stays out of the way (calls go through) and says so in the log.
 */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly trialLeaseMs: number;
  private readonly ttlMs: number;
  private readonly prefix: string;
  private readonly clock: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    options: CircuitBreakerOptions = {},
  ) {
    this.threshold = options.failureThreshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? 30_000;
    this.trialLeaseMs = options.trialLeaseMs ?? Math.max(this.coolDownMs, 10_000);
    this.ttlMs = this.coolDownMs + (options.failureWindowMs ?? 60_000);
    this.prefix = options.prefix ?? 'weft';
    this.clock = options.clock ?? Date.now;
  }

  private key(endpoint: string): string {
    return `${this.prefix}:llm-breaker:${createHash('sha256').update(endpoint).digest('hex').slice(0, 32)}`;
  }

  /** Lets a call through, or throws a retryable `llm_circuit_open` while the endpoint is shunned. */
  async acquire(endpoint: string): Promise<BreakerPermit> {
    let verdict: number;
    let ms: number;
    try {
      [verdict, ms] = (await this.redis.eval(ACQUIRE, 1, this.key(endpoint), this.clock(), this.trialLeaseMs)) as [number, number];
    } catch (err) {
      this.logger.warn('circuit breaker unavailable; letting the call through', { endpoint, message: (err as Error).message });
      return { trial: false };
    }
    if (verdict === 1) {
      throw new NodeFailure(
        LLM_ERRORS.circuitOpen,
        `The model provider at ${endpoint} is failing; its circuit is open and it will be tried again in ${Math.ceil(ms / 1000)} s`,
        { retryAfterMs: ms, details: { endpoint, retryInMs: ms } },
      );
    }
    if (verdict === 2) this.logger.info('llm circuit half-open: trial call', { endpoint });
    return { trial: verdict === 2 };
  }

  /** The endpoint answered (even with a 4xx: it is up). Closes an open circuit. */
  async succeeded(endpoint: string): Promise<void> {
    const closed = await this.safely(endpoint, () => this.redis.eval(SUCCESS, 1, this.key(endpoint)));
    if (closed === 1) this.logger.info('llm circuit closed', { endpoint });
  }

  /** A retryable failure (429, 5xx, timeout, connection): counts toward opening the circuit. */
  async failed(endpoint: string): Promise<void> {
    const now = this.clock();
    const result = (await this.safely(endpoint, () => this.redis.eval(FAILURE, 1, this.key(endpoint), now, this.threshold, this.coolDownMs, this.ttlMs))) as
      | [number, number]
      | undefined;
    if (!result || result[0] === 0) return;
    const until = new Date(result[1]).toISOString();
    if (result[0] === 1) this.logger.warn('llm circuit opened', { endpoint, failures: this.threshold, until });
    else this.logger.warn('llm circuit reopened: the trial call failed', { endpoint, until });
  }

  /** Records how a failed call went: what it says about the endpoint's health decides the effect. */
  async settle(endpoint: string, permit: BreakerPermit, failure: NodeFailure): Promise<void> {
    // Neither a cancelled call nor one the guard refused says anything about the endpoint's health.
    if (failure.code === LLM_ERRORS.cancelled || failure.code === LLM_ERRORS.addressRefused) await this.released(endpoint, permit);
    else if (failure.retryable) await this.failed(endpoint);
    // A 4xx is the endpoint answering: it is up, whatever it thought of the request.
    else await this.succeeded(endpoint);
  }

  /** The call ended without telling anything about the endpoint (cancelled): free the trial slot. */
  async released(endpoint: string, permit: BreakerPermit): Promise<void> {
    if (permit.trial) await this.safely(endpoint, () => this.redis.eval(RELEASE, 1, this.key(endpoint)));
  }

  private async safely<T>(endpoint: string, op: () => Promise<T>): Promise<T | undefined> {
    try {
      return await op();
    } catch (err) {
      this.logger.warn('circuit breaker unavailable', { endpoint, message: (err as Error).message });
      return undefined;
    }
  }
}
