import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelemetryOptions } from '@temporalio/worker';
import { METRICS_CONTENT_TYPE, createMetricsRegistry, createWorkerMetrics, scrapeAllowed, type Logger, type WorkerMetrics } from '@weft/activities';
import type { WorkerConfig } from './config';

/** How long a scrape waits for the SDK's own endpoint before answering without its metrics. */
const SDK_SCRAPE_TIMEOUT_MS = 2_000;

export interface MetricsEndpoint {
  metrics: WorkerMetrics;
  /** what Runtime.install must be given (before any Worker or connection exists) so the SDK exports its metrics */
  sdkTelemetry: TelemetryOptions;
  /** where the worker's /metrics is served */
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's GET /metrics (README "Metrics") on WEFT_WORKER_METRICS_HOST:PORT: Weft's worker
 * metrics and, merged into the same answer, the Temporal SDK's own (task slots, poll latency,
 * sticky cache, …). The SDK's Core exports those on a Prometheus endpoint of its own, which this
 * process binds on a free loopback port and reads on each scrape, so operators scrape one port.
 * Started before anything else: a port already taken stops the worker at start-up, named.
 */
export async function startMetricsEndpoint(config: WorkerConfig, logger: Logger): Promise<MetricsEndpoint> {
  const registry = createMetricsRegistry();
  const metrics = createWorkerMetrics(registry, { maxModels: config.WEFT_METRICS_MAX_MODELS });
  const sdkAddress = `127.0.0.1:${await freeLoopbackPort()}`;

  const sdkMetrics = async (): Promise<string> => {
    try {
      const res = await fetch(`http://${sdkAddress}/metrics`, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`status ${res.status}`);
      metrics.sdkScraped(true);
      return await res.text();
    } catch (err) {
      metrics.sdkScraped(false);
      logger.warn('temporal sdk metrics not read', { message: (err as Error).message });
      return '';
    }
  };

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    if (!scrapeAllowed(req.headers.authorization, config.WEFT_METRICS_TOKEN)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized: send Authorization: Bearer <WEFT_METRICS_TOKEN>\n');
      return;
    }
    void (async () => {
      const sdk = await sdkMetrics();
      const own = await registry.metrics();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(own + (sdk.endsWith('\n') || !sdk ? sdk : `${sdk}\n`));
    })().catch((err: unknown) => {
      logger.error('metrics scrape failed', { message: (err as Error).message });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('metrics unavailable\n');
    });
  });
  const address = await listen(server, config.WEFT_WORKER_METRICS_HOST, config.WEFT_WORKER_METRICS_PORT);
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`;
  logger.info('metrics endpoint listening', { url });

  return {
    metrics,
    url,
    sdkTelemetry: {
      // Prometheus's conventions, as Weft's own metrics follow them: seconds, and counters ending in _total.
      metrics: { prometheus: { bindAddress: sdkAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } },
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`WEFT_WORKER_METRICS_PORT ${port} on ${host} is taken (another worker on this host?): give each worker its own port, or 0 to serve no metrics`)
          : err,
      ),
    );
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

/** A port nothing listens on now; the SDK binds it moments later (loopback only, so nothing else races for it in practice). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
