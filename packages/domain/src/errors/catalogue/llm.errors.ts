import { errorArea } from './error-spec';

/** The llm node: what the endpoint answered, and what the worker could not do before calling it. */
export const LLM_ERROR_CODES = errorArea({
  llm_config_invalid: { retryable: false, message: "The llm node's data is invalid after resolving references: {issues}" },
  llm_response_schema_invalid: { retryable: false, message: 'The response schema is not usable: {problem}' },
  llm_provider_not_found: { retryable: false, message: "No model provider named '{name}' in this tenant" },
  llm_provider_invalid: { retryable: false, message: "Model provider '{name}' could not be set up; check its base URL and API key" },
  llm_address_refused: { retryable: false, message: 'Refused to call the model provider at {endpoint}: {reason}' },
  llm_bad_request: { retryable: false, message: 'The model provider at {endpoint} rejected the request ({status}){said}' },
  llm_unauthorized: { retryable: false, message: 'The model provider at {endpoint} refused the API key ({status}){said}' },
  llm_model_not_found: { retryable: false, message: 'The model provider at {endpoint} does not know this model or path (404){said}' },
  llm_cancelled: { retryable: false, message: 'The call to the model provider was cancelled' },
  llm_rate_limited: { retryable: true, message: 'The model provider at {endpoint} is rate limiting (429){said}' },
  llm_timeout: { retryable: true, message: 'The model provider at {endpoint} did not answer in time' },
  llm_connection_error: { retryable: true, message: 'Could not reach the model provider at {endpoint}' },
  llm_provider_error: { retryable: true, message: 'The model provider at {endpoint} failed ({status}){said}' },
  llm_circuit_open: { retryable: true, message: 'The model provider at {endpoint} is failing; its circuit is open and it will be tried again in {seconds} s' },
  // Each attempt is a fresh sample; the node's retry policy bounds how many are drawn.
  llm_invalid_json: { retryable: true, message: "The model's answer is not usable JSON (attempt {attempt}): {problem}" },
});
