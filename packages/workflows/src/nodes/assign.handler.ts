import { resolveValue, type AssignData } from '@weft/domain';
import { failed, succeeded, type NodeHandler } from './node-handler';

/** Writes variables of the enclosing loop; the validator makes sure there is one. */
export const assignHandler: NodeHandler<AssignData> = async ({ data, pool, frame }) => {
  const vars = frame.loopVariables;
  if (!vars) return failed('assign_outside_loop', 'assign can only run inside a loop');
  for (const a of data.assignments) {
    const value = resolveValue(a.value, pool);
    if (a.op === 'set') vars[a.variable] = value;
    else if (a.op === 'append') vars[a.variable] = [...(Array.isArray(vars[a.variable]) ? (vars[a.variable] as unknown[]) : []), value];
    else {
      const current = Number(vars[a.variable] ?? 0);
      const by = value === undefined || value === null || value === '' ? 1 : Number(value);
      if (Number.isNaN(current) || Number.isNaN(by)) return failed('assign_not_a_number', `Cannot increment '${a.variable}' by ${JSON.stringify(value)}`);
      vars[a.variable] = current + by;
    }
  }
  return succeeded({});
};
