import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { clientTracingInterceptors, createLogger, createPrismaClient, fatalErrorText, payloadDataConverter, tracingFromSettings } from '@weft/activities';
import { createApp, drainOf, liveEventsOf, vectorStoreOf } from './app';
import { loadApiConfig } from './config';
import { shutDownGracefully } from './http/drain';

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
    // The port actually bound (WEFT_API_PORT=0 picks a free one).
    const port = (server.address() as AddressInfo).port;
    logger.info('api listening', { url: `http://${config.WEFT_API_HOST}:${port}` });
  });

  // Graceful shutdown (docs/deployment.md "Rolling deploys"): readiness 503, blocking requests
  // answer 202, live streams end with a reconnect hint, in-flight requests finish; exit within
  // WEFT_SHUTDOWN_GRACE_MS. A second signal exits at once.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal, graceMs: config.WEFT_SHUTDOWN_GRACE_MS, delayMs: config.WEFT_SHUTDOWN_DELAY_MS });
    void shutDownGracefully({
      server,
      drain: drainOf(app),
      graceMs: config.WEFT_SHUTDOWN_GRACE_MS,
      delayMs: config.WEFT_SHUTDOWN_DELAY_MS,
      endStreams: () => liveEventsOf(app).closeAll(),
      closeClients: async () => {
        // A stream's recheck can outlive the stream: let it finish before its clients close.
        await liveEventsOf(app).settled();
        return Promise.allSettled([prisma.$disconnect(), redis.quit(), connection.close(), vectorStoreOf(app).close(), tracing?.shutdown()]);
      },
      logger,
    }).then((code) => process.exit(code));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(fatalErrorText(err));
  process.exit(1);
});
