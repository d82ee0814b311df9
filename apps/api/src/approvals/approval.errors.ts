import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, describe, type ApiErrorCode } from '@weft/domain';

/** The codes an approval route answers with of its own (the validator's, the lookups', the form links'). */
export const APPROVAL_API_CODES = [
  'approval_not_found',
  'approval_closed',
  'approval_ambiguous',
  'approval_action_unknown',
  'approval_values_invalid',
  'approval_role_forbidden',
  'form_link_invalid',
  'form_link_gone',
  'approval_not_recorded',
] as const satisfies readonly ApiErrorCode[];
export type ApprovalApiCode = (typeof APPROVAL_API_CODES)[number];

export const isApprovalApiCode = (code: unknown): code is ApprovalApiCode => (APPROVAL_API_CODES as readonly unknown[]).includes(code);

/** A refusal about an approval; its status is the catalogue's for its code. */
export class ApprovalError extends DomainError {
  constructor(
    readonly code: ApprovalApiCode,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export const approvalNotFound = (id: string) => new ApprovalError('approval_not_found', describe('approval_not_found', { id }));
export const approvalClosed = (id: string, status: string) => new ApprovalError('approval_closed', describe('approval_closed', { id, status }), { status });
export const formLinkInvalid = () => new ApprovalError('form_link_invalid', describe('form_link_invalid', {}));
export const formLinkGone = (status: string) => new ApprovalError('form_link_gone', describe('form_link_gone', {}), { status });

/**
 * The refusal a decide Update's validator (or handler) answered with, as the API answers it: the
 * failure's type is a catalogue code, its first detail (`{status}`, `{issues}`, …) the details.
 * Undefined for any other failure.
 */
export function fromUpdateFailure(err: unknown): ApprovalError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure) || !isApprovalApiCode(err.cause.type)) return undefined;
  const first = err.cause.details?.[0];
  const details = first && typeof first === 'object' && !Array.isArray(first) ? first : undefined;
  return new ApprovalError(err.cause.type, err.cause.message || 'The decision was refused', details);
}
