export const RUN_STATUSES = [
  'queued',
  'running',
  'paused',
  'waiting',
  'succeeded',
  'partially-succeeded',
  'failed',
  'cancelled',
  'timed-out',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'partially-succeeded', 'failed', 'cancelled', 'timed-out'];

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.includes(status);
}

/** A run's error as stored and served: a stable code and a message. */
export interface RunError {
  code: string;
  message: string;
  nodeId?: string;
}
