import { NodeFailure } from '../errors/node-failure';
import type { PrismaClient } from '../persistence/prisma-client';
import type { SecretCipher } from '../secrets/secret-cipher';
import { scrub } from '../secrets/secrets.store';
import { LLM_ERRORS } from './llm.errors';
import type { ModelProvider } from './model-provider.port';
import { OpenAiAdapter, type OpenAiAdapterOptions } from './openai.adapter';

/** What an adapter factory receives: the provider row with its key already decrypted. */
export interface ProviderConfig {
  name: string;
  baseUrl: string | null;
  apiKey: string;
}

export type ProviderFactory = (config: ProviderConfig) => ModelProvider;

export interface ResolvedProvider {
  provider: ModelProvider;
  /** the adapter's type (`model_providers.type`, one of the factories' keys): a bounded metrics label, unlike the tenant's name */
  type: string;
  /** the plaintext key, so callers can scrub it from any text that leaves the activity */
  apiKey: string;
}

/** One line per vendor type; `type` is the `model_providers.type` column. */
export function defaultProviderFactories(openai: Omit<OpenAiAdapterOptions, 'name' | 'baseUrl' | 'apiKey'> = {}): Record<string, ProviderFactory> {
  return { openai: (c) => new OpenAiAdapter({ ...openai, ...c }) };
}

/**
 * Finds a tenant's model provider and builds its adapter. The API key is decrypted here, inside
 * the activity, for this one call: it is never cached, logged, returned or put in a message.
 */
export class ProviderRegistry {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly cipher: SecretCipher,
    private readonly factories: Record<string, ProviderFactory> = defaultProviderFactories(),
  ) {}

  /** The provider named `name`, or the tenant's first one when no name is given. */
  async resolve(tenantId: string, name?: string): Promise<ResolvedProvider> {
    const row = await this.prisma.modelProvider.findFirst({
      where: { tenantId, ...(name ? { name } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    if (!row) {
      throw new NodeFailure(
        LLM_ERRORS.providerNotFound,
        name ? `No model provider named '${name}' in this tenant` : 'This tenant has no model provider; create one with POST /v1/model-providers',
      );
    }
    const factory = this.factories[row.type];
    if (!factory) throw new NodeFailure(LLM_ERRORS.providerNotFound, `Model provider '${row.name}' has type '${row.type}', which this worker cannot call`);
    let apiKey: string;
    try {
      apiKey = this.cipher.decrypt(row.apiKeyEncrypted);
    } catch {
      // A key encrypted under another WEFT_ENCRYPTION_KEY: retrying cannot fix it.
      throw new NodeFailure(LLM_ERRORS.unauthorized, `The API key of model provider '${row.name}' cannot be decrypted with this worker's encryption key`);
    }
    return { provider: build(factory, { name: row.name, baseUrl: row.baseUrl, apiKey }), type: row.type, apiKey };
  }
}

/**
 * Builds an adapter. A vendor SDK's constructor can refuse what a provider row holds (an empty
 * key, a URL it cannot use) with its own words, which may quote the key or the SDK's internals:
 * the node fails with a coded plain message, and the SDK's error goes to the worker log as the
 * cause, with the key masked. A row that cannot be built now will not be built on a retry either.
 */
function build(factory: ProviderFactory, config: ProviderConfig): ModelProvider {
  try {
    return factory(config);
  } catch (err) {
    if (err instanceof NodeFailure) throw err;
    for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
      e.message = scrub(e.message, [config.apiKey]);
      if (e.stack) e.stack = scrub(e.stack, [config.apiKey]);
    }
    throw new NodeFailure(LLM_ERRORS.providerInvalid, { name: config.name }, { cause: err });
  }
}
