/**
 * The port every model vendor adapter implements. Adapters throw NodeFailure with `llm_*` codes
 * (retryable or not) so callers never see a vendor's error classes.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What an endpoint can do; callers pick the best request shape from it instead of guessing. */
export interface ProviderCapabilities {
  streaming: boolean;
  /** a JSON object guaranteed (`response_format: json_object`) */
  jsonMode: boolean;
  /** output constrained by a JSON Schema (`response_format: json_schema`) */
  jsonSchema: boolean;
  embeddings: boolean;
  listModels: boolean;
  /** usage reported at the end of a stream (`stream_options.include_usage`) */
  streamUsage: boolean;
}

export type ChatResponseFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  responseFormat: ChatResponseFormat;
  stream: boolean;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** true when the endpoint reported none and the numbers come from `countTokens` */
  estimated: boolean;
}

export interface ChatResult {
  text: string;
  /** the vendor's reason (`stop`, `length`, `content_filter`, `tool_calls`…), null when it gave none */
  finishReason: string | null;
  usage: TokenUsage;
}

export interface ChatHooks {
  /** each piece of text as it streams in (streaming calls only) */
  onDelta?(text: string): void;
  /** the endpoint accepted the call and began answering: tokens may be billed from here on */
  onResponse?(): void;
}

export interface ModelInfo {
  id: string;
  ownedBy: string | null;
}

export interface EmbeddingRequest {
  model: string;
  input: string[];
  dimensions?: number;
}

export interface EmbeddingResult {
  vectors: number[][];
  usage: { inputTokens: number };
}

export interface ModelProvider {
  /** the tenant's name for this provider */
  readonly name: string;
  /** the endpoint's base URL without credentials: identifies it in messages, logs and the breaker */
  readonly endpoint: string;
  readonly capabilities: ProviderCapabilities;
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  chat(request: ChatRequest, signal: AbortSignal, hooks?: ChatHooks): Promise<ChatResult>;
  embed(request: EmbeddingRequest, signal?: AbortSignal): Promise<EmbeddingResult>;
  /** An estimate (see token-estimate.ts): used only when the endpoint reports no usage. */
  countTokens(input: string | ChatMessage[]): number;
}
