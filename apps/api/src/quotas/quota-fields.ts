/**
 * The fields of a workspace's quota row (table workspace_quotas): four quotas checked where work
 * starts and the two request rate limits. A null field takes the deployment's default (config);
 * a null limit is no limit.
 */
export const QUOTA_FIELDS = ['concurrentRuns', 'runsPerDay', 'llmTokensPerMonth', 'storedDocuments', 'requestsPerMinute', 'keyRequestsPerMinute'] as const;
export type QuotaField = (typeof QUOTA_FIELDS)[number];
/** The quotas checked where work starts (a run's start, a document upload); the rest are rate limits. */
export type WorkQuota = Exclude<QuotaField, 'requestsPerMinute' | 'keyRequestsPerMinute'>;

/** The largest value a workspace (or the deployment) may set: sane bounds, well inside a JSON number. */
export const QUOTA_MAXIMA: Readonly<Record<QuotaField, number>> = {
  concurrentRuns: 100_000,
  runsPerDay: 100_000_000,
  llmTokensPerMonth: 1_000_000_000_000_000,
  storedDocuments: 100_000_000,
  requestsPerMinute: 1_000_000,
  keyRequestsPerMinute: 1_000_000,
};

/** The smallest: a quota of 0 refuses all such work; a rate limit of 0 would refuse every request, so it starts at 1. */
export const QUOTA_MINIMA: Readonly<Record<QuotaField, number>> = {
  concurrentRuns: 0,
  runsPerDay: 0,
  llmTokensPerMonth: 0,
  storedDocuments: 0,
  requestsPerMinute: 1,
  keyRequestsPerMinute: 1,
};

/** What each quota is called in messages. */
export const QUOTA_NAMES: Readonly<Record<QuotaField, string>> = {
  concurrentRuns: 'concurrent runs',
  runsPerDay: 'runs per day (UTC)',
  llmTokensPerMonth: 'LLM tokens per month (UTC)',
  storedDocuments: 'stored documents',
  requestsPerMinute: 'requests per minute of the workspace',
  keyRequestsPerMinute: 'requests per minute of each API key or account',
};

/** A quota row's settings: null (or absent) is the default. */
export type QuotaSettings = Record<QuotaField, number | null>;

/** One effective limit: null is unlimited; `source` says whether the workspace set it or the deployment's default holds. */
export interface EffectiveLimit {
  limit: number | null;
  source: 'workspace' | 'default';
}
export type EffectiveQuotas = Record<QuotaField, EffectiveLimit>;

/** A quota row as Prisma reads it (llmTokensPerMonth is a BIGINT). */
export interface QuotaRow {
  concurrentRuns: number | null;
  runsPerDay: number | null;
  llmTokensPerMonth: bigint | null;
  storedDocuments: number | null;
  requestsPerMinute: number | null;
  keyRequestsPerMinute: number | null;
}

export function settingsOf(row: QuotaRow | null): QuotaSettings {
  return {
    concurrentRuns: row?.concurrentRuns ?? null,
    runsPerDay: row?.runsPerDay ?? null,
    llmTokensPerMonth: row?.llmTokensPerMonth === null || row?.llmTokensPerMonth === undefined ? null : Number(row.llmTokensPerMonth),
    storedDocuments: row?.storedDocuments ?? null,
    requestsPerMinute: row?.requestsPerMinute ?? null,
    keyRequestsPerMinute: row?.keyRequestsPerMinute ?? null,
  };
}

/** The workspace's settings over the deployment's defaults. */
export function effectiveQuotas(settings: QuotaSettings, defaults: QuotaSettings): EffectiveQuotas {
  return Object.fromEntries(
    QUOTA_FIELDS.map((f) => [f, settings[f] !== null ? { limit: settings[f], source: 'workspace' } : { limit: defaults[f], source: 'default' }]),
  ) as EffectiveQuotas;
}

/** The deployment's defaults from the API's config (a rate limit of 0 there is no limit). */
export function quotaDefaultsOf(config: {
  WEFT_QUOTA_CONCURRENT_RUNS?: number;
  WEFT_QUOTA_RUNS_PER_DAY?: number;
  WEFT_QUOTA_LLM_TOKENS_PER_MONTH?: number;
  WEFT_QUOTA_STORED_DOCUMENTS?: number;
  WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE: number;
  WEFT_RATE_LIMIT_KEY_PER_MINUTE: number;
}): QuotaSettings {
  return {
    concurrentRuns: config.WEFT_QUOTA_CONCURRENT_RUNS ?? null,
    runsPerDay: config.WEFT_QUOTA_RUNS_PER_DAY ?? null,
    llmTokensPerMonth: config.WEFT_QUOTA_LLM_TOKENS_PER_MONTH ?? null,
    storedDocuments: config.WEFT_QUOTA_STORED_DOCUMENTS ?? null,
    requestsPerMinute: config.WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE || null,
    keyRequestsPerMinute: config.WEFT_RATE_LIMIT_KEY_PER_MINUTE || null,
  };
}
