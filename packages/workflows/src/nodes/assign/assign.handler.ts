import { measureValue, own, resolveValue, type AssignData } from '@weft/domain';
import { setOwn } from '../../interpreter/state';
import { failed, succeeded, type NodeHandler } from '../node-handler';

/** Writes variables of the enclosing loop; the validator makes sure there is one. */
export const assignHandler: NodeHandler<AssignData> = async ({ data, pool, loopVariables: vars, limits }) => {
  if (!vars) return failed('assign_outside_loop', 'assign can only run inside a loop');
  const { maxValueBytes, maxValueDepth } = limits;
  for (const a of data.assignments) {
    const value = resolveValue(a.value, pool);
    const current = own(vars, a.variable);
    let next: unknown;
    if (a.op === 'set') next = value;
    else if (a.op === 'append') next = [...(Array.isArray(current) ? (current as unknown[]) : []), value];
    else {
      const from = Number(current ?? 0);
      const by = value === undefined || value === null || value === '' ? 1 : Number(value);
      if (Number.isNaN(from) || Number.isNaN(by)) return failed('assign_not_a_number', `Cannot increment '${a.variable}' by ${JSON.stringify(value)}`);
      next = from + by;
    }
    // Loop variables live in workflow state from pass to pass: a value that grows each pass (a
    // self-nesting `set`, an endless `append`) is stopped here, not when it no longer fits.
    const { problem } = measureValue(next, { maxDepth: maxValueDepth, maxBytes: maxValueBytes });
    if (problem?.code === 'value_too_deep') return failed('node_output_too_deep', `Loop variable '${a.variable}' would be nested more than ${maxValueDepth} levels deep (WEFT_MAX_VALUE_DEPTH)`);
    if (problem) return failed('node_output_too_large', `Loop variable '${a.variable}' would be larger than ${maxValueBytes} bytes of JSON (WEFT_MAX_VALUE_BYTES)`);
    setOwn(vars, a.variable, next);
  }
  return succeeded({});
};
