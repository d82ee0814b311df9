import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { clientTracingInterceptors, createLogger, createPrismaClient, payloadDataConverter, tracingFromSettings } from '@weft/activities';
import { createApp, liveEventsOf, vectorStoreOf } from './app';
import { loadApiConfig } from './config';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const logger = createLogger({ service: 'weft-api', level: config.LOG_LEVEL });
  const tracing = tracingFromSettings({ serviceName: config.OTEL_SERVICE_NAME, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, sampleRatio: config.WEFT_TRACE_SAMPLE_RATIO });
  const prisma = createPrismaClient(config.DATABASE_URL);
  // Fail commands fast while Redis is down (the caller gets a 503), and reconnect in the background.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (err) => logger.warn('redis error', { message: err.message }));
  // Lazy: the API starts (and reports Temporal as down on /health/ready) while Temporal is away.
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  // Every payload is encrypted on its way to Temporal and decrypted on its way back (README "Encrypted history").
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: payloadDataConverter(config), interceptors: clientTracingInterceptors(tracing) });

  const app = createApp({ config, prisma, redis, temporal, logger, tracing });
  const server = app.listen(config.WEFT_API_PORT, config.WEFT_API_HOST, () => {
    logger.info('api listening', { url: `http://${config.WEFT_API_HOST}:${config.WEFT_API_PORT}` });
  });

  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    server.close(() => {
      void Promise.allSettled([prisma.$disconnect(), redis.quit(), connection.close(), vectorStoreOf(app).close(), tracing?.shutdown()]).then(() => process.exit(0));
    });
    // Live event streams never end by themselves: end them (the server waits for every open
    // connection), and their clients resume elsewhere with Last-Event-ID.
    liveEventsOf(app).closeAll();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
