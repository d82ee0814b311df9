import { randomBytes, randomUUID } from 'node:crypto';

/** Settings of the services `npm test` starts (scripts/test.sh), read by every integration suite. */
export const testEnv = {
  databaseUrl: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/weft_test',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15',
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7243',
  /** the Milvus Lite of `npm test` (WEFT_TEST_MILVUS_PORT) */
  milvusAddress: process.env.MILVUS_ADDRESS ?? '127.0.0.1:19540',
  namespace: 'default',
  /** a fresh key per test process: secrets written by one process are read back by the same one */
  encryptionKey: process.env.WEFT_ENCRYPTION_KEY ?? randomBytes(32).toString('hex'),
  /** the operator token of the harness's codec endpoint (WEFT_CODEC_TOKEN) */
  codecToken: randomBytes(24).toString('base64url'),
};

if (!/test/.test(new URL(testEnv.databaseUrl).pathname)) {
  throw new Error(`Refusing to run integration tests against ${testEnv.databaseUrl}: its name must say it is a test database`);
}

/** A task queue of its own per suite, so suites never pick up each other's workflows. */
export function uniqueTaskQueue(name: string): string {
  return `weft-test-${name}-${randomUUID().slice(0, 8)}`;
}

/** What an API or a worker of a suite connects to, serving the suite's task queues (`<queue>-ingestion` for ingestion). */
export function serviceEnv(taskQueue: string) {
  return {
    DATABASE_URL: testEnv.databaseUrl,
    REDIS_URL: testEnv.redisUrl,
    TEMPORAL_ADDRESS: testEnv.temporalAddress,
    MILVUS_ADDRESS: testEnv.milvusAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_INGESTION_TASK_QUEUE: `${taskQueue}-ingestion`,
    WEFT_ENCRYPTION_KEY: testEnv.encryptionKey,
    // No request rate limits (0: none): suites poll and load the API far faster than a client would;
    // a suite that tests the limits sets its own (test/api/limits.test.ts).
    WEFT_RATE_LIMIT_KEY_PER_MINUTE: '0',
    WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE: '0',
    WEFT_RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
  };
}
