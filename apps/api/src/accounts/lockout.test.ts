import { afterFailure, lockedFor } from './lockout';

const policy = { maxFailures: 3, lockSeconds: 60 };
const now = new Date('2026-11-26T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('sign-in lockout', () => {
  it('counts failures below the limit without locking', () => {
    expect(afterFailure(1, policy, now)).toEqual({ failedSignIns: 1, lockedUntil: null });
    expect(afterFailure(2, policy, now)).toEqual({ failedSignIns: 2, lockedUntil: null });
  });

  it('locks for the period at the limit and starts the count again', () => {
    expect(afterFailure(3, policy, now)).toEqual({ failedSignIns: 0, lockedUntil: at(60_000) });
    // Failures counted concurrently past the limit lock too.
    expect(afterFailure(5, policy, now).lockedUntil).toEqual(at(60_000));
  });

  it('says how long a lock lasts, in whole seconds rounded up, and nothing once it has passed', () => {
    const state = { failedSignIns: 0, lockedUntil: at(60_000) };
    expect(lockedFor(state, now)).toBe(60);
    expect(lockedFor(state, at(59_001))).toBe(1);
    expect(lockedFor(state, at(59_999))).toBe(1);
    expect(lockedFor(state, at(60_000))).toBe(0);
    expect(lockedFor({ failedSignIns: 2, lockedUntil: null }, now)).toBe(0);
  });
});
