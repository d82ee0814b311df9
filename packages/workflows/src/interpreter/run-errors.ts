import { log, uuid4 } from '@temporalio/workflow';
import { describe, type RunError } from '@weft/domain';

/**
 * A run-wide limit was passed: the run fails as a whole, whatever the node's onError says (a
 * node-level default or branch would let the run go on doing the work the limit is there to stop).
 * Thrown through handlers and scopes up to the run workflow, which records it as the run's error.
 */
export class RunAborted extends Error {
  constructor(readonly error: RunError) {
    super(error.message);
    this.name = 'RunAborted';
  }
}

/** A short id shown to users and written to the worker log with the details (deterministic: seeded by Temporal). */
export function referenceId(): string {
  return `ref_${uuid4().replace(/-/g, '').slice(0, 12)}`;
}

function detailsOf(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { thrown: String(err) };
}

/**
 * An error nobody expected in workflow code. The details go to the worker log under a reference
 * id; the user sees the code, plain words and the id. Never thrown onward: an exception escaping
 * workflow code would fail the workflow task, which Temporal retries without end.
 */
export function internalError(err: unknown, where: { runId: string; nodeKey?: string }, what: string): RunError {
  const ref = referenceId();
  log.error('internal error in workflow code', { ref, ...where, error: detailsOf(err) });
  return { code: 'internal_error', message: describe('internal_error', { what, ref }) };
}
