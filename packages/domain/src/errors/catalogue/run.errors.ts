import { errorArea } from './error-spec';

/**
 * Errors that end a run, and the one code every layer uses for what nobody expected. Run errors
 * are decided in workflow code or by the reconciler: no activity retry applies to them.
 */
export const RUN_ERRORS = errorArea({
  // An activity's unexpected error retries under the node's policy (more often transient than
  // not); in workflow code it ends the node or the run; at the API it is a 500.
  internal_error: { retryable: true, status: 500, message: 'An internal error stopped {what} (reference {ref})' },
  run_stalled: { message: 'The run cannot go on: {nodes} can never become ready (reference {ref})' },
  run_node_limit_exceeded: { message: 'The run made more than {limit} node executions (WEFT_RUN_MAX_NODE_EXECUTIONS)' },
  run_state_too_large: { message: "The run's state grew past {limit} bytes and cannot be carried on (WEFT_MAX_PAYLOAD_BYTES)" },
  run_outputs_too_large: { message: "The run's outputs are larger than {limit} bytes of JSON (WEFT_MAX_PAYLOAD_BYTES)" },
  run_record_incomplete: { message: 'The run ended, but its outputs and node records could not be stored' },
  run_cancelled: { message: 'The run was cancelled' },
  run_failed: { message: 'The run failed outside the interpreter' },
  run_terminated: { message: 'The run was terminated by an operator' },
  run_timed_out: { message: 'The run passed its time limit' },
  run_not_started: { message: 'The run was accepted but never started; start it again' },
  run_execution_missing: { message: 'The run’s execution no longer exists in Temporal' },
  run_result_unreadable: { message: 'The run completed but its result could not be read' },
});
