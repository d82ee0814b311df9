import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_ERRORS } from './account.errors';
import { API_ERRORS } from './api.errors';
import { API_KEY_ERRORS } from './api-key.errors';
import { APPROVAL_ERRORS } from './approval.errors';
import { ERROR_CATALOGUE, NON_RETRYABLE_CODES, describe as describeError, errorSpec, httpStatusOf, isErrorCode, isRetryable, publicError } from './catalogue';
import { CODE_ERRORS } from './code.errors';
import { HTTP_ERRORS, httpStatusCode } from './http.errors';
import { KNOWLEDGE_ERRORS } from './knowledge.errors';
import { LIMITS_ERRORS } from './limits.errors';
import { LLM_ERROR_CODES } from './llm.errors';
import { MEMBER_ERRORS } from './member.errors';
import { NODE_ERRORS } from './node.errors';
import { RUN_ERRORS } from './run.errors';
import { SESSION_ERRORS } from './session.errors';
import { TEMPLATE_ERRORS } from './template.errors';

const AREAS = [RUN_ERRORS, API_ERRORS, ACCOUNT_ERRORS, SESSION_ERRORS, MEMBER_ERRORS, API_KEY_ERRORS, APPROVAL_ERRORS, KNOWLEDGE_ERRORS, LIMITS_ERRORS, NODE_ERRORS, TEMPLATE_ERRORS, CODE_ERRORS, HTTP_ERRORS, LLM_ERROR_CODES];

describe('the error catalogue', () => {
  it('holds each code once: no area overrides another', () => {
    const all = AREAS.flatMap((a) => Object.keys(a));
    expect(new Set(all).size).toBe(all.length);
    expect(Object.keys(ERROR_CATALOGUE)).toHaveLength(all.length);
  });

  it('codes are snake_case and every template names its parameters plainly', () => {
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/);
      expect(spec.message.trim()).not.toBe('');
      expect(spec.message).not.toMatch(/\$\{/);
    }
  });

  // The public contract (README's status table): these pairs must not change.
  it('keeps every API code at its contract status', () => {
    const byStatus: Record<number, string[]> = {};
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) if ('status' in spec) (byStatus[spec.status] ??= []).push(code);
    for (const list of Object.values(byStatus)) list.sort();
    expect(byStatus).toEqual({
      400: ['malformed_idempotency_key', 'malformed_json', 'malformed_request', 'request_encoding_invalid', 'request_forbidden_key', 'request_invalid_text', 'request_too_deep', 'workspace_header_invalid', 'workspace_required'],
      401: ['invalid_credentials', 'refresh_token_expired', 'refresh_token_invalid', 'refresh_token_reused', 'unauthorized'],
      403: ['account_required', 'api_key_role_above_caller', 'api_key_scope_above_caller', 'approval_role_forbidden', 'codec_namespace_not_served', 'current_password_invalid', 'forbidden', 'invitation_email_mismatch', 'member_removal_forbidden', 'owner_role_required', 'role_above_own', 'scope_forbidden', 'signup_closed'],
      404: ['api_key_not_found', 'approval_not_found', 'document_not_found', 'form_link_invalid', 'ingestion_job_not_found', 'invitation_not_found', 'knowledge_not_found', 'member_not_found', 'route_not_found', 'run_not_found', 'workflow_not_found', 'workflow_version_not_found', 'workspace_not_found'],
      409: ['already_member', 'api_key_expired', 'api_key_revoked', 'approval_ambiguous', 'approval_closed', 'document_state_conflict', 'email_taken', 'ingestion_job_state_conflict', 'knowledge_busy', 'knowledge_name_taken', 'last_owner', 'model_provider_exists', 'run_state_conflict', 'workflow_not_published', 'workflow_publish_conflict', 'workspace_name_taken'],
      410: ['form_link_gone', 'invitation_expired', 'invitation_revoked', 'invitation_used'],
      413: ['payload_too_large', 'upload_too_large'],
      415: ['request_charset_unsupported', 'request_encoding_unsupported'],
      422: ['api_key_expiry_invalid', 'api_key_scope_invalid', 'approval_action_unknown', 'approval_values_invalid', 'codec_payload_undecodable', 'embedding_provider_not_found', 'embedding_unavailable', 'idempotency_key_reused', 'model_provider_base_url_invalid', 'quota_invalid', 'rerun_inputs_conflict', 'rerun_node_unknown', 'rerun_not_possible', 'run_inputs_too_large', 'run_invalid_inputs', 'sub_workflow_cycle', 'sub_workflow_not_found', 'upload_invalid', 'workflow_invalid_graph'],
      429: ['account_locked', 'quota_exceeded', 'rate_limited'],
      500: ['internal_error'],
      502: ['retrieval_failed'],
      503: ['approval_not_recorded', 'database_unavailable', 'events_capacity_reached', 'redis_unavailable', 'temporal_unavailable', 'vector_store_unavailable'],
    });
  });

  it("matches the README's status table, code for code", () => {
    const readme = readFileSync(join(__dirname, '../../../../../README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| (\d{3}) \| (.+) \|$/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const [, status, cell] of rows) {
      for (const [, code] of cell!.matchAll(/`([a-z_]+)`/g)) expect([code, httpStatusOf(code!)]).toEqual([code, Number(status)]);
    }
  });

  it('lists as non-retryable exactly the activity codes marked so, and none that retry', () => {
    const marked = Object.entries(ERROR_CATALOGUE).filter(([, s]) => 'retryable' in s && s.retryable === false).map(([c]) => c);
    expect([...NON_RETRYABLE_CODES].sort()).toEqual(marked.sort());
    for (const code of NON_RETRYABLE_CODES) expect(isRetryable(code)).toBe(false);
    // The lists the workflow and the sandbox kept before the catalogue, all still non-retryable.
    const before = ['http_address_refused', 'http_url_invalid', 'http_response_too_large', 'llm_bad_request', 'llm_unauthorized', 'llm_model_not_found', 'code_syntax_error',
      'code_runtime_error', 'code_timeout', 'code_memory_limit', 'code_output_too_large', 'code_output_invalid', 'code_main_missing', 'secret_not_found', 'node_output_too_deep',
      'node_input_too_large', 'llm_address_refused', 'template_error', 'template_limit_exceeded'];
    expect(NON_RETRYABLE_CODES).toEqual(expect.arrayContaining(before));
    for (const code of ['internal_error', 'code_sandbox_crashed', 'http_timeout', 'http_connection_failed', 'llm_rate_limited', 'llm_provider_error', 'llm_circuit_open', 'llm_invalid_json'] as const) {
      expect(isRetryable(code)).toBe(true);
    }
  });

  it('treats 429 and 5xx statuses as one retryable family of codes', () => {
    expect(httpStatusCode(503)).toBe('http_status_503');
    expect(isErrorCode('http_status_429')).toBe(true);
    expect(isErrorCode('http_status_599')).toBe(true);
    expect(isErrorCode('http_status_404')).toBe(false);
    expect(isRetryable('http_status_503')).toBe(true);
    expect(describeError('http_status_503', { status: 503, target: 'https://api.example.com/x' })).toBe('HTTP 503 from https://api.example.com/x');
  });

  it('knows its own codes only', () => {
    for (const foreign of ['P2003', 'ECONNREFUSED', 'TypeError', 'record_write_failed', '', 'constructor', '__proto__', 'toString']) {
      expect(isErrorCode(foreign)).toBe(false);
      expect(errorSpec(foreign)).toBeUndefined();
    }
    expect(httpStatusOf('P2003')).toBe(500);
  });

  it('fills message templates by name and leaves a missing parameter visible', () => {
    expect(describeError('secret_not_found', { names: "'API_KEY'" })).toBe("No secret named 'API_KEY' in this tenant");
    expect(publicError('run_not_found', { id: 'run_1' })).toEqual({ code: 'run_not_found', message: "run 'run_1' was not found" });
    expect(describeError('node_timeout', {} as { timeout: string })).toBe('The node did not finish within {timeout}');
    expect(describeError('internal_error', { what: 'this attempt', ref: 'ref_abc' })).toBe('An internal error stopped this attempt (reference ref_abc)');
    // Compile-time checks: an unknown code or a parameter the template does not name is refused.
    // @ts-expect-error not a code of the catalogue
    expect(() => describeError('no_such_code', {})).toThrow();
    // @ts-expect-error `timeout` is the template's only parameter
    expect(describeError('node_timeout', { duration: '5s' })).toBe('The node did not finish within {timeout}');
  });
});
