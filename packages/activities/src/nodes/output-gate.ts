import { measureValue, toStorableValue } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';

/**
 * What any executor returns passes here before it enters workflow state and run records: strings
 * PostgreSQL cannot store (U+0000, unpaired surrogates) get U+FFFD in place of those characters
 * (keys too; `__proto__` keys are dropped), and a value nested deeper than the deployment's limit
 * (WEFT_MAX_VALUE_DEPTH) fails the node. An output the run record cannot hold would otherwise fail
 * every write of it, and the run would never end. Both steps are iterative: no depth overflows them.
 *
 * `prepare` (masking secrets, which walks recursively) runs once the depth is known to be bounded.
 */
export function gateOutputs(
  outputs: Record<string, unknown>,
  maxDepth: number,
  prepare: (outputs: Record<string, unknown>) => Record<string, unknown> = (o) => o,
): Record<string, unknown> {
  const storable = toStorableValue(outputs);
  const problem = measureValue(storable, { maxDepth }).problem;
  if (problem?.code === 'value_too_deep') {
    throw new NodeFailure('node_output_too_deep', `The node's outputs are nested more than ${maxDepth} levels deep`, { details: { maxDepth } });
  }
  return prepare(storable);
}
