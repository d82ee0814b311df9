import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { createPrismaClient, payloadDataConverter } from '@weft/activities';
import { createApp, vectorStoreOf } from '../../apps/api/src/app';
import { apiConfigSchema } from '../../apps/api/src/config';
import { httpClient, silentLogger } from '../support/harness';
import { testEnv } from '../support/test-env';

// Port 9 on loopback (discard) has no listener here: every connection to it is refused at once.
const DEAD = '127.0.0.1:9';

async function appWith(overrides: { database?: string; redis?: string; temporal?: string; milvus?: string }) {
  const config = apiConfigSchema.parse({
    DATABASE_URL: overrides.database ?? testEnv.databaseUrl,
    REDIS_URL: overrides.redis ?? testEnv.redisUrl,
    TEMPORAL_ADDRESS: overrides.temporal ?? testEnv.temporalAddress,
    MILVUS_ADDRESS: overrides.milvus ?? testEnv.milvusAddress,
    WEFT_ENCRYPTION_KEY: testEnv.encryptionKey,
  });
  const prisma = createPrismaClient(config.DATABASE_URL, 1);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  // No gRPC retry interceptor: a retry timer left pending would fire after close() and throw.
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS, interceptors: [] });
  const temporal = new Client({ connection, namespace: 'default', dataConverter: payloadDataConverter(config) });
  const app = createApp({ config, prisma, redis, temporal, logger: silentLogger });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: httpClient(url),
    async close() {
      await new Promise((r) => server.close(r));
      redis.disconnect();
      await prisma.$disconnect().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await vectorStoreOf(app).close();
    },
  };
}

describe('/health/ready with a dependency down', () => {
  it('names Redis when only Redis is down', async () => {
    const app = await appWith({ redis: `redis://${DEAD}/0` });
    try {
      const r = await app.get('GET', '/health/ready');
      expect(r.status).toBe(503);
      expect(r.body.down).toEqual(['redis']);
      expect(r.body.checks.postgres).toEqual({ status: 'up' });
      expect(r.body.checks.redis.status).toBe('down');
      expect((await app.get('GET', '/health/live')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('names Milvus when only Milvus is down, in plain words', async () => {
    const app = await appWith({ milvus: DEAD });
    try {
      const r = await app.get('GET', '/health/ready');
      expect(r.status).toBe(503);
      expect(r.body.down).toEqual(['milvus']);
      expect(r.body.checks.milvus).toEqual({ status: 'down', error: 'The vector store is unavailable; try again' });
      expect(r.body.checks.temporal).toEqual({ status: 'up' });
    } finally {
      await app.close();
    }
  });

  it('names PostgreSQL and Temporal when they are down, and a request needing them gets 503', async () => {
    const app = await appWith({ database: `postgresql://postgres@${DEAD}/weft_test`, temporal: DEAD });
    try {
      const r = await app.get('GET', '/health/ready');
      expect(r.status).toBe(503);
      expect(r.body.down).toEqual(['postgres', 'temporal']);
      const api = await app.get('GET', '/v1/workflows', undefined, { authorization: 'Bearer sk-aaaaaaaaaaaaaaaaaaaaaaaa' });
      expect(api.status).toBe(503);
      expect(api.body.code).toBe('database_unavailable');
      // The deep probe says the same, each with its latency, and cannot tell whether a worker polls.
      const deep = await app.get('GET', '/health/deep');
      expect(deep.status).toBe(503);
      expect(deep.body).toMatchObject({ status: 'unavailable', down: ['postgres', 'temporal'], unpolled: ['runs', 'ingestion'] });
      expect(deep.body.dependencies.temporal).toEqual({ status: 'down', latencyMs: expect.any(Number), error: expect.any(String) });
      expect(deep.body.dependencies.redis).toEqual({ status: 'up', latencyMs: expect.any(Number) });
      expect(deep.body.taskQueues.runs).toMatchObject({ name: 'weft', status: 'unknown', error: expect.any(String) });
    } finally {
      await app.close();
    }
  });
});
