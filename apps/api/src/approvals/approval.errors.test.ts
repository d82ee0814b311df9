import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { httpStatusOf } from '@weft/domain';
import { fromUpdateFailure } from './approval.errors';

const refused = (type: string, details?: unknown) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message: `refused: ${type}`, nonRetryable: true, ...(details ? { details: [details] } : {}) }));

describe("the decide Update's refusals, as the API answers them", () => {
  it('keeps the code, the message and the details the validator gave; the status is the catalogue’s', () => {
    const cases = [
      ['approval_not_found', undefined, 404],
      ['approval_closed', { status: 'expired' }, 409],
      ['approval_action_unknown', { actions: ['approve', 'reject'] }, 422],
      ['approval_values_invalid', { issues: [{ code: 'required', message: 'reason is required', path: ['reason'] }] }, 422],
      ['approval_role_forbidden', { roles: ['admin'], role: 'operator' }, 403],
      ['approval_not_recorded', undefined, 503],
    ] as const;
    for (const [code, details, status] of cases) {
      const err = fromUpdateFailure(refused(code, details));
      expect([code, err?.code, err?.status, err?.message, err?.details]).toEqual([code, code, status, `refused: ${code}`, details]);
      expect(httpStatusOf(code)).toBe(status);
    }
  });

  it('leaves anything else to the caller: other failure types, other errors', () => {
    expect(fromUpdateFailure(refused('internal_error'))).toBeUndefined();
    expect(fromUpdateFailure(new WorkflowUpdateFailedError('x', new Error('plain')))).toBeUndefined();
    expect(fromUpdateFailure(new Error('approval_closed'))).toBeUndefined();
  });
});
