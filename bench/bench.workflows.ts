// The benchmark's workflow bundle: the interpreter, and a hand-written workflow doing the same work.
import { proxyActivities } from '@temporalio/workflow';
import type { NodeActivities } from '@weft/domain';

export { runWorkflow } from '@weft/workflows/dist/workflows';

const acts = proxyActivities<NodeActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } });

/** Ten activity calls and ten pure steps, written by hand: the baseline the interpreter is held to. */
export async function handWrittenBench(input: { runId: string; tenantId: string; workflowId: string }): Promise<Record<string, unknown>> {
  let text = 'x';
  for (let i = 0; i < 10; i++) {
    const { outputs } = await acts.nodeCode({
      ...input,
      node: { nodeId: `c${i}`, key: `c${i}`, type: 'code' },
      config: { inputs: { value: `${text}-${i}` } },
      idempotencyKey: `${input.runId}:c${i}`,
    });
    text = `${String(outputs.value)}!`; // the pure step
  }
  return { text };
}
