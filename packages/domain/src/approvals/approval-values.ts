import { measureValue } from '../values/json-value';
import type { ApprovalFieldSpec } from './approval.contract';

/** One problem with the values of a decision, reported all at once (like graph validation issues). */
export interface ApprovalValueIssue {
  field: string;
  code: 'field_unknown' | 'field_required' | 'field_type' | 'field_option' | 'field_too_long';
  message: string;
}

/** Bounds of what a person may type: decisions travel through workflow history. */
export const APPROVAL_TEXT_MAX = 1_000;
export const APPROVAL_PARAGRAPH_MAX = 20_000;
export const APPROVAL_COMMENT_MAX = 5_000;
/**
 * Bytes of JSON of one approval as it opens (prompt, fields with their resolved defaults, actions,
 * notify) and of one decision's values: each travels in history more than once (the notice's input,
 * the Update's request and result, the node's outputs), and Temporal refuses a payload over 2 MiB.
 */
export const APPROVAL_MAX_BYTES = 256 * 1024;

const empty = (v: unknown) => v === undefined || v === null || v === '';

function typeProblem(spec: ApprovalFieldSpec, value: unknown): Omit<ApprovalValueIssue, 'field'> | undefined {
  switch (spec.type) {
    case 'text':
      if (typeof value !== 'string') return { code: 'field_type', message: 'must be a line of text' };
      if (/[\r\n]/.test(value)) return { code: 'field_type', message: 'must be one line (use a paragraph field for more)' };
      if (value.length > APPROVAL_TEXT_MAX) return { code: 'field_too_long', message: `must be at most ${APPROVAL_TEXT_MAX} characters` };
      return undefined;
    case 'paragraph':
      if (typeof value !== 'string') return { code: 'field_type', message: 'must be text' };
      if (value.length > APPROVAL_PARAGRAPH_MAX) return { code: 'field_too_long', message: `must be at most ${APPROVAL_PARAGRAPH_MAX} characters` };
      return undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : { code: 'field_type', message: 'must be a number' };
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { code: 'field_type', message: 'must be true or false' };
    case 'select':
      if (typeof value !== 'string') return { code: 'field_type', message: 'must be one of the options' };
      return spec.options?.includes(value) ? undefined : { code: 'field_option', message: `must be one of: ${(spec.options ?? []).join(', ')}` };
  }
}

/**
 * Checks a decision's values against the approval's fields: every field gets its given value, else
 * its default, else null; a required field left empty, a value of the wrong type and a name that is
 * not a field are each an issue. Pure: the workflow's Update validator and the API both use it.
 */
export function checkApprovalValues(
  fields: Readonly<Record<string, ApprovalFieldSpec>>,
  given: Readonly<Record<string, unknown>> | undefined,
): { values: Record<string, unknown>; issues: ApprovalValueIssue[] } {
  const issues: ApprovalValueIssue[] = [];
  const values: Record<string, unknown> = {};
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  for (const name of Object.keys(given ?? {})) {
    if (!has(fields, name)) issues.push({ field: name, code: 'field_unknown', message: `'${name}' is not a field of this approval` });
  }
  for (const [name, spec] of Object.entries(fields)) {
    const value = given && has(given, name) ? given[name] : spec.default;
    if (empty(value)) {
      if (spec.required) issues.push({ field: name, code: 'field_required', message: `'${name}' is required` });
      Object.defineProperty(values, name, { value: null, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const problem = typeProblem(spec, value);
    if (problem) issues.push({ field: name, ...problem, message: `'${name}' ${problem.message}` });
    Object.defineProperty(values, name, { value, enumerable: true, writable: true, configurable: true });
  }
  // Each value has its bound, but a hundred long paragraphs together would not fit in one payload.
  if (!issues.length && measureValue(values, { maxDepth: Infinity, maxBytes: APPROVAL_MAX_BYTES }).problem) {
    issues.push({ field: '', code: 'field_too_long', message: `the values together must be at most ${APPROVAL_MAX_BYTES} bytes of JSON` });
  }
  return { values, issues };
}
