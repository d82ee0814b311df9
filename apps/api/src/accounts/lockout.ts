/**
 * Sign-in lockout, pure: after `maxFailures` consecutive failed sign-ins an account is locked for
 * `lockSeconds`; a success (or the lock) starts the count again. The clock is passed in.
 */
export interface LockoutPolicy {
  maxFailures: number;
  lockSeconds: number;
}

export interface LockoutState {
  failedSignIns: number;
  lockedUntil: Date | null;
}

/** Seconds until the account may sign in again (at least 1), or 0 when it is not locked. */
export function lockedFor(state: LockoutState, now: Date): number {
  if (!state.lockedUntil || state.lockedUntil.getTime() <= now.getTime()) return 0;
  return Math.max(1, Math.ceil((state.lockedUntil.getTime() - now.getTime()) / 1000));
}

/** The state after one more failure, counted from `failures` (the count after the failure, as the database incremented it). */
export function afterFailure(failures: number, policy: LockoutPolicy, now: Date): LockoutState {
  if (failures < policy.maxFailures) return { failedSignIns: failures, lockedUntil: null };
  return { failedSignIns: 0, lockedUntil: new Date(now.getTime() + policy.lockSeconds * 1000) };
}
