import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import { parseDuration, resolveValue, type GraphNode, type NodeActivities } from '@weft/domain';
import { failed, succeeded, type NodeHandler } from './node-handler';

type NodeActivityName = Exclude<keyof NodeActivities, 'loadBlobs' | 'renderTemplate'>;

/** Per-type defaults when a node sets no `timeout` or `retry`. */
export interface EffectDefaults {
  timeout: string;
  maxAttempts: number;
}

// Failures no retry can fix; activities also mark them non-retryable themselves.
const NON_RETRYABLE = [
  'http_address_refused',
  'http_url_invalid',
  'http_response_too_large',
  'llm_bad_request',
  'llm_unauthorized',
  'llm_model_not_found',
  'code_syntax_error',
  'code_runtime_error',
  'code_timeout',
  'code_memory_limit',
  'code_output_too_large',
  'code_output_invalid',
  'code_main_missing',
  'secret_not_found',
];

function activityOptions(node: GraphNode, defaults: EffectDefaults) {
  const timeout = node.timeout ?? defaults.timeout;
  const r = node.retry;
  return {
    startToCloseTimeout: timeout,
    // Long calls (LLM streams) heartbeat; a dead worker is noticed within this window.
    heartbeatTimeout: Math.min(parseDuration(timeout), 30_000),
    retry: {
      maximumAttempts: r?.maxAttempts ?? defaults.maxAttempts,
      initialInterval: r?.initialInterval ?? '1s',
      backoffCoefficient: r?.backoffCoefficient ?? 2,
      ...(r?.maxInterval ? { maximumInterval: r.maxInterval } : {}),
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  };
}

/**
 * A node whose work is a side effect: one activity type per node type, with the node's own retry
 * policy and timeout. References are resolved here; `{{ secrets.X }}` stays as text and is
 * resolved by the activity at call time.
 */
export function effectfulHandler(activity: NodeActivityName, defaults: EffectDefaults): NodeHandler {
  return async ({ node, data, pool, runtime, location }) => {
    const config = resolveValue(data, pool);
    const acts = proxyActivities<NodeActivities>(activityOptions(node, defaults));
    const { run } = runtime;
    try {
      const { outputs } = await acts[activity]({
        runId: run.runId,
        tenantId: run.tenantId,
        workflowId: run.workflowId,
        node: { ...location, type: node.type },
        config,
        idempotencyKey: `${run.runId}:${location.key}`,
        records: runtime.takeRecords(),
      });
      return succeeded(outputs, { recordInputs: config });
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (!(err instanceof ActivityFailure)) throw err;
      const cause = err.cause;
      if (cause instanceof ApplicationFailure) return { ...failed(cause.type ?? 'node_failed', cause.message), recordInputs: config };
      if (cause instanceof TimeoutFailure) {
        return { ...failed('node_timeout', `The node did not finish within ${node.timeout ?? defaults.timeout}`), recordInputs: config };
      }
      return { ...failed('node_failed', cause?.message ?? err.message), recordInputs: config };
    }
  };
}
