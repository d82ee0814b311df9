import type { Redis } from 'ioredis';
import {
  SecretCipher,
  type RunEventStream,
  createCodeExecutor,
  createHttpExecutor,
  createLlmExecutor,
  type Logger,
  type NodeExecutors,
  type PrismaClient,
} from '@weft/activities';
import type { WorkerConfig } from './config';

/** The real executors of the effectful node types, configured from the worker's environment. */
export function createExecutors(config: WorkerConfig, deps: { prisma: PrismaClient; redis: Redis; events: RunEventStream; logger: Logger }) {
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
      cipher: new SecretCipher(config.WEFT_ENCRYPTION_KEY),
      breaker: { failureThreshold: config.WEFT_LLM_BREAKER_THRESHOLD, coolDownMs: config.WEFT_LLM_BREAKER_COOLDOWN_MS },
      allowlist: config.WEFT_MODEL_PROVIDER_ALLOWLIST,
    }),
  };
  return { executors, close: () => code.close() };
}
