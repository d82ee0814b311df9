import { z } from 'zod';
import { HttpAllowlistError, parseHttpAllowlist, payloadKeysProblem, type ApprovalNoticeOptions, type HttpAllowlist } from '@weft/activities';
import { runLimitsEnvShape } from '@weft/domain';

/** An allowlist setting, parsed here once; a bad entry stops the worker at start-up, named. */
const allowlist = (setting: string) =>
  z
    .string()
    .default('')
    .transform((value, ctx): HttpAllowlist => {
      try {
        return parseHttpAllowlist(value, setting);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof HttpAllowlistError ? err.problems.join('; ') : String(err) });
        return z.NEVER;
      }
    });

/** The worker's whole configuration, read from the environment once at start-up. */
export const workerConfigSchema = z.object({
  DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/weft'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379/0'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  /** host:port of Milvus's gRPC endpoint: the knowledge vector store (Milvus Lite locally, Milvus standalone in docker-compose) */
  MILVUS_ADDRESS: z.string().min(1).default('127.0.0.1:19530'),
  /** Milvus credentials, `user:password` or an API key; unset for Milvus Lite, which has no authentication */
  MILVUS_TOKEN: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('weft'),
  WEFT_WORKER_MAX_ACTIVITIES: z.coerce.number().int().min(1).default(50),
  /**
   * Ingestion (README "Ingestion"): a second Worker in the same process polls its own task queue
   * with its own slots, so a batch of a thousand documents never takes the slots of interactive
   * runs. `false` runs no ingestion worker here (a deployment may run it in processes of its own).
   */
  WEFT_INGESTION_WORKER: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /**
   * Scale-out (docs/deployment.md): `false` runs no run worker here, so a process serves ingestion
   * only (with WEFT_INGESTION_WORKER=true); any number of processes of either kind may poll.
   */
  WEFT_RUN_WORKER: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /**
   * Graceful shutdown: after SIGTERM the Workers stop polling, and running activities have this
   * long to finish; then they are cancelled and fail with worker_shutdown, which another worker
   * retries at once. Longer than WEFT_CODE_TIMEOUT_MS, so a code node is never cut.
   */
  WEFT_WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(20_000),
  /** after the grace, how long cancelled activities and workflow tasks may take to wind down before the process exits anyway (exit code 1) */
  WEFT_WORKER_SHUTDOWN_FORCE_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  TEMPORAL_INGESTION_TASK_QUEUE: z.string().min(1).default('weft-ingestion'),
  /** ingestion steps at once (parsing is CPU work; embedding and indexing wait on the network) */
  WEFT_INGESTION_MAX_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(8),
  WEFT_INGESTION_MAX_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(10),
  /** job and document workflows kept in the ingestion worker's sticky cache */
  WEFT_INGESTION_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(100),
  /**
   * Parked runs (README "Parked runs"). Runs kept in the sticky cache: each cached run holds ~2 MB of
   * the workflow thread's heap (the interpreter's modules are evaluated per run); an evicted run (least
   * recently active first) costs nothing until it wakes and replays its history. The SDK's default
   * grows with the heap limit (~2,300 on a 4 GB heap): unbounded in effect.
   */
  WEFT_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(100),
  /** workflow tasks at once; at most the cache size (a task needs a cache slot) */
  WEFT_WORKER_MAX_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(40),
  /** heap limit of the workflow thread (MB): V8 collects evicted runs' garbage before growing past it; room for the cache */
  WEFT_WORKER_WORKFLOW_HEAP_MB: z.coerce.number().int().min(128).max(65_536).default(1024),
  /** how long a task waits on a worker's sticky queue before any worker may take it (a worker that died) */
  WEFT_WORKER_STICKY_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  /** 32 bytes (64 hex chars or base64): encrypts tenant secrets and provider keys at rest */
  WEFT_ENCRYPTION_KEY: z.string().min(32, 'WEFT_ENCRYPTION_KEY is required: 32 bytes as 64 hex characters or base64'),
  /** Encrypted history (README "Encrypted history"): payload keys `id:key,…`, and the one new payloads are encrypted with; unset: a key derived from WEFT_ENCRYPTION_KEY */
  WEFT_PAYLOAD_KEYS: z.string().default(''),
  WEFT_PAYLOAD_KEY_ID: z.string().optional(),
  /** hosts, host:ports, IPs or CIDRs the http-request node may reach despite the SSRF guard */
  WEFT_HTTP_ALLOWLIST: allowlist('WEFT_HTTP_ALLOWLIST'),
  /** the same for model providers' base URLs (llm node): e.g. a self-hosted model on 10.0.0.5:8000 */
  WEFT_MODEL_PROVIDER_ALLOWLIST: allowlist('WEFT_MODEL_PROVIDER_ALLOWLIST'),
  /** nesting depth of a node's outputs; deeper ones fail the node with node_output_too_deep */
  WEFT_MAX_VALUE_DEPTH: runLimitsEnvShape.WEFT_MAX_VALUE_DEPTH,
  /** code node: wall time, QuickJS memory, result size, sandbox processes at once */
  WEFT_CODE_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
  WEFT_CODE_MEMORY_MB: z.coerce.number().int().min(1).max(4096).default(64),
  WEFT_CODE_MAX_OUTPUT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  WEFT_CODE_PROCESSES: z.coerce.number().int().min(1).max(64).default(4),
  /** llm node: consecutive retryable failures that open an endpoint's circuit, and its cool-down */
  WEFT_LLM_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  WEFT_LLM_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).default(30_000),
  /** how often open run records are compared with Temporal and set right (0: never) */
  WEFT_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** events a run's stream keeps (older ones are trimmed), and how long a finished run's events stay */
  WEFT_EVENTS_MAX_PER_RUN: z.coerce.number().int().min(100).default(10_000),
  WEFT_EVENTS_TTL_SECONDS: z.coerce.number().int().min(60).default(7 * 24 * 3600),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  /** OpenTelemetry traces (README "Traces and logs"): an OTLP/HTTP collector's base URL (`/v1/traces` is appended); unset or empty: no tracing at all */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** `service.name` of this process's spans */
  OTEL_SERVICE_NAME: z.string().min(1).default('weft-worker'),
  /** the share of new traces recorded (0–1); a trace started by a caller follows the caller's decision */
  WEFT_TRACE_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
  /** the worker's GET /metrics (README "Metrics"), with the Temporal SDK's own metrics merged in; 0 or `off`: none */
  WEFT_WORKER_METRICS_PORT: z.preprocess((v) => (v === 'off' ? '0' : v), z.coerce.number().int().min(0).max(65535)).default(9464),
  WEFT_WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** when set, a scrape must send `Authorization: Bearer <token>` */
  WEFT_METRICS_TOKEN: z.string().min(16).optional(),
  /** distinct model names kept as metric labels; later ones are counted as `other` */
  WEFT_METRICS_MAX_MODELS: z.coerce.number().int().min(1).max(1000).default(50),
  /** where approval form links point (the API's public address); default http://127.0.0.1:<WEFT_API_PORT> */
  WEFT_PUBLIC_URL: z.string().url().optional(),
  WEFT_API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** approval emails; no host: email notices are skipped (logged, recorded as skipped) */
  WEFT_SMTP_HOST: z.string().min(1).optional(),
  WEFT_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it */
  WEFT_SMTP_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  WEFT_SMTP_USER: z.string().min(1).optional(),
  WEFT_SMTP_PASS: z.string().optional(),
  WEFT_SMTP_FROM: z.string().min(3).default('weft@localhost'),
});

const checked = workerConfigSchema
  .refine((c) => c.WEFT_WORKER_MAX_WORKFLOW_TASKS <= c.WEFT_WORKER_MAX_CACHED_WORKFLOWS, {
    message: 'must not exceed WEFT_WORKER_MAX_CACHED_WORKFLOWS (a task needs a cache slot)',
    path: ['WEFT_WORKER_MAX_WORKFLOW_TASKS'],
  })
  .refine((c) => c.WEFT_INGESTION_MAX_WORKFLOW_TASKS <= c.WEFT_INGESTION_MAX_CACHED_WORKFLOWS, {
    message: 'must not exceed WEFT_INGESTION_MAX_CACHED_WORKFLOWS (a task needs a cache slot)',
    path: ['WEFT_INGESTION_MAX_WORKFLOW_TASKS'],
  })
  .refine((c) => c.WEFT_RUN_WORKER || c.WEFT_INGESTION_WORKER, {
    message: 'WEFT_RUN_WORKER and WEFT_INGESTION_WORKER are both false: this worker would serve nothing',
    path: ['WEFT_RUN_WORKER'],
  })
  .refine((c) => !c.WEFT_INGESTION_WORKER || c.TEMPORAL_INGESTION_TASK_QUEUE !== c.TEMPORAL_TASK_QUEUE, {
    message: 'must differ from TEMPORAL_TASK_QUEUE (ingestion must not take the slots of interactive runs)',
    path: ['TEMPORAL_INGESTION_TASK_QUEUE'],
  })
  .superRefine((c, ctx) => {
    const problem = payloadKeysProblem(c);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/** The notice settings createActivities takes, from the worker's config. */
export function noticeOptions(config: WorkerConfig): ApprovalNoticeOptions {
  return {
    publicUrl: config.WEFT_PUBLIC_URL ?? `http://127.0.0.1:${config.WEFT_API_PORT}`,
    allowlist: config.WEFT_HTTP_ALLOWLIST,
    ...(config.WEFT_SMTP_HOST
      ? {
          smtp: {
            host: config.WEFT_SMTP_HOST,
            port: config.WEFT_SMTP_PORT,
            secure: config.WEFT_SMTP_SECURE,
            ...(config.WEFT_SMTP_USER ? { user: config.WEFT_SMTP_USER, pass: config.WEFT_SMTP_PASS ?? '' } : {}),
            from: config.WEFT_SMTP_FROM,
          },
        }
      : {}),
  };
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = checked.safeParse(env);
  if (!parsed.success) {
    // An issue of the whole config (the payload keys) names its settings in its message.
    throw new Error(`Invalid worker configuration: ${parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
  }
  return parsed.data;
}
