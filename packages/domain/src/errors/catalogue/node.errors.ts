import { errorArea } from './error-spec';

/**
 * Failures of any node, and of the control-flow nodes decided in workflow code. Those with
 * `retryable` are raised by the activity that runs an effectful node (or loads its values);
 * the others end the node in workflow code, where `onError` applies.
 */
export const NODE_ERRORS = errorArea({
  node_failed: { message: 'The node failed: {reason}' },
  node_timeout: { message: 'The node did not finish within {timeout}' },
  node_input_too_large: { retryable: false, message: "The node's resolved data is larger than {limit} bytes (WEFT_MAX_PAYLOAD_BYTES)" },
  node_output_too_deep: { retryable: false, message: "The node's outputs are nested more than {limit} levels deep (WEFT_MAX_VALUE_DEPTH)" },
  node_output_too_large: { message: "The node's outputs are larger than {limit} bytes of JSON (WEFT_MAX_VALUE_BYTES)" },
  // A draining worker cancels attempts that outlive its grace: another worker takes the retry.
  worker_shutdown: { retryable: true, message: 'The worker running this attempt shut down before it finished; the next attempt runs on another worker' },
  node_type_not_configured: { retryable: false, message: 'This worker has no {type} executor configured' },
  node_type_not_supported: { message: "Node type '{type}' cannot run in this version of Weft" },
  node_version_unknown: { message: "Version {version} of node type '{type}' is not known to this version of Weft (it knows {known})" },
  node_data_invalid: { message: "The data of node '{nodeId}' is not valid for '{type}' in this version of Weft" },
  secret_not_found: { retryable: false, message: 'No secret named {names} in this tenant' },
  condition_error: { message: 'A condition could not be evaluated: {reason}' },
  assign_outside_loop: { message: 'assign can only run inside a loop' },
  assign_not_a_number: { message: "Cannot increment '{variable}' by {value}" },
  iteration_items_not_array: { message: 'items must resolve to an array, got {got}' },
  iteration_too_many_items: { message: 'items has {count} entries; an iteration runs over at most {limit} (WEFT_RUN_MAX_ITERATION_ITEMS)' },
  iteration_item_failed: { message: 'Item {index} failed: {reason}' },
  list_operator_items_not_array: { message: 'items must resolve to an array, got {got}' },
  list_operator_too_much_work: { message: 'Filtering and sorting {count} items this way would take {work} units of work; a list-operator node may take at most {limit}' },
  loop_pass_failed: { message: 'Pass {index} failed: {reason}' },
  wait_too_long: { message: 'A wait may last at most 366 days; this one would end at {wakeAt}' },
  sub_workflow_failed: { message: 'The sub-workflow failed' },
  sub_workflow_invalid_inputs: { message: 'The sub-workflow inputs are not valid: {issues}' },
});
