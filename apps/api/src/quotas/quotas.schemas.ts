import { z } from 'zod';
import { QUOTA_FIELDS, QUOTA_MAXIMA, QUOTA_MINIMA, type QuotaField } from './quota-fields';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A UTC day, `YYYY-MM-DD`, that exists. */
const day = z
  .string()
  .regex(DATE, 'a UTC day as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a day of the calendar');

export const USAGE_MAX_DAYS = 366;
export const USAGE_DEFAULT_DAYS = 30;
export const usageQuery = z.object({
  from: day.optional().describe('the first UTC day (default: 29 days before `to`)'),
  to: day.optional().describe(`the last UTC day, included (default: today); at most ${USAGE_MAX_DAYS} days from \`from\``),
});

/**
 * PUT /v1/quotas: each field a limit, null for the deployment's default, absent to leave it. The
 * values' bounds are checked by the handler (422 quota_invalid with every problem), so the body
 * only needs to be numbers or null here.
 */
export const putQuotasBody = z
  .object(Object.fromEntries(QUOTA_FIELDS.map((f) => [f, z.number().nullable().optional().describe(`${QUOTA_MINIMA[f]}–${QUOTA_MAXIMA[f]}, or null for the default`)])) as Record<QuotaField, z.ZodOptional<z.ZodNullable<z.ZodNumber>>>)
  .strict();

const limitSchema = z.object({
  limit: z.number().int().nullable().describe('null: no limit'),
  source: z.enum(['workspace', 'default']).describe("workspace: set by PUT /v1/quotas; default: the deployment's"),
});
export const quotasSchema = z.object(Object.fromEntries(QUOTA_FIELDS.map((f) => [f, limitSchema])) as Record<QuotaField, typeof limitSchema>);

const useSchema = z.object({ used: z.number().int(), limit: z.number().int().nullable() });
export const usageSchema = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ date: z.string(), runsStarted: z.number().int(), inputTokens: z.number().int(), outputTokens: z.number().int() })).describe('every UTC day of the range, oldest first'),
  current: z.object({ concurrentRuns: useSchema, runsToday: useSchema, llmTokensThisMonth: useSchema, storedDocuments: useSchema }),
});
