import type { IfElseData } from '@weft/domain';
import { evaluateCase } from '../shared/conditions';
import { failed, succeeded, type NodeHandler } from '../node-handler';

/** Takes the handle of the first case that holds, else `else`. */
export const ifElseHandler: NodeHandler<IfElseData> = async ({ data, pool }) => {
  try {
    const match = data.cases.find((c) => evaluateCase(c, pool));
    const handle = match?.id ?? 'else';
    return succeeded({ result: handle }, { handles: [handle] });
  } catch (err) {
    return failed('condition_error', err instanceof Error ? err.message : String(err));
  }
};
