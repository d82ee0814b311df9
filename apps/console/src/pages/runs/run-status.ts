import type { components } from '../../api/generated/schema';

export type Run = components['schemas']['Run'];
export type RunStatus = Run['status'];
export type NodeExecution = components['schemas']['NodeExecution'];

/** Every status a run can have, in the order a run usually passes through them. */
export const RUN_STATUSES: RunStatus[] = ['queued', 'running', 'waiting', 'paused', 'succeeded', 'partially-succeeded', 'failed', 'cancelled', 'timed-out'];

const ENDED = new Set<string>(['succeeded', 'partially-succeeded', 'failed', 'cancelled', 'timed-out']);

/** The run has ended: nothing more will happen to it. */
export const isEnded = (status: string) => ENDED.has(status);

/** What each control needs of the run's status (the API refuses the rest with 409 run_state_conflict). */
export const mayPause = (status: string) => status === 'running' || status === 'waiting';
export const mayResume = (status: string) => status === 'paused';
export const mayCancel = (status: string) => !isEnded(status);
export const mayRerun = (status: string) => isEnded(status);

/** A node record's status as the graph draws it. */
export function nodeStateOf(status: string): 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'retrying' | 'pending' {
  switch (status) {
    case 'succeeded':
    case 'reused':
      return 'succeeded';
    case 'failed':
    case 'defaulted':
    case 'timed-out':
      return 'failed';
    case 'skipped':
    case 'cancelled':
      return 'skipped';
    case 'running':
    case 'waiting':
    case 'retrying':
      return status;
    default:
      return 'pending';
  }
}

/** Tokens as people read them: 1,234 in / 56 out. */
export function tokens(usage: { inputTokens: number; outputTokens: number } | undefined): string {
  if (!usage || usage.inputTokens + usage.outputTokens === 0) return '—';
  return `${usage.inputTokens.toLocaleString()} in / ${usage.outputTokens.toLocaleString()} out`;
}
