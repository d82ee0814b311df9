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
