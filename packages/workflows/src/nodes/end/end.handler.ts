import { resolveValue, type EndData } from '@weft/domain';
import { succeeded, type NodeHandler } from '../node-handler';

export const endHandler: NodeHandler<EndData> = async ({ data, pool }) => {
  const outputs = resolveValue(data.outputs, pool) as Record<string, unknown>;
  return succeeded({}, { handles: [], endOutputs: outputs, recordInputs: null });
};
