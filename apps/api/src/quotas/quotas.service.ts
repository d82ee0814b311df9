import type { Prisma, PrismaClient } from '@weft/activities';
import { TERMINAL_RUN_STATUSES, ValidationFailedError } from '@weft/domain';
import type { AuditLog, AuditRecord } from '../audit/audit-log';
import { QuotaExceededError } from './quota.errors';
import { QUOTA_FIELDS, effectiveQuotas, settingsOf, type EffectiveQuotas, type QuotaField, type QuotaSettings } from './quota-fields';

type Db = PrismaClient | Prisma.TransactionClient;

/** What a workspace used, counted as its quotas count it. */
export interface CurrentUse {
  concurrentRuns: number;
  runsToday: number;
  llmTokensThisMonth: number;
  storedDocuments: number;
}

export interface UsageDay {
  date: string;
  runsStarted: number;
  inputTokens: number;
  outputTokens: number;
}

const DAY_MS = 86_400_000;
const utcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
const utcMonth = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const nextUtcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
const nextUtcMonth = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
const secondsUntil = (then: Date, now: Date) => Math.max(1, Math.ceil((then.getTime() - now.getTime()) / 1000));
/** Retry-After of a start refused for concurrent runs: a hint, since a slot frees whenever a run ends. */
export const CONCURRENT_RUNS_RETRY_S = 5;
export const isoDate = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Workspace quotas (README "Rate limits and quotas"): the effective limits (the workspace's row over
 * the deployment's defaults), their changes (audited), the checks where work starts, and the use.
 *
 * What counts: runs started through the API (a sub-workflow node's child run is part of its
 * parent's); a run is concurrent until it ends (queued, running, paused, waiting); runs per day
 * and tokens per month by UTC day and month; tokens are every LLM call's input and output tokens
 * (children's included); documents are the workspace's stored documents in every knowledge.
 */
export class QuotasService {
  private readonly cache = new Map<string, { at: number; quotas: EffectiveQuotas }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly defaults: QuotaSettings,
    private readonly audit: AuditLog,
    private readonly options: { cacheMs: number; now?: () => Date } = { cacheMs: 0 },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async settings(tenantId: string, db: Db = this.prisma): Promise<QuotaSettings> {
    return settingsOf(await db.workspaceQuota.findUnique({ where: { tenantId } }));
  }

  async effective(tenantId: string, db: Db = this.prisma): Promise<EffectiveQuotas> {
    return effectiveQuotas(await this.settings(tenantId, db), this.defaults);
  }

  /** The effective limits, remembered for `cacheMs` (the rate limiter reads them on every request); a change here is seen at once. */
  async cached(tenantId: string): Promise<EffectiveQuotas> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < this.options.cacheMs) return hit.quotas;
    const quotas = await this.effective(tenantId);
    if (this.options.cacheMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(tenantId, { at: Date.now(), quotas });
    }
    return quotas;
  }

  /** Sets the given fields (null: back to the default; absent: unchanged), audited with the settings before and after. */
  /**
   * Sets the workspace's quotas. A workspace's owner may lower its limits, or raise them up to the
   * deployment's defaults (or to what the operator gave it), never beyond: otherwise any account
   * could make a workspace and lift its own limits, and quotas would keep no tenant from starving
   * the others. The operator (`npm run tenant -- set-quota`, `operator: true`) sets any value.
   */
  async update(change: Partial<QuotaSettings>, who: Pick<AuditRecord, 'tenantId' | 'actor' | 'requestId'>, options: { operator?: boolean } = {}): Promise<EffectiveQuotas> {
    const { tenantId } = who;
    const after = await this.prisma.$transaction(async (tx) => {
      const before = await this.settings(tenantId, tx);
      if (!options.operator) this.checkCeilings(change, before);
      const data = Object.fromEntries(
        QUOTA_FIELDS.filter((f) => change[f] !== undefined).map((f) => [f, f === 'llmTokensPerMonth' && change[f] !== null ? BigInt(change[f]!) : change[f]]),
      ) as unknown as Omit<Prisma.WorkspaceQuotaUncheckedCreateInput, 'tenantId'>;
      const row = await tx.workspaceQuota.upsert({ where: { tenantId }, create: { ...data, tenantId }, update: data });
      const after = settingsOf(row);
      await this.audit.record({ ...who, action: 'quota.update', objectType: 'workspace_quota', objectId: tenantId, before: { ...before }, after: { ...after } }, tx);
      return after;
    });
    this.cache.delete(tenantId);
    return effectiveQuotas(after, this.defaults);
  }

  private checkCeilings(change: Partial<QuotaSettings>, current: QuotaSettings): void {
    const issues = QUOTA_FIELDS.flatMap((f) => {
      const wanted = change[f];
      const dflt = this.defaults[f];
      if (wanted === undefined || wanted === null || dflt === null) return [];
      const ceiling = Math.max(dflt, current[f] ?? 0);
      if (wanted <= ceiling) return [];
      return [{ code: 'quota_above_ceiling', message: `${f} can be at most ${ceiling} (the deployment's default or what the operator set); an operator raises it`, path: ['body', f] }];
    });
    if (issues.length) throw new ValidationFailedError('quota_invalid', `The quotas are not valid: ${issues.map((i) => i.message).join('; ')}`, issues);
  }

  /**
   * Creates a run (`work`) only within the workspace's run quotas. With any run quota set, the check
   * and the insert happen in one transaction holding the workspace's advisory lock, so concurrent
   * starts are admitted one at a time and never overshoot. `work` is handed the transaction and the
   * check: it looks for an idempotent replay first (a replay is never refused), then checks.
   */
  async admitRun<T>(tenantId: string, work: (db: Db, check: () => Promise<void>) => Promise<T>): Promise<T> {
    const quotas = await this.effective(tenantId);
    const limited = quotas.concurrentRuns.limit !== null || quotas.runsPerDay.limit !== null || quotas.llmTokensPerMonth.limit !== null;
    if (!limited) return work(this.prisma, async () => undefined);
    // Starts queue on the lock inside their transactions: room for a burst of them.
    return this.prisma.$transaction(
      async (tx) => {
        await lock(tx, 'runs', tenantId);
        return work(tx, () => this.checkRuns(tx, tenantId));
      },
      { maxWait: 10_000, timeout: 30_000 },
    );
  }

  private async checkRuns(tx: Prisma.TransactionClient, tenantId: string): Promise<void> {
    // Read again under the lock: a change made meanwhile counts.
    const quotas = await this.effective(tenantId, tx);
    const { concurrentRuns, runsPerDay, llmTokensPerMonth } = quotas;
    if (concurrentRuns.limit !== null) {
      const used = await this.concurrentRuns(tx, tenantId);
      if (used + 1 > concurrentRuns.limit) throw new QuotaExceededError('concurrentRuns', concurrentRuns.limit, used, { retryAfter: CONCURRENT_RUNS_RETRY_S });
    }
    if (runsPerDay.limit !== null) {
      const used = await this.runsSince(tx, tenantId, utcDay(this.now()));
      if (used + 1 > runsPerDay.limit) throw new QuotaExceededError('runsPerDay', runsPerDay.limit, used, { retryAfter: secondsUntil(nextUtcDay(this.now()), this.now()) });
    }
    // A run is refused when the month's tokens are already at the quota; a run admitted below it may
    // go over by what it uses itself (its LLM calls are not stopped mid-run).
    if (llmTokensPerMonth.limit !== null) {
      const used = await this.tokensSince(tx, tenantId, utcMonth(this.now()));
      if (used >= llmTokensPerMonth.limit) throw new QuotaExceededError('llmTokensPerMonth', llmTokensPerMonth.limit, used, { retryAfter: secondsUntil(nextUtcMonth(this.now()), this.now()) });
    }
  }

  /** Refuses an upload that would take the workspace's stored documents over its quota; call inside the upload's transaction. */
  async checkDocuments(tx: Prisma.TransactionClient, tenantId: string, adding: number): Promise<void> {
    if (adding === 0) return;
    const { storedDocuments } = await this.effective(tenantId, tx);
    if (storedDocuments.limit === null) return;
    await lock(tx, 'documents', tenantId);
    const used = await tx.knowledgeDocument.count({ where: { tenantId } });
    if (used + adding > storedDocuments.limit) throw new QuotaExceededError('storedDocuments', storedDocuments.limit, used, { adding });
  }

  async current(tenantId: string): Promise<CurrentUse> {
    const now = this.now();
    const [concurrentRuns, runsToday, llmTokensThisMonth, storedDocuments] = await Promise.all([
      this.concurrentRuns(this.prisma, tenantId),
      this.runsSince(this.prisma, tenantId, utcDay(now)),
      this.tokensSince(this.prisma, tenantId, utcMonth(now)),
      this.prisma.knowledgeDocument.count({ where: { tenantId } }),
    ]);
    return { concurrentRuns, runsToday, llmTokensThisMonth, storedDocuments };
  }

  /** Use by UTC day from `from` to `to` (both days included), every day listed. */
  async byDay(tenantId: string, from: Date, to: Date): Promise<UsageDay[]> {
    const end = new Date(to.getTime() + DAY_MS);
    const [runs, tokens] = await Promise.all([
      this.prisma.$queryRaw<{ day: string; runs: number }[]>`
        SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS runs
        FROM runs WHERE tenant_id = ${tenantId} AND parent_run_id IS NULL AND created_at >= ${from} AND created_at < ${end}
        GROUP BY day`,
      this.prisma.$queryRaw<{ day: string; input: bigint; output: bigint }[]>`
        SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, sum(input_tokens)::bigint AS input, sum(output_tokens)::bigint AS output
        FROM llm_calls WHERE tenant_id = ${tenantId} AND created_at >= ${from} AND created_at < ${end}
        GROUP BY day`,
    ]);
    const runsOf = new Map(runs.map((r) => [r.day, r.runs]));
    const tokensOf = new Map(tokens.map((t) => [t.day, t]));
    const days: UsageDay[] = [];
    for (let at = from.getTime(); at <= to.getTime(); at += DAY_MS) {
      const date = isoDate(new Date(at));
      const t = tokensOf.get(date);
      days.push({ date, runsStarted: runsOf.get(date) ?? 0, inputTokens: Number(t?.input ?? 0), outputTokens: Number(t?.output ?? 0) });
    }
    return days;
  }

  private concurrentRuns(db: Db, tenantId: string): Promise<number> {
    return db.run.count({ where: { tenantId, parentRunId: null, status: { notIn: [...TERMINAL_RUN_STATUSES] } } });
  }

  private runsSince(db: Db, tenantId: string, since: Date): Promise<number> {
    return db.run.count({ where: { tenantId, parentRunId: null, createdAt: { gte: since } } });
  }

  private async tokensSince(db: Db, tenantId: string, since: Date): Promise<number> {
    const [row] = await db.$queryRaw<{ total: bigint | null }[]>`
      SELECT sum(input_tokens::bigint + output_tokens::bigint)::bigint AS total FROM llm_calls WHERE tenant_id = ${tenantId} AND created_at >= ${since}`;
    return Number(row?.total ?? 0);
  }
}

/** The workspace's transaction-scoped advisory lock of one kind of work (released at commit or rollback). */
async function lock(tx: Prisma.TransactionClient, kind: 'runs' | 'documents', tenantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`weft:quota:${kind}:${tenantId}`}))`;
}

export type { QuotaField };
