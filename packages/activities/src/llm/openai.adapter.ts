import OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';
import { NodeFailure } from '../errors/node-failure';
import { defaultGuardedFetch, type ProviderFetch } from './guarded-fetch';
import { LLM_ERRORS, describeEndpoint, toLlmFailure } from './llm.errors';
import type {
  ChatHooks,
  ChatMessage,
  ChatRequest,
  ChatResult,
  EmbeddingRequest,
  EmbeddingResult,
  ModelInfo,
  ModelProvider,
  ProviderCapabilities,
} from './model-provider.port';
import { estimateTokens } from './token-estimate';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiAdapterOptions {
  name: string;
  /** any OpenAI-compatible endpoint; OpenAI's own when absent */
  baseUrl?: string | null;
  apiKey: string;
  /** longest wait for an answer (for a stream: for it to begin) */
  requestTimeoutMs?: number;
  /** longest silence between two chunks of a stream before the call counts as timed out */
  streamIdleTimeoutMs?: number;
  /**
   * How requests are sent: a fetch behind the SSRF guard (createGuardedFetch with the worker's
   * WEFT_MODEL_PROVIDER_ALLOWLIST). Default: the guard with an empty allowlist.
   */
  fetch?: ProviderFetch;
}

/** Why a base URL may not be called at all, or undefined when it may. */
export function baseUrlProblem(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry credentials (user:password@); the key is sent as a bearer token';
  if (url.hash) return 'must not have a #fragment';
  return undefined;
}

/**
 * The `openai` vendor type on the official SDK, for OpenAI and any endpoint speaking its wire
 * protocol (vLLM, Ollama, LiteLLM, Azure-style proxies). The SDK's own retries are off: Temporal
 * owns retries, so every attempt is visible in the run's node records and history.
 */
export class OpenAiAdapter implements ModelProvider {
  readonly name: string;
  readonly endpoint: string;
  // An OpenAI-compatible endpoint may lack json_schema or stream usage; the executor degrades
  // gracefully (json_object on a 400, estimated usage) rather than guessing from the URL.
  readonly capabilities: ProviderCapabilities = { streaming: true, jsonMode: true, jsonSchema: true, embeddings: true, listModels: true, streamUsage: true };
  private readonly client: OpenAI;
  private readonly isOpenAi: boolean;
  private readonly requestTimeoutMs: number;
  private readonly streamIdleTimeoutMs: number;

  constructor(options: OpenAiAdapterOptions) {
    const baseURL = options.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
    // The API refuses such URLs; this keeps rows written before it did from being called.
    const problem = baseUrlProblem(baseURL);
    if (problem) throw new NodeFailure(LLM_ERRORS.addressRefused, `The base URL of model provider '${options.name}' ${problem}`);
    this.name = options.name;
    this.endpoint = describeEndpoint(baseURL);
    this.isOpenAi = this.endpoint === OPENAI_DEFAULT_BASE_URL;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10 * 60_000;
    this.streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? 60_000;
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL, maxRetries: 0, timeout: this.requestTimeoutMs, fetch: options.fetch ?? defaultGuardedFetch() });
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    try {
      const models: ModelInfo[] = [];
      for await (const m of this.client.models.list({ signal })) models.push({ id: m.id, ownedBy: m.owned_by ?? null });
      return models;
    } catch (err) {
      throw toLlmFailure(err, this.endpoint);
    }
  }

  async chat(request: ChatRequest, signal: AbortSignal, hooks: ChatHooks = {}): Promise<ChatResult> {
    const params: ChatCompletionCreateParamsBase = {
      model: request.model,
      messages: request.messages,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      // OpenAI's reasoning models accept only max_completion_tokens; most compatible servers
      // still know only max_tokens, which OpenAI keeps accepting for its other models.
      ...(request.maxTokens !== undefined ? (this.isOpenAi ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }) : {}),
      ...responseFormat(request),
    };
    // Our own timers rather than the SDK's timeout: which signal fired tells a cancelled run from
    // a slow endpoint, whatever shape the fetch implementation gives its abort errors.
    const call = new CallTimers(signal, this.requestTimeoutMs, this.streamIdleTimeoutMs);
    try {
      const result = request.stream ? await this.streamChat(params, request.messages, call, hooks) : await this.completeChat(params, request.messages, call, hooks);
      if (call.signal.aborted) throw new Error('aborted');
      return result;
    } catch (err) {
      if (signal.aborted) throw new NodeFailure(LLM_ERRORS.cancelled, 'The call to the model provider was cancelled');
      if (call.timedOut) throw new NodeFailure(LLM_ERRORS.timeout, `The model provider at ${this.endpoint} ${call.timedOut}`);
      throw toLlmFailure(err, this.endpoint);
    } finally {
      call.clear();
    }
  }

  async embed(request: EmbeddingRequest, signal?: AbortSignal): Promise<EmbeddingResult> {
    try {
      const res = await this.client.embeddings.create(
        // float: the SDK's base64 default is a bandwidth saving many compatible servers lack.
        { model: request.model, input: request.input, encoding_format: 'float', ...(request.dimensions ? { dimensions: request.dimensions } : {}) },
        { signal },
      );
      const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      return { vectors, usage: { inputTokens: res.usage?.prompt_tokens ?? request.input.reduce((n, t) => n + estimateTokens(t), 0) } };
    } catch (err) {
      throw toLlmFailure(err, this.endpoint);
    }
  }

  countTokens(input: string | ChatMessage[]): number {
    return estimateTokens(input);
  }

  private async completeChat(params: ChatCompletionCreateParamsBase, messages: ChatMessage[], call: CallTimers, hooks: ChatHooks): Promise<ChatResult> {
    const res = await this.client.chat.completions.create({ ...params, stream: false }, { signal: call.signal, timeout: this.requestTimeoutMs + 1_000 });
    hooks.onResponse?.();
    const choice = res.choices[0];
    const text = choice?.message?.content ?? '';
    return {
      text,
      finishReason: choice?.finish_reason ?? null,
      usage: res.usage
        ? { inputTokens: res.usage.prompt_tokens, outputTokens: res.usage.completion_tokens, estimated: false }
        : { inputTokens: estimateTokens(messages), outputTokens: estimateTokens(text), estimated: true },
    };
  }

  private async streamChat(params: ChatCompletionCreateParamsBase, messages: ChatMessage[], call: CallTimers, hooks: ChatHooks): Promise<ChatResult> {
    const stream = await this.client.chat.completions.create(
      { ...params, stream: true, ...(this.capabilities.streamUsage ? { stream_options: { include_usage: true } } : {}) },
      { signal: call.signal, timeout: this.requestTimeoutMs + 1_000 },
    );
    hooks.onResponse?.();
    call.streaming();
    let text = '';
    let finishReason: string | null = null;
    let usage: ChatResult['usage'] | undefined;
    // The SDK ends a stream quietly when its signal aborts; chat() checks the signal afterwards.
    for await (const chunk of stream) {
      call.streaming();
      if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens, estimated: false };
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const piece = choice.delta?.content;
      if (piece) {
        text += piece;
        hooks.onDelta?.(piece);
      }
    }
    return { text, finishReason, usage: usage ?? { inputTokens: estimateTokens(messages), outputTokens: estimateTokens(text), estimated: true } };
  }
}

/** The caller's signal plus two clocks: time until the answer begins, and silence inside a stream. */
class CallTimers {
  private readonly own = new AbortController();
  private timer: NodeJS.Timeout;
  readonly signal: AbortSignal;
  /** what ran out, as the end of a sentence; undefined while nothing did */
  timedOut: string | undefined;

  constructor(
    caller: AbortSignal,
    requestTimeoutMs: number,
    private readonly idleMs: number,
  ) {
    this.signal = AbortSignal.any([caller, this.own.signal]);
    this.timer = setTimeout(() => this.expire(`did not answer within ${requestTimeoutMs} ms`), requestTimeoutMs);
  }

  /** A chunk arrived: the silence clock starts again. */
  streaming(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expire(`went silent for ${this.idleMs} ms in the middle of a stream`), this.idleMs);
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  private expire(what: string): void {
    this.timedOut = what;
    this.own.abort();
  }
}

function responseFormat(request: ChatRequest): Pick<ChatCompletionCreateParamsBase, 'response_format'> {
  const f = request.responseFormat;
  if (f.type === 'json_object') return { response_format: { type: 'json_object' } };
  // strict: false because strict mode demands a schema subset (every property required, no
  // additionalProperties) that user schemas rarely meet; the executor validates the answer itself.
  if (f.type === 'json_schema') return { response_format: { type: 'json_schema', json_schema: { name: f.name, schema: f.schema, strict: false } } };
  return {};
}
