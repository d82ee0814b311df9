import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import {
  DEFAULT_RETRY_INITIAL_INTERVAL,
  NODE_TYPES,
  NON_RETRYABLE_CODES,
  containsBlobRef,
  exactReference,
  findReferences,
  lookup,
  measureValue,
  own,
  parseDuration,
  resolveValue,
  setAtPath,
  walkStrings,
  type ActivityNodeType,
  type DeferredString,
  type GraphNode,
  type NodeActivities,
  type NodeDataOf,
  type VariablePool,
} from '@weft/domain';
import { failed, failedWith, succeeded, type NodeHandler } from '../node-handler';

/** Per-type defaults when a node sets no `timeout` or `retry` (the type's `effect` in the domain). */
interface EffectDefaults {
  timeout: string;
  maxAttempts: number;
}

function activityOptions(node: GraphNode, defaults: EffectDefaults) {
  const timeout = node.timeout ?? defaults.timeout;
  const r = node.retry;
  return {
    startToCloseTimeout: timeout,
    // Long calls (LLM streams) heartbeat; a dead worker is noticed within this window.
    heartbeatTimeout: Math.min(parseDuration(timeout), 30_000),
    retry: {
      maximumAttempts: r?.maxAttempts ?? defaults.maxAttempts,
      initialInterval: r?.initialInterval ?? DEFAULT_RETRY_INITIAL_INTERVAL,
      backoffCoefficient: r?.backoffCoefficient ?? 2,
      ...(r?.maxInterval ? { maximumInterval: r.maxInterval } : {}),
      // Failures no retry can fix, from the error catalogue; activities also mark them non-retryable themselves.
      nonRetryableErrorTypes: [...NON_RETRYABLE_CODES],
    },
  };
}

/**
 * Strings of the node's data that embed a reference to a value kept outside history (`"Summarize:
 * {{ page.body }}"` where the body is large). Rendering them here would put the reference's own
 * JSON into the text; they are left for the activity to render after it loads the value. A string
 * that is exactly one reference needs nothing: the reference travels and the activity inflates it.
 */
function deferredStrings(data: unknown, pool: VariablePool): { deferred: DeferredString[]; variables: VariablePool } {
  const deferred: DeferredString[] = [];
  const variables: VariablePool = {};
  for (const { text, path } of walkStrings(data)) {
    if (exactReference(text)) continue;
    const refs = findReferences(text).filter((r) => containsBlobRef(lookup(pool, r)));
    if (!refs.length) continue;
    deferred.push({ path, template: text });
    for (const r of findReferences(text)) {
      const outputs = own(pool, r.nodeId);
      if (outputs !== undefined) Object.defineProperty(variables, r.nodeId, { value: outputs, enumerable: true, writable: true, configurable: true });
    }
  }
  return { deferred, variables };
}

/**
 * The handler of every type whose effect is an activity: one activity type per node type (named by
 * the type's `effect`, executed by its executor in packages/activities), with the node's own
 * retry policy and timeout. References are resolved here; `{{ secrets.X }}` stays as text and is
 * resolved by the activity at call time.
 */
export function activityHandler<K extends ActivityNodeType>(type: K): NodeHandler<NodeDataOf<K>> {
  const { activity, ...defaults } = NODE_TYPES[type].effect;
  const name = activity as keyof NodeActivities & `node${string}`;
  return async ({ node, data, pool, run, limits, location, takeRecordsForActivity }) => {
    const config = resolveValue(data, pool);
    const { deferred, variables } = deferredStrings(data, pool);
    for (const d of deferred) setAtPath(config, d.path, d.template);
    // Temporal refuses an activity input over its payload limit; refuse it here, as this node's failure.
    const size = measureValue({ config, variables }, { maxDepth: Infinity, maxBytes: limits.maxPayloadBytes });
    if (size.problem) {
      return { ...failed('node_input_too_large', `The node's resolved data is larger than ${limits.maxPayloadBytes} bytes (WEFT_MAX_PAYLOAD_BYTES)`), recordInputs: null };
    }
    const acts = proxyActivities<NodeActivities>(activityOptions(node, defaults));
    try {
      const { outputs } = await acts[name]({
        runId: run.runId,
        tenantId: run.tenantId,
        workflowId: run.workflowId,
        node: { ...location, type: node.type },
        config,
        ...(deferred.length ? { deferred, variables } : {}),
        idempotencyKey: `${run.runId}:${location.key}`,
        records: takeRecordsForActivity(),
      });
      return succeeded(outputs, { recordInputs: config });
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (!(err instanceof ActivityFailure)) throw err;
      const cause = err.cause;
      if (cause instanceof ApplicationFailure) return { ...failedWith(cause), recordInputs: config };
      if (cause instanceof TimeoutFailure) {
        return { ...failed('node_timeout', `The node did not finish within ${node.timeout ?? defaults.timeout}`), recordInputs: config };
      }
      return { ...failedWith({ message: cause?.message ?? err.message }), recordInputs: config };
    }
  };
}
