import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { NODE_TYPES, RUN_STATUSES, type NodeRecord } from '@weft/domain';

/**
 * Every metric Weft exports is defined here (README "Metrics"); the API and the worker each build
 * their set on a registry of their own, so tests build theirs without touching a global one.
 *
 * Labels only ever take values from a closed list (node types, run and node statuses, HTTP route
 * templates) or from a capped one (model names, which tenants choose: the first N seen, then
 * `other`). Nothing that grows with use (run ids, tenant ids, user text) is ever a label.
 */

export type { Registry } from 'prom-client';

/** What a scrape answers with: Prometheus text format 0.0.4. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** A registry with the process's own metrics (CPU, resident memory, heap, event-loop lag, GC). */
export function createMetricsRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** The label value of a tenant-chosen name: the first `limit` distinct values as they are, then `other`. */
export class CappedLabel {
  private readonly seen = new Set<string>();
  constructor(
    private readonly limit: number,
    private readonly maxLength = 64,
  ) {}

  of(value: string | null | undefined): string {
    const v = (value ?? '').slice(0, this.maxLength) || 'unknown';
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.limit) return 'other';
    this.seen.add(v);
    return v;
  }
}

/** A value from a closed list, or `other` (a label must not take a value nobody listed). */
const oneOf = (allowed: ReadonlySet<string>, value: string) => (allowed.has(value) ? value : 'other');
const NODE_TYPE_NAMES: ReadonlySet<string> = new Set(Object.keys(NODE_TYPES));
const RUN_STATUS_NAMES: ReadonlySet<string> = new Set(RUN_STATUSES);
const NODE_STATUS_NAMES: ReadonlySet<string> = new Set<NodeRecord['status']>(['succeeded', 'failed', 'skipped', 'defaulted', 'reused']);
const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Seconds: from a quick probe to a blocking run or a long event stream. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds: from a pure node to a wait or an approval that takes days. */
const NODE_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86_400];

/** The route label of a request no route matched (a 404, or refused before routing, e.g. 401). */
export const UNMATCHED_ROUTE = 'unmatched';

export interface ApiMetrics {
  /** one answered request: `route` is the matched route's template (`/v1/runs/:id`) or UNMATCHED_ROUTE */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** a run whose workflow the API started (`rerun`: from POST /v1/runs/:id/rerun) */
  runStarted(trigger: 'api' | 'rerun'): void;
  /** where the SSE gauge reads the open streams of this process from (set once the streams exist) */
  sseConnectionsFrom(count: () => number): void;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  const http = new Histogram({
    name: 'weft_http_request_duration_seconds',
    help: 'HTTP requests answered by the API, by method, route template and status (_count: requests)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const started = new Counter({
    name: 'weft_runs_started_total',
    help: 'Runs whose workflow the API started (idempotent repeats not counted), by trigger: api (start a run) or rerun',
    labelNames: ['trigger'] as const,
    registers: [registry],
  });
  let sse: () => number = () => 0;
  new Gauge({
    name: 'weft_sse_connections',
    help: 'Live event streams (runs and ingestion jobs) this API process has open',
    registers: [registry],
    collect() {
      this.set(sse());
    },
  });
  return {
    httpRequest(method, route, status, seconds) {
      http.observe({ method: oneOf(HTTP_METHODS, method), route, status: String(status) }, seconds);
    },
    runStarted(trigger) {
      started.inc({ trigger });
    },
    sseConnectionsFrom(count) {
      sse = count;
    },
  };
}

export interface LlmCallObservation {
  /** the provider's type (`openai`): the adapter that called it, never the tenant's name for it */
  providerType: string;
  model: string;
  outcome: 'ok' | 'error';
  inputTokens?: number;
  outputTokens?: number;
}

export interface WorkerMetrics {
  /** a run's end, written by recordRunFinished */
  runFinished(status: string): void;
  /** node executions whose records were written (each record is one execution of one node) */
  nodesRecorded(records: readonly NodeRecord[] | undefined): void;
  /** an attempt of an effectful node after its first (the node's retry policy at work) */
  nodeRetried(type: string): void;
  /** one call to a model (chat); tokens when the provider billed any */
  llmCall(call: LlmCallObservation): void;
  /** a document whose indexing ended: completed or error */
  documentFinished(status: 'completed' | 'error'): void;
  /** whether this scrape could read the Temporal SDK's own metrics (merged into the worker's answer) */
  sdkScraped(ok: boolean): void;
}

export interface WorkerMetricsOptions {
  /** distinct model names kept as label values; later ones are counted as `other` (WEFT_METRICS_MAX_MODELS) */
  maxModels?: number;
}

export function createWorkerMetrics(registry: Registry, options: WorkerMetricsOptions = {}): WorkerMetrics {
  const runs = new Counter({
    name: 'weft_runs_finished_total',
    help: 'Runs that ended, by status (child runs of sub-workflow nodes included)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const nodes = new Histogram({
    name: 'weft_node_execution_duration_seconds',
    help: 'Node executions recorded, by node type and status, with their duration from start to end, retries included (_count: executions)',
    labelNames: ['type', 'status'] as const,
    buckets: NODE_BUCKETS,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'weft_node_retries_total',
    help: 'Attempts of effectful nodes after their first, by node type',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const llmCalls = new Counter({
    name: 'weft_llm_calls_total',
    help: 'Calls to model providers (chat), by provider type, model and outcome (ok or error)',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers: [registry],
  });
  const llmTokens = new Counter({
    name: 'weft_llm_tokens_total',
    help: 'Tokens of model calls (chat), by provider type, model and direction (input or output)',
    labelNames: ['provider', 'model', 'direction'] as const,
    registers: [registry],
  });
  const documents = new Counter({
    name: 'weft_ingestion_documents_total',
    help: 'Documents whose indexing ended, by status (completed or error)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const sdkUp = new Gauge({
    name: 'weft_temporal_sdk_metrics_up',
    help: "1 when this scrape includes the Temporal SDK's own metrics (temporal_*), 0 when its endpoint did not answer",
    registers: [registry],
  });
  const models = new CappedLabel(options.maxModels ?? 50);
  const providers = new CappedLabel(10, 32);

  return {
    runFinished(status) {
      runs.inc({ status: oneOf(RUN_STATUS_NAMES, status) });
    },
    nodesRecorded(records) {
      for (const r of records ?? []) {
        const seconds = Math.max(0, (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000);
        nodes.observe({ type: oneOf(NODE_TYPE_NAMES, r.type), status: oneOf(NODE_STATUS_NAMES, r.status) }, Number.isFinite(seconds) ? seconds : 0);
      }
    },
    nodeRetried(type) {
      retries.inc({ type: oneOf(NODE_TYPE_NAMES, type) });
    },
    llmCall({ providerType, model, outcome, inputTokens, outputTokens }) {
      const labels = { provider: providers.of(providerType), model: models.of(model) };
      llmCalls.inc({ ...labels, outcome });
      if (inputTokens) llmTokens.inc({ ...labels, direction: 'input' }, inputTokens);
      if (outputTokens) llmTokens.inc({ ...labels, direction: 'output' }, outputTokens);
    },
    documentFinished(status) {
      documents.inc({ status });
    },
    sdkScraped(ok) {
      sdkUp.set(ok ? 1 : 0);
    },
  };
}

/**
 * Whether a scrape may read the metrics: always when no token is set (WEFT_METRICS_TOKEN), else
 * only with `Authorization: Bearer <token>` (compared in constant time).
 */
export function scrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
