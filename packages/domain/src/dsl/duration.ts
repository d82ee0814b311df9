const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

const DAY_MS = UNIT_MS.d;

export interface DurationBound {
  /** milliseconds */
  min: number;
  /** milliseconds */
  max: number;
}

/**
 * Every duration the DSL accepts is bounded, so that no graph can ask for a timer Temporal would
 * clamp (it silently caps timers at 100 years) or for a retry storm. One table, read by the
 * validator and by the interpreter, which holds a wait's `until` to the same bound when the run
 * reaches the node. See README "Durations".
 */
export const DURATION_BOUNDS = Object.freeze({
  /** a node's `timeout`: an activity attempt or child run needs at least a second, and a day is the most one attempt may hold a worker slot */
  nodeTimeout: Object.freeze({ min: 1_000, max: DAY_MS }),
  /** a sub-workflow node's `timeout`, which bounds the whole child run: it may wait for people or timers as long as its parent */
  childRunTimeout: Object.freeze({ min: 1_000, max: 366 * DAY_MS }),
  /** `retry.initialInterval` and `retry.maxInterval`: below 100 ms a failing dependency is hammered */
  retryInterval: Object.freeze({ min: 100, max: DAY_MS }),
  /** a wait node's `duration` */
  waitDuration: Object.freeze({ min: 0, max: 366 * DAY_MS }),
  /** an approval's `timeout`: a person needs at least a minute */
  approvalTimeout: Object.freeze({ min: 1_000, max: 366 * DAY_MS }),
  /** how far after now a wait node's `until` may be (an `until` in the past ends the wait at once) */
  waitUntilAhead: Object.freeze({ min: -Infinity, max: 366 * DAY_MS }),
} satisfies Record<string, DurationBound>);

/** The initial retry interval when a node's `retry` sets none (Temporal's default). */
export const DEFAULT_RETRY_INITIAL_INTERVAL = '1s';

/** Parses a DSL duration such as "500ms", "30s", "5m", "24h", "7d" into milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not a duration like "500ms", "30s", "5m", "24h" or "7d"`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text.trim());
}

/** A duration in the largest unit that shows it whole, days from two on: 86400000 → "24h", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (unit === 'd' && ms < 2 * DAY_MS) continue;
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** "between 1s and 24h", for messages that name a bound. */
export function describeBound(bound: DurationBound): string {
  return `between ${formatDuration(bound.min)} and ${formatDuration(bound.max)}`;
}
