import type { Issue } from '../errors/domain.errors';
import type { InputDeclaration } from '../dsl/graph.schema';

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/**
 * Checks run inputs against the graph's declared inputs and fills defaults. Undeclared inputs are
 * refused so that a typo in a field name is an error rather than a silently missing value.
 */
export function validateRunInputs(
  declared: Record<string, InputDeclaration> | undefined,
  given: Record<string, unknown>,
): { values: Record<string, unknown>; issues: Issue[] } {
  const decl = declared ?? {};
  const values: Record<string, unknown> = {};
  const issues: Issue[] = [];
  for (const [name, spec] of Object.entries(decl)) {
    const value = Object.prototype.hasOwnProperty.call(given, name) ? given[name] : undefined;
    if (value === undefined || value === null) {
      if (spec.default !== undefined) values[name] = spec.default;
      else if (spec.required) issues.push({ code: 'input_required', message: `Input '${name}' is required`, path: [name] });
      continue;
    }
    if (typeOf(value) !== spec.type) {
      issues.push({ code: 'input_type_mismatch', message: `Input '${name}' must be ${spec.type}, got ${typeOf(value)}`, path: [name] });
      continue;
    }
    values[name] = value;
  }
  for (const name of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(decl, name)) {
      issues.push({ code: 'input_unknown', message: `Input '${name}' is not declared by the workflow`, path: [name] });
    }
  }
  return { values, issues };
}
