import { Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { createLogger, fatalErrorText, tracingFromSettings, type Logger } from '@weft/activities';
import { loadWorkerConfig } from './config';
import { defaultIngestionPorts } from './ingestion';
import { boundShutdown } from './shutdown';
import { startMetricsEndpoint } from './metrics-endpoint';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger({ service: 'weft-worker', level: config.LOG_LEVEL });
  // Before the Runtime: the SDK's metrics endpoint is part of the Runtime's telemetry.
  const endpoint = config.WEFT_WORKER_METRICS_PORT ? await startMetricsEndpoint(config, logger) : undefined;
  // Workflow code logs (internal errors with their reference ids) through the SDK; send them to the same JSON log.
  Runtime.install({ logger: sdkLogger(logger), ...(endpoint ? { telemetryOptions: endpoint.sdkTelemetry } : {}) });
  const tracing = tracingFromSettings({ serviceName: config.OTEL_SERVICE_NAME, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, sampleRatio: config.WEFT_TRACE_SAMPLE_RATIO });
  const ingestionPorts = config.WEFT_INGESTION_WORKER ? defaultIngestionPorts() : undefined;
  const { worker, ingestion, run, close } = await createWorker(config, logger, undefined, undefined, { ingestion: ingestionPorts?.ports, metrics: endpoint?.metrics, tracing });
  logger.info('worker started', {
    ...(worker ? { taskQueue: config.TEMPORAL_TASK_QUEUE } : {}),
    ...(ingestion ? { ingestionTaskQueue: config.TEMPORAL_INGESTION_TASK_QUEUE } : {}),
    address: config.TEMPORAL_ADDRESS,
  });
  boundShutdown(config, logger);
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before resolving.
  await run();
  await close();
  await ingestionPorts?.close();
  await tracing?.shutdown();
  await endpoint?.close();
  logger.info('worker stopped');
  // Drained and closed: exit now rather than wait for whatever handle a library left open.
  process.exit(0);
}

function sdkLogger(logger: Logger) {
  const levels: Record<LogLevel, string> = { TRACE: 'silly', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
  const at = (level: LogLevel) => (message: string, meta?: LogMetadata) => void logger.log(levels[level], message, { sdk: true, ...meta });
  return {
    log: (level: LogLevel, message: string, meta?: LogMetadata) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

main().catch((err: unknown) => {
  console.error(fatalErrorText(err));
  process.exit(1);
});
