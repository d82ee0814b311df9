import { z } from 'zod';
import { graphLimitsEnvShape, runLimitsEnvShape } from '@weft/domain';
import { payloadKeysProblem } from '@weft/activities';
import { QUOTA_MAXIMA } from './quotas/quota-fields';

const quotaDefault = (max: number) => z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(max).optional());

/** The API's whole configuration, read from the environment once at start-up. */
export const apiConfigSchema = z.object({
  WEFT_API_HOST: z.string().default('127.0.0.1'),
  WEFT_API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address the API is reached at, used in Location headers' absolute form and printed links */
  WEFT_PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/weft'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379/0'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  /** host:port of Milvus's gRPC endpoint: the knowledge vector store (Milvus Lite locally, Milvus standalone in docker-compose) */
  MILVUS_ADDRESS: z.string().min(1).default('127.0.0.1:19530'),
  /** Milvus credentials, `user:password` or an API key; unset for Milvus Lite, which has no authentication */
  MILVUS_TOKEN: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('weft'),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  /** the built web console (apps/console/dist), served under /console; unset: the one next to this API's install */
  WEFT_CONSOLE_DIR: z.string().default(''),
  /** the task queue ingestion jobs run on (the worker's ingestion worker polls it), apart from runs' */
  TEMPORAL_INGESTION_TASK_QUEUE: z.string().default('weft-ingestion'),
  /** documents of one ingestion job indexed at once (child workflows in flight) */
  WEFT_INGESTION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  WEFT_BLOCKING_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** the longest a blocking run request holds its connection, whatever its timeoutMs asks */
  WEFT_MAX_BLOCKING_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(300_000),
  WEFT_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024),
  /** nesting levels a request body may have; below PostgreSQL's and Prisma's own limits (~125) */
  WEFT_MAX_JSON_DEPTH: z.coerce.number().int().min(8).max(120).default(64),
  /** 32 bytes (64 hex chars or base64): encrypts tenant secrets and provider keys at rest */
  WEFT_ENCRYPTION_KEY: z.string().min(32, 'WEFT_ENCRYPTION_KEY is required: 32 bytes as 64 hex characters or base64'),
  /** Encrypted history (README "Encrypted history"): payload keys `id:key,…` (32 bytes each, hex or base64), and the one new payloads are encrypted with; unset: a key derived from WEFT_ENCRYPTION_KEY */
  WEFT_PAYLOAD_KEYS: z.string().default(''),
  WEFT_PAYLOAD_KEY_ID: z.string().optional(),
  /** the operator token of the codec endpoint (POST /codec/decode, /codec/encode); unset: the endpoint refuses everyone */
  WEFT_CODEC_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'WEFT_CODEC_TOKEN must be at least 32 characters').optional()),
  /** origins (comma-separated) whose pages may call the codec endpoint (CORS); default: TEMPORAL_UI_URL's */
  WEFT_CODEC_ALLOWED_ORIGINS: z.string().default(''),
  /** model providers' endpoints reachable despite the SSRF guard (the worker's setting; the retrieve route embeds queries) */
  WEFT_MODEL_PROVIDER_ALLOWLIST: z.string().default(''),
  /** consecutive retryable failures that open a model endpoint's circuit, and its cool-down (the worker's settings) */
  WEFT_LLM_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  WEFT_LLM_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).default(30_000),
  /** Size caps of workflow graphs (WEFT_GRAPH_MAX_NODES, …_EDGES, …_NESTING, …_STRING_CHARS, …_DEPTH) */
  ...graphLimitsEnvShape,
  /** live event streams (GET /v1/runs/:id/events): a ping this often keeps proxies from closing an idle one */
  WEFT_SSE_PING_MS: z.coerce.number().int().min(50).max(600_000).default(10_000),
  /** live event streams this process serves at once; one more is 503 events_capacity_reached */
  WEFT_SSE_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(1_000),
  /** how often a live event stream reads its run's record again (a run closed from outside Weft ends its streams) */
  WEFT_SSE_RECHECK_MS: z.coerce.number().int().min(100).default(60_000),
  /** a live event stream is closed after this long (0: never); the client resumes with Last-Event-ID */
  WEFT_SSE_MAX_STREAM_MS: z.coerce.number().int().min(0).default(0),
  /** the reconnect delay a live event stream tells its client (SSE `retry:`) when the process shuts down */
  WEFT_SSE_RETRY_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
  /**
   * Graceful shutdown (docs/deployment.md "Rolling deploys"): after SIGTERM the process exits
   * within this long; requests still open at its end are cut (exit code 1).
   */
  WEFT_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** after SIGTERM, how long new connections are still accepted while /health/ready answers 503 (a load balancer's time to notice); within the grace */
  WEFT_SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** events a run's stream keeps, and how long a finished run's events stay (for events the API publishes) */
  WEFT_EVENTS_MAX_PER_RUN: z.coerce.number().int().min(100).default(10_000),
  WEFT_EVENTS_TTL_SECONDS: z.coerce.number().int().min(60).default(7 * 24 * 3600),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  /** how long a valid API key is remembered without reading PostgreSQL again (0: never; a revoked key stops within this) */
  WEFT_API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** how often, at most, a key's last-used time is written per API process (0: on every use) */
  WEFT_API_KEY_LAST_USED_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** How long an account's access token lives (README "Accounts"); refresh tokens renew it */
  WEFT_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  /** How long a refresh token lives; each refresh issues the next one with this lifetime (README "Accounts") */
  WEFT_REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(365 * 86_400).default(30 * 86_400),
  /** `true`: anyone may sign up and gets a workspace of their own; otherwise sign-ups after the first account need an invitation */
  WEFT_OPEN_SIGNUP: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** consecutive failed sign-ins that lock an account, and for how long (seconds) */
  WEFT_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  WEFT_SIGNIN_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400 * 30).default(900),
  /** log2 of scrypt's cost N for new password hashes (15: 32 MiB, ~100 ms); existing hashes keep theirs */
  WEFT_PASSWORD_HASH_LOG_N: z.coerce.number().int().min(10).max(20).default(15),
  /** OpenTelemetry traces (README "Traces and logs"): an OTLP/HTTP collector's base URL (`/v1/traces` is appended); unset or empty: no tracing at all */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** `service.name` of this process's spans */
  OTEL_SERVICE_NAME: z.string().min(1).default('weft-api'),
  /** the share of new traces recorded (0–1); a trace started by a caller follows the caller's decision */
  WEFT_TRACE_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
  /** `true`: a request's span continues the caller's W3C traceparent (only behind a gateway that controls it); `false`: the caller's trace is a link */
  WEFT_TRACE_TRUST_CALLER: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** when set, GET /metrics answers only `Authorization: Bearer <token>` (README "Metrics"); unset: open, like /health */
  WEFT_METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * Request rate limits (README "Rate limits and quotas"): requests per window of each API key (or
   * account, for an access token) and of each workspace on every authenticated /v1 route; 0: no
   * limit. A workspace's quota row (PUT /v1/quotas) overrides them. The window is a minute; tests
   * may shorten it.
   */
  WEFT_RATE_LIMIT_KEY_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(600),
  WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  /**
   * Requests per window of each source address (req.ip: set Express's "trust proxy" behind a
   * proxy) to the anonymous session routes (sign-up, sign-in, refresh): their credential is the
   * body, so nothing else limits a guessing flood across many emails, or the scrypt it costs; 0: no
   * limit.
   */
  WEFT_RATE_LIMIT_ADDRESS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(30),
  WEFT_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** how long a workspace's rate limits are remembered without reading its quota row again (another process sees a change within this) */
  WEFT_QUOTA_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** Deployment defaults of the workspace quotas (a quota row's null field takes these); unset or empty: unlimited */
  WEFT_QUOTA_CONCURRENT_RUNS: quotaDefault(QUOTA_MAXIMA.concurrentRuns),
  WEFT_QUOTA_RUNS_PER_DAY: quotaDefault(QUOTA_MAXIMA.runsPerDay),
  WEFT_QUOTA_LLM_TOKENS_PER_MONTH: quotaDefault(QUOTA_MAXIMA.llmTokensPerMonth),
  WEFT_QUOTA_STORED_DOCUMENTS: quotaDefault(QUOTA_MAXIMA.storedDocuments),
  /** the deterministic limits each run goes by (README "Limits"); put into every run's input */
  ...runLimitsEnvShape,
});

export type ApiConfig = z.infer<typeof apiConfigSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = apiConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid API configuration: ${problems}`);
  }
  const keys = payloadKeysProblem(parsed.data);
  if (keys) throw new Error(`Invalid API configuration: ${keys}`);
  return parsed.data;
}
