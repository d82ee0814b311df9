import { createHash } from 'node:crypto';
import { KNOWLEDGE_LIMITS, type EmbeddingSettings } from '@weft/domain';
import type { Redis } from 'ioredis';
import { NodeFailure } from '../errors/node-failure';
import { CircuitBreaker, type CircuitBreakerOptions } from '../llm/circuit-breaker';
import { createGuardedFetch, type GuardedFetchOptions } from '../llm/guarded-fetch';
import { LLM_ERRORS, toLlmFailure } from '../llm/llm.errors';
import type { ModelProvider } from '../llm/model-provider.port';
import { ProviderRegistry, defaultProviderFactories, type ProviderFactory } from '../llm/provider-registry';
import type { Logger } from '../observability/logger';
import type { PrismaClient } from '../persistence/prisma-client';
import type { SecretCipher } from '../secrets/secret-cipher';
import { scrub } from '../secrets/secrets.store';

export interface EmbedderDeps {
  prisma: PrismaClient;
  /** Redis holding the circuit breakers' state: the same breaker per endpoint as the llm node's */
  redis: Redis;
  logger: Logger;
  /** decrypts the providers' API keys (WEFT_ENCRYPTION_KEY) */
  cipher: SecretCipher;
  breaker?: CircuitBreakerOptions;
  /** endpoints reachable despite the SSRF guard (WEFT_MODEL_PROVIDER_ALLOWLIST); none by default */
  allowlist?: GuardedFetchOptions['allowlist'];
  resolve?: GuardedFetchOptions['resolve'];
  /** adapter factories by provider type; the `openai` adapter behind the guard by default */
  factories?: Record<string, ProviderFactory>;
  /** texts per embedding request; KNOWLEDGE_LIMITS.embeddingBatchSize by default */
  batchSize?: number;
}

export interface EmbedResult {
  /** one vector per input text, in input order */
  vectors: number[][];
  /** distinct texts answered from the cache (not sent) */
  cached: number;
  /** distinct texts sent to the provider */
  embedded: number;
  /** tokens the provider counted for what was sent */
  inputTokens: number;
}

/** Cache lookups per query: bounded so a large document never builds one huge `IN (...)`. */
const LOOKUP_CHUNK = 1000;

/**
 * Embeds texts for a knowledge with the tenant's model provider, through the same SSRF guard and
 * per-endpoint circuit breaker as the llm node. A cache in PostgreSQL (per tenant, keyed by the
 * endpoint, model, dimensions and text) means a re-index or a retried batch never pays twice.
 *
 * Vectors are float32 (what the cache stores and the vector store holds), so a vector read from
 * the cache and one just computed are the same numbers.
 */
export class Embedder {
  private readonly providers: ProviderRegistry;
  private readonly breaker: CircuitBreaker;
  private readonly batchSize: number;

  constructor(private readonly deps: EmbedderDeps) {
    const factories = deps.factories ?? defaultProviderFactories({ fetch: createGuardedFetch({ allowlist: deps.allowlist, resolve: deps.resolve }) });
    this.providers = new ProviderRegistry(deps.prisma, deps.cipher, factories);
    this.breaker = new CircuitBreaker(deps.redis, deps.logger, deps.breaker);
    this.batchSize = deps.batchSize ?? KNOWLEDGE_LIMITS.embeddingBatchSize;
  }

  async embed(tenantId: string, settings: EmbeddingSettings, texts: readonly string[], signal?: AbortSignal): Promise<EmbedResult> {
    if (texts.length === 0) return { vectors: [], cached: 0, embedded: 0, inputTokens: 0 };
    const { provider, apiKey } = await this.resolve(tenantId, settings);
    try {
      return await this.embedWith(tenantId, provider, settings, texts, signal);
    } catch (err) {
      // A vendor may quote the key it refused; it must not leave here, nor reach a log as a cause.
      for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
        e.message = scrub(e.message, [apiKey]);
        if (e.stack) e.stack = scrub(e.stack, [apiKey]);
      }
      throw err;
    }
  }

  private async resolve(tenantId: string, settings: EmbeddingSettings) {
    const named = settings.provider ?? "the tenant's first model provider";
    let resolved;
    try {
      resolved = await this.providers.resolve(tenantId, settings.provider);
    } catch (err) {
      if (err instanceof NodeFailure && (err.code === LLM_ERRORS.providerNotFound || err.code === LLM_ERRORS.providerInvalid)) {
        throw new NodeFailure('embedding_unavailable', { provider: named, reason: err.message }, { cause: err });
      }
      throw err;
    }
    if (!resolved.provider.capabilities.embeddings) {
      throw new NodeFailure('embedding_unavailable', { provider: resolved.provider.name, reason: 'its type has no embeddings endpoint' });
    }
    return resolved;
  }

  private async embedWith(tenantId: string, provider: ModelProvider, settings: EmbeddingSettings, texts: readonly string[], signal?: AbortSignal): Promise<EmbedResult> {
    const keyOf = (text: string) => cacheKey(provider.endpoint, settings.model, settings.dimensions, text);
    const distinct = [...new Set(texts)];
    const keys = new Map(distinct.map((t) => [t, keyOf(t)]));
    const found = await this.lookup(tenantId, [...keys.values()]);
    const byText = new Map<string, number[]>();
    const misses: string[] = [];
    for (const text of distinct) {
      const hit = found.get(keys.get(text)!);
      // A cached vector of another length (the model changed its output size) is not trusted.
      if (hit && (settings.dimensions === undefined || hit.length === settings.dimensions)) byText.set(text, hit);
      else misses.push(text);
    }
    const cached = distinct.length - misses.length;
    let inputTokens = 0;
    let width: number | undefined = settings.dimensions ?? byText.values().next().value?.length;
    for (let i = 0; i < misses.length; i += this.batchSize) {
      const batch = misses.slice(i, i + this.batchSize);
      const result = await this.call(provider, settings, batch, signal);
      const vectors = result.vectors.map((v) => v.map(Math.fround));
      if (vectors.length !== batch.length || vectors.some((v) => v.length === 0 || v.some((x) => !Number.isFinite(x)))) {
        throw new NodeFailure('embedding_failed', { model: settings.model, reason: `the provider answered ${vectors.length} usable vector(s) for ${batch.length} text(s)` });
      }
      width ??= vectors[0]!.length;
      const wrong = vectors.find((v) => v.length !== width);
      if (wrong) throw new NodeFailure('embedding_failed', { model: settings.model, reason: `it returned vectors of ${wrong.length} dimensions where ${width} were expected` });
      inputTokens += result.usage.inputTokens;
      batch.forEach((text, j) => byText.set(text, vectors[j]!));
      await this.store(tenantId, batch.map((text, j) => ({ key: keys.get(text)!, vector: vectors[j]! })));
    }
    return { vectors: texts.map((t) => byText.get(t)!), cached, embedded: misses.length, inputTokens };
  }

  private async call(provider: ModelProvider, settings: EmbeddingSettings, input: string[], signal?: AbortSignal) {
    const permit = await this.breaker.acquire(provider.endpoint);
    try {
      const result = await provider.embed({ model: settings.model, input, ...(settings.dimensions ? { dimensions: settings.dimensions } : {}) }, signal);
      await this.breaker.succeeded(provider.endpoint);
      return result;
    } catch (err) {
      const failure = toLlmFailure(err, provider.endpoint);
      await this.breaker.settle(provider.endpoint, permit, failure);
      throw failure;
    }
  }

  private async lookup(tenantId: string, keys: string[]): Promise<Map<string, number[]>> {
    const found = new Map<string, number[]>();
    for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
      const rows = await this.deps.prisma.embeddingCache.findMany({ where: { tenantId, key: { in: keys.slice(i, i + LOOKUP_CHUNK) } }, select: { key: true, vector: true } });
      for (const row of rows) found.set(row.key, decodeVector(row.vector));
    }
    return found;
  }

  private async store(tenantId: string, entries: { key: string; vector: number[] }[]): Promise<void> {
    try {
      // skipDuplicates: two documents (or two attempts) embedding the same text at once both win.
      await this.deps.prisma.embeddingCache.createMany({ data: entries.map((e) => ({ tenantId, key: e.key, vector: encodeVector(e.vector) })), skipDuplicates: true });
    } catch (err) {
      // The vectors are paid for and correct: a cache that cannot be written costs a later re-index, not this one.
      this.deps.logger.warn('embedding cache could not be written', { tenantId, count: entries.length, message: (err as Error).message });
    }
  }
}

/** sha256 of what decides a vector: the endpoint, the model, the requested size and the text. */
export function cacheKey(endpoint: string, model: string, dimensions: number | undefined, text: string): string {
  return createHash('sha256').update(JSON.stringify([endpoint, model, dimensions ?? null, text])).digest('hex');
}

/** float32 little-endian, whatever the machine's own byte order. */
export function encodeVector(vector: readonly number[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(new ArrayBuffer(vector.length * 4));
  const view = new DataView(bytes.buffer);
  vector.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return bytes;
}

export function decodeVector(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: Math.floor(bytes.byteLength / 4) }, (_, i) => view.getFloat32(i * 4, true));
}
