import { errorArea } from './error-spec';

/** The code node: limits of the sandbox, faults of the user's code, and of the sandbox itself. */
export const CODE_ERRORS = errorArea({
  code_config_invalid: { retryable: false, message: 'invalid code node config: {issues}' },
  code_syntax_error: { retryable: false, message: 'SyntaxError: {reason}' },
  code_runtime_error: { retryable: false, message: '{name}: {reason}' },
  code_main_missing: { retryable: false, message: 'the code must define a function main(inputs)' },
  code_timeout: { retryable: false, message: 'main did not finish within {limit} ms' },
  code_memory_limit: { retryable: false, message: 'main exceeded the memory limit of {limit} MiB' },
  code_output_too_large: { retryable: false, message: 'main returned more than {limit} bytes of JSON' },
  code_output_invalid: { retryable: false, message: 'main must return an object' },
  code_cancelled: { retryable: false, message: 'the run was cancelled {when}' },
  // The sandbox's own faults: a fresh process on the next attempt fixes them.
  code_sandbox_crashed: { retryable: true, message: 'the code sandbox process {how}' },
  code_sandbox_unavailable: { retryable: true, message: 'the code sandbox {how}' },
});
