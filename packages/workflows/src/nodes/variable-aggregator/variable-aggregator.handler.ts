import { exactReference, resolveValue, type VariableAggregatorData, type VariablePool } from '@weft/domain';
import { succeeded, type NodeHandler } from '../node-handler';

/** The value of the first source whose node ran (its outputs are in the pool), else null. */
function firstThatRan(sources: string[], pool: VariablePool): unknown {
  for (const source of sources) {
    const ref = exactReference(source);
    if (ref && pool[ref.nodeId] === undefined) continue;
    return resolveValue(source, pool) ?? null;
  }
  return null;
}

export const variableAggregatorHandler: NodeHandler<VariableAggregatorData> = async ({ data, pool }) => {
  if (data.groups) {
    const outputs: Record<string, unknown> = {};
    for (const [name, sources] of Object.entries(data.groups)) outputs[name] = firstThatRan(sources, pool);
    return succeeded(outputs);
  }
  return succeeded({ value: firstThatRan(data.sources ?? [], pool) });
};
