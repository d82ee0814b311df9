import { Context } from '@temporalio/activity';
import { llmDataSchema, type LlmData, type NodeActivityInput } from '@weft/domain';
import type { Redis } from 'ioredis';
import { NodeFailure } from '../errors/node-failure';
import type { RunEventStream } from '../events/run-event-stream';
import type { ExecutorContext, NodeExecutor } from '../nodes/node-activities';
import type { Logger } from '../observability/logger';
import type { WorkerMetrics } from '../observability/metrics';
import type { PrismaClient } from '../persistence/prisma-client';
import type { SecretCipher } from '../secrets/secret-cipher';
import { scrub } from '../secrets/secrets.store';
import { StreamingSecretMask } from '../secrets/streaming-secret-mask';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
import { DeltaBatcher, type DeltaBatchOptions } from './delta-batcher';
import { createGuardedFetch, type GuardedFetchOptions } from './guarded-fetch';
import { answerFormat, chatFormat, parseJsonAnswer, refusesJsonSchema, responseSchemaProblem, type AnswerFormat } from './json-answer';
import { LLM_ERRORS, toLlmFailure } from './llm.errors';
import { recordLlmCall } from './llm-usage.repository';
import type { ChatMessage, ChatResult, ModelProvider } from './model-provider.port';
import { ProviderRegistry, defaultProviderFactories, type ProviderFactory } from './provider-registry';

export interface LlmExecutorDeps {
  prisma: PrismaClient;
  /** Redis holding the circuit breakers' state (shared by every worker) */
  redis: Redis;
  events: RunEventStream;
  logger: Logger;
  /** decrypts the providers' API keys (WEFT_ENCRYPTION_KEY) */
  cipher: SecretCipher;
  breaker?: CircuitBreakerOptions;
  deltas?: DeltaBatchOptions;
  /**
   * Endpoints the providers may be reached at despite the SSRF guard (WEFT_MODEL_PROVIDER_ALLOWLIST
   * entries or their parsed form); none by default, so only public addresses can be called.
   */
  allowlist?: GuardedFetchOptions['allowlist'];
  /** DNS port of the guard; the system resolver by default */
  resolve?: GuardedFetchOptions['resolve'];
  /** adapter factories by provider type; the `openai` adapter (behind the guard) by default */
  factories?: Record<string, ProviderFactory>;
  /** calls and tokens by provider type and model (the worker's /metrics) */
  metrics?: WorkerMetrics;
}

interface CallSite {
  input: NodeActivityInput;
  /** the provider's type, for metrics */
  providerType: string;
  attempt: number;
  signal: AbortSignal;
  /** secret values resolved into the prompt: a model repeating one must not publish it in a delta */
  secrets: readonly string[];
}

/**
 * The `llm` node: resolves the tenant's provider, calls it through the endpoint's circuit breaker,
 * streams deltas to the run's event stream, records usage, and checks JSON answers.
 *
 * Invalid JSON is a failure of one attempt, retried under the node's own policy (each attempt is
 * a fresh sample, recorded and billed like any other); after the policy's last attempt
 * `llm_invalid_json` is what the node ends with. Retrying inside the activity
 * instead would hide attempts from the run's records and from Temporal's history.
 */
export function createLlmExecutor(deps: LlmExecutorDeps): NodeExecutor {
  // One guarded fetch (one connection pool) for every provider this worker calls.
  const factories = deps.factories ?? defaultProviderFactories({ fetch: createGuardedFetch({ allowlist: deps.allowlist, resolve: deps.resolve }) });
  const providers = new ProviderRegistry(deps.prisma, deps.cipher, factories);
  const breaker = new CircuitBreaker(deps.redis, deps.logger, deps.breaker);

  return async (input, signal, context?: ExecutorContext) => {
    const data = parseConfig(input.config);
    const format = answerFormat(data.responseFormat);
    const schemaProblem = responseSchemaProblem(format);
    if (schemaProblem) throw new NodeFailure(LLM_ERRORS.schemaInvalid, schemaProblem);
    const { provider, type: providerType, apiKey } = await providers.resolve(input.tenantId, data.provider);
    const info = Context.current().info;
    const site: CallSite = { input, providerType, attempt: info.attempt, signal, secrets: context?.secrets ?? [] };
    try {
      const result = await call(site, provider, data, format);
      const outputs = { text: result.text, json: null as unknown, usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens }, finishReason: result.finishReason };
      if (format.kind === 'json') {
        const answer = parseJsonAnswer(result.text, format.schema);
        if (!answer.ok) {
          const max = info.retryPolicy?.maximumAttempts ?? 0;
          throw new NodeFailure(LLM_ERRORS.invalidJson, `The model's answer is not usable JSON (attempt ${info.attempt}${max > 0 ? ` of ${max}` : ''}): ${answer.problem}`, {
            details: { issues: answer.issues.slice(0, 5), finishReason: result.finishReason },
          });
        }
        outputs.json = answer.value;
      }
      return outputs;
    } catch (err) {
      // Vendors sometimes quote the key they refused; it must not leave the activity, nor reach
      // the worker log through the error's cause.
      for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
        e.message = scrub(e.message, [apiKey]);
        if (e.stack) e.stack = scrub(e.stack, [apiKey]);
      }
      throw err;
    }
  };

  async function call(site: CallSite, provider: ModelProvider, data: LlmData, format: AnswerFormat): Promise<ChatResult> {
    const { input, attempt, signal } = site;
    const endpoint = provider.endpoint;
    const permit = await breaker.acquire(endpoint);
    const stream = data.stream && provider.capabilities.streaming;
    let reached = false;
    let streamed = '';
    const batcher = new DeltaBatcher(
      (text) => deps.events.publish(input.runId, 'llm.delta', { nodeId: input.node.nodeId, ...(input.node.key !== input.node.nodeId ? { key: input.node.key } : {}), attempt, text }),
      (err) => deps.logger.warn('llm deltas could not be published', { runId: input.runId, nodeKey: input.node.key, message: (err as Error).message }),
      deps.deltas,
    );
    // Deltas are published as they stream, before the activity masks the final outputs: they are
    // masked here, holding back text that could be the start of a secret split across deltas.
    const mask = new StreamingSecretMask(site.secrets);
    const closeDeltas = () => {
      const rest = mask.end();
      if (rest) batcher.push(rest);
      return batcher.close();
    };
    const hooks = {
      onResponse: () => void (reached = true),
      onDelta: (text: string) => {
        streamed += text;
        const safe = mask.push(text);
        if (safe) batcher.push(safe);
      },
    };
    const request = (schemaRefused: boolean) => {
      const shaped = chatFormat(format, provider.capabilities, messagesOf(data), schemaRefused);
      return provider.chat(
        { model: data.model, messages: shaped.messages, temperature: data.temperature, maxTokens: data.maxTokens, responseFormat: shaped.responseFormat, stream },
        signal,
        hooks,
      );
    };
    let result: ChatResult;
    try {
      try {
        result = await request(false);
      } catch (err) {
        // An OpenAI-compatible server without structured outputs: fall back to JSON mode at once.
        const f = toLlmFailure(err, endpoint);
        if (!(f.code === LLM_ERRORS.badRequest && format.kind === 'json' && format.schema && refusesJsonSchema(f.message))) throw f;
        deps.logger.info('endpoint refused response_format json_schema; using json_object', { endpoint });
        result = await request(true);
      }
    } catch (err) {
      const failure = toLlmFailure(err, endpoint);
      await breaker.settle(endpoint, permit, failure);
      await closeDeltas();
      if (reached) {
        // The stream began: tokens were spent even though the call did not finish.
        const spent = { inputTokens: provider.countTokens(messagesOf(data)), outputTokens: provider.countTokens(streamed) };
        deps.metrics?.llmCall({ providerType: site.providerType, model: data.model, outcome: 'error', ...spent });
        await record(site, provider, data, { ...spent, finishReason: failure.code === LLM_ERRORS.cancelled ? 'cancelled' : 'error' });
      } else {
        deps.metrics?.llmCall({ providerType: site.providerType, model: data.model, outcome: 'error' });
      }
      throw failure;
    }
    await breaker.succeeded(endpoint);
    await closeDeltas();
    deps.metrics?.llmCall({ providerType: site.providerType, model: data.model, outcome: 'ok', inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens });
    await record(site, provider, data, { ...result.usage, finishReason: result.finishReason });
    return result;
  }

  async function record(site: CallSite, provider: ModelProvider, data: LlmData, usage: { inputTokens: number; outputTokens: number; finishReason: string | null }) {
    const { input, attempt } = site;
    try {
      await recordLlmCall(deps.prisma, {
        tenantId: input.tenantId,
        runId: input.runId,
        nodeKey: input.node.key,
        attempt,
        provider: provider.name,
        model: data.model,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        finishReason: usage.finishReason,
      });
    } catch (err) {
      // Usage accounting must not turn a paid-for answer into a failed node (and another call).
      deps.logger.error('llm call could not be recorded', { runId: input.runId, nodeKey: input.node.key, attempt, message: (err as Error).message });
    }
  }
}

function messagesOf(data: LlmData): ChatMessage[] {
  return data.messages.map((m) => ({ role: m.role, content: m.content }));
}

/** The node's data as resolved; message contents a whole reference made non-strings are sent as JSON text. */
function parseConfig(config: unknown): LlmData {
  const raw = config as { messages?: unknown } | null;
  const messages = Array.isArray(raw?.messages)
    ? raw.messages.map((m: { content?: unknown }) =>
        m && typeof m === 'object' && m.content !== undefined && typeof m.content !== 'string' ? { ...m, content: m.content === null ? '' : JSON.stringify(m.content) } : m,
      )
    : raw?.messages;
  const parsed = llmDataSchema.safeParse({ ...(raw ?? {}), messages });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`);
    throw new NodeFailure('llm_config_invalid', `The llm node's data is invalid after resolving references: ${issues.join('; ')}`, { details: { issues } });
  }
  return parsed.data;
}
