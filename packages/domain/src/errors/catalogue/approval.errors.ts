import { errorArea } from './error-spec';

/**
 * Answers about approvals, run control and reruns. The decide Update's validator rejects with these
 * codes (as the failure's type), and the API answers with their status.
 */
export const APPROVAL_ERRORS = errorArea({
  approval_not_found: { status: 404, message: "approval '{id}' was not found" },
  approval_closed: { status: 409, message: "approval '{id}' is already {status}" },
  approval_ambiguous: { status: 409, message: "node '{nodeId}' has {count} open approvals; decide one of them by id" },
  approval_action_unknown: { status: 422, message: "'{action}' is not an action of this approval (actions: {actions})" },
  approval_values_invalid: { status: 422, message: 'The values have {count} problem(s)' },
  approval_role_forbidden: { status: 403, message: "Deciding this approval needs one of the roles: {roles} (the caller has '{role}')" },
  form_link_invalid: { status: 404, message: 'This form link is not valid' },
  form_link_gone: { status: 410, message: 'This form link was already used or has expired' },
  run_state_conflict: { status: 409, message: "The run is {status}; it cannot be {verb}" },
  rerun_node_unknown: { status: 422, message: "node '{nodeId}' is not a node of the run's graph" },
  rerun_not_possible: { status: 422, message: 'The run cannot be rerun from {nodeId}: {reason}' },
  rerun_inputs_conflict: { status: 422, message: 'Changed inputs {inputs} are read by nodes whose recorded outputs would be reused: {nodes}' },
  // The approval node fails with it, before anything opens: its resolved prompt, fields and defaults do not fit.
  approval_too_large: { retryable: false, message: "The approval's prompt, fields and resolved defaults are larger than {limit} bytes of JSON" },
  approval_not_recorded: { status: 503, message: 'The decision could not be recorded; try again' },
  // Notices when an approval opens (deliverApprovalNotice); a failure is recorded in approvals.delivery, never fails the node.
  approval_notice_rejected: { retryable: false, message: 'The webhook at {target} answered HTTP {status}' },
  approval_email_failed: { retryable: true, message: 'The email could not be sent ({reason})' },
  approval_email_rejected: { retryable: false, message: 'The mail server refused the email ({reason})' },
});
