import type { Router } from 'express';
import { ValidationFailedError } from '@weft/domain';
import { auditContext } from '../audit/audit-log';
import { sendData } from '../http/envelope';
import { MalformedRequestError } from '../http/http.errors';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes } from '../http/route';
import { QUOTA_FIELDS, QUOTA_MAXIMA, QUOTA_MINIMA, type QuotaSettings } from './quota-fields';
import { USAGE_DEFAULT_DAYS, USAGE_MAX_DAYS, putQuotasBody, quotasSchema, usageQuery, usageSchema } from './quotas.schemas';
import { isoDate, type QuotasService } from './quotas.service';

const DAY_MS = 86_400_000;

export const quotaRoutes = defineRoutes({
  usage: {
    method: 'get',
    path: '/v1/usage',
    summary: "The workspace's use by UTC day (runs started, LLM tokens) and its current use against each quota",
    note: `from/to are UTC days; default the last ${USAGE_DEFAULT_DAYS} days, at most ${USAGE_MAX_DAYS}`,
    request: { query: usageQuery },
    responses: { 200: data(usageSchema, 'Use by day, and now against each quota') },
    errors: READ_ERRORS,
  },
  get: {
    method: 'get',
    path: '/v1/quotas',
    summary: "The workspace's effective quotas and rate limits, and which are the deployment's defaults",
    responses: { 200: data(quotasSchema, 'Each limit (null: none) and where it comes from') },
    errors: READ_ERRORS,
  },
  put: {
    method: 'put',
    path: '/v1/quotas',
    summary: "Set the workspace's quotas and rate limits",
    note: 'a field set to null returns to the default, an absent one is left as it is; audited',
    request: { body: putQuotasBody },
    responses: { 200: data(quotasSchema, 'The effective limits after the change') },
    errors: [...BODY_ERRORS, 403, 422],
  },
});

/** Usage, quotas and rate limits of the caller's workspace (quotas.service.ts says what counts). */
export function quotasRouter(quotas: QuotasService): Router {
  return bindRoutes(quotaRoutes, {
    usage: async (req, res, { query }) => {
      const today = Date.parse(`${isoDate(new Date())}T00:00:00Z`);
      const to = query.to ? Date.parse(`${query.to}T00:00:00Z`) : today;
      const from = query.from ? Date.parse(`${query.from}T00:00:00Z`) : to - (USAGE_DEFAULT_DAYS - 1) * DAY_MS;
      const days = (to - from) / DAY_MS + 1;
      if (days < 1 || days > USAGE_MAX_DAYS) {
        const message = days < 1 ? '`from` is after `to`' : `the range is ${days} days; at most ${USAGE_MAX_DAYS}`;
        throw new MalformedRequestError('malformed_request', `The usage range is not valid: ${message}`, { issues: [{ code: 'usage_range_invalid', message, path: ['query', days < 1 ? 'from' : 'to'] }] });
      }
      const tenantId = req.auth.tenantId;
      const [byDay, current, limits] = await Promise.all([quotas.byDay(tenantId, new Date(from), new Date(to)), quotas.current(tenantId), quotas.effective(tenantId)]);
      sendData(req, res, {
        from: isoDate(new Date(from)),
        to: isoDate(new Date(to)),
        days: byDay,
        current: {
          concurrentRuns: { used: current.concurrentRuns, limit: limits.concurrentRuns.limit },
          runsToday: { used: current.runsToday, limit: limits.runsPerDay.limit },
          llmTokensThisMonth: { used: current.llmTokensThisMonth, limit: limits.llmTokensPerMonth.limit },
          storedDocuments: { used: current.storedDocuments, limit: limits.storedDocuments.limit },
        },
      });
    },
    get: async (req, res) => {
      sendData(req, res, await quotas.effective(req.auth.tenantId));
    },
    put: async (req, res, { body }) => {
      const issues = QUOTA_FIELDS.flatMap((f) => {
        const v = body[f];
        if (v === undefined || v === null) return [];
        if (Number.isInteger(v) && v >= QUOTA_MINIMA[f] && v <= QUOTA_MAXIMA[f]) return [];
        return [{ code: 'quota_out_of_range', message: `${f} is a whole number from ${QUOTA_MINIMA[f]} to ${QUOTA_MAXIMA[f]}, or null for the default`, path: ['body', f] }];
      });
      if (issues.length) throw new ValidationFailedError('quota_invalid', `The quotas are not valid: ${issues.map((i) => i.message).join('; ')}`, issues);
      sendData(req, res, await quotas.update(body as Partial<QuotaSettings>, auditContext(req)));
    },
  });
}
