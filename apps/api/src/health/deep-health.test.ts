import { shared } from './deep-health';
import { probeFailureReason } from './probe';

/** The health routes answer anyone: however callers loop, a check runs at most once per freshness window. */
describe('shared health checks', () => {
  const counting = () => {
    let runs = 0;
    const release: (() => void)[] = [];
    const check = () => {
      runs += 1;
      return new Promise<number>((resolve) => release.push(() => resolve(runs)));
    };
    return { check, release, runs: () => runs };
  };

  it('lets concurrent callers share the check in flight', async () => {
    const c = counting();
    const get = shared(c.check);
    const answers = Promise.all(Array.from({ length: 100 }, () => get()));
    c.release.forEach((r) => r());
    expect(await answers).toEqual(Array(100).fill(1));
    expect(c.runs()).toBe(1);
  });

  it('answers a report finished within freshMs again, and checks anew after it', async () => {
    let clock = 0;
    const c = counting();
    const get = shared(c.check, 1_000, () => clock);
    const first = get();
    c.release.shift()!();
    expect(await first).toBe(1);
    // A loop of callers right after: no new check.
    for (let i = 0; i < 50; i++) {
      clock += 10;
      expect(await get()).toBe(1);
    }
    expect(c.runs()).toBe(1);
    clock = 1_000;
    const next = get();
    c.release.shift()!();
    expect(await next).toBe(2);
  });

  it('keeps nothing from a check that failed', async () => {
    let fail = true;
    const get = shared(async () => {
      if (fail) throw new Error('down');
      return 'ok';
    }, 1_000, () => 0);
    await expect(get()).rejects.toThrow('down');
    fail = false;
    expect(await get()).toBe('ok');
  });
});

describe('probe failure reasons', () => {
  // What drivers say when a dependency is away: each names an internal address, host or port.
  it.each([
    ['14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 10.0.3.7:7233 (2026-11-26T10:00:00Z)', 'connection refused'],
    ["Can't reach database server at `db.prod.internal:5432`", 'unreachable'],
    ['getaddrinfo ENOTFOUND temporal.internal.corp', 'host not found'],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 1.999s,remote_addr=10.0.0.5:7233', 'timed out'],
    ['WRONGPASS invalid username-password pair or user is disabled.', 'authentication failed'],
    ['read ECONNRESET 10.0.0.9:6379', 'connection lost'],
  ])('%s → %s', (message, reason) => {
    expect(probeFailureReason(new Error(message))).toBe(reason);
  });

  it('keeps what Weft wrote for anyone: the probe timeout and errors of the catalogue', () => {
    expect(probeFailureReason(new Error('no answer within 2000 ms'))).toBe('no answer within 2000 ms');
    expect(probeFailureReason(Object.assign(new Error('The vector store is unavailable; try again'), { code: 'vector_store_unavailable' }))).toBe('The vector store is unavailable; try again');
    expect(probeFailureReason(Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' }))).toBe('connection refused');
    expect(probeFailureReason('a string at 10.1.2.3')).toBe('unreachable');
  });
});
