import type { Redis } from 'ioredis';
import {
  Embedder,
  RetrievalService,
  SecretCipher,
  type RunEventStream,
  createCodeExecutor,
  createHttpExecutor,
  createKnowledgeRetrievalExecutor,
  createLlmExecutor,
  type Logger,
  type NodeExecutors,
  type PrismaClient,
  type VectorStore,
  type WorkerMetrics,
} from '@weft/activities';
import type { WorkerConfig } from './config';

/** The real executors of the effectful node types, configured from the worker's environment. */
export function createExecutors(config: WorkerConfig, deps: { prisma: PrismaClient; redis: Redis; events: RunEventStream; logger: Logger; vectors: VectorStore; metrics?: WorkerMetrics }) {
  const cipher = new SecretCipher(config.WEFT_ENCRYPTION_KEY);
  const breaker = { failureThreshold: config.WEFT_LLM_BREAKER_THRESHOLD, coolDownMs: config.WEFT_LLM_BREAKER_COOLDOWN_MS };
  // Embeddings go to the same endpoints as chat: the same guard, allowlist and breaker.
  const embedder = new Embedder({ prisma: deps.prisma, redis: deps.redis, logger: deps.logger, cipher, breaker, allowlist: config.WEFT_MODEL_PROVIDER_ALLOWLIST });
  const code = createCodeExecutor({
    timeoutMs: config.WEFT_CODE_TIMEOUT_MS,
    memoryLimitBytes: config.WEFT_CODE_MEMORY_MB * 1024 * 1024,
    maxOutputBytes: config.WEFT_CODE_MAX_OUTPUT_BYTES,
    maxProcesses: config.WEFT_CODE_PROCESSES,
  });
  const executors: NodeExecutors = {
    code,
    'http-request': createHttpExecutor({ allowlist: config.WEFT_HTTP_ALLOWLIST }),
    llm: createLlmExecutor({
      prisma: deps.prisma,
      redis: deps.redis,
      events: deps.events,
      logger: deps.logger,
      cipher,
      breaker,
      allowlist: config.WEFT_MODEL_PROVIDER_ALLOWLIST,
      metrics: deps.metrics,
    }),
    'knowledge-retrieval': createKnowledgeRetrievalExecutor(new RetrievalService({ prisma: deps.prisma, vectors: deps.vectors, embedder })),
  };
  return { executors, close: () => code.close() };
}
