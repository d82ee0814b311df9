import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data, type paths } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useCan } from '../../api/permissions';
import { useSession } from '../../api/use-session';
import { ErrorBox, QueryState } from '../../components/states';
import { DayBars, QuotaBar, fmt } from './charts';

type Quotas = paths['/v1/quotas']['get']['responses'][200]['content']['application/json']['data'];
type QuotaField = keyof Quotas;

/** Every quota and rate limit, in the order shown, with what it limits (a Record: a new one must be named here). */
const QUOTA_LABELS: Record<QuotaField, string> = {
  concurrentRuns: 'Concurrent runs',
  runsPerDay: 'Runs per day (UTC)',
  llmTokensPerMonth: 'LLM tokens per month (UTC)',
  storedDocuments: 'Stored documents',
  requestsPerMinute: 'Requests per minute (workspace)',
  keyRequestsPerMinute: 'Requests per minute (each API key or person)',
};
const FIELDS = Object.keys(QUOTA_LABELS) as QuotaField[];

const RANGES = [7, 30, 90] as const;

/** Days ago as a UTC day, YYYY-MM-DD. */
function utcDay(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

/** Use by day and against each quota; the quotas and rate limits, which owners set here. */
export function Usage() {
  const [range, setRange] = useState<(typeof RANGES)[number]>(30);
  const usage = useQuery({
    queryKey: ['usage', range],
    queryFn: () => data(api.GET('/v1/usage', { params: { query: { from: utcDay(range - 1), to: utcDay(0) } } })),
    refetchInterval: 30_000,
  });

  return (
    <>
      <section aria-labelledby="use-h">
        <h2 id="use-h">Use against the quotas</h2>
        <QueryState query={usage} what="Usage">
          {(u) => (
            <div className="card quota-bars">
              <QuotaBar label="Concurrent runs" used={u.current.concurrentRuns.used} limit={u.current.concurrentRuns.limit} />
              <QuotaBar label="Runs today (UTC)" used={u.current.runsToday.used} limit={u.current.runsToday.limit} />
              <QuotaBar label="LLM tokens this month" used={u.current.llmTokensThisMonth.used} limit={u.current.llmTokensThisMonth.limit} />
              <QuotaBar label="Stored documents" used={u.current.storedDocuments.used} limit={u.current.storedDocuments.limit} />
            </div>
          )}
        </QueryState>
      </section>
      <section aria-labelledby="days-h">
        <div className="row">
          <h2 id="days-h">By day</h2>
          <span className="spacer" />
          <label className="inline">
            Range
            <select value={range} onChange={(e) => setRange(Number(e.target.value) as (typeof RANGES)[number])}>
              {RANGES.map((r) => (
                <option key={r} value={r}>
                  last {r} days
                </option>
              ))}
            </select>
          </label>
        </div>
        <QueryState query={usage} what="Usage">
          {(u) => {
            const days = u.days.map((d) => d.date);
            const runs = u.days.reduce((a, d) => a + d.runsStarted, 0);
            const tokens = u.days.reduce((a, d) => a + d.inputTokens + d.outputTokens, 0);
            return (
              <div className="card">
                <p className="muted small">
                  {fmt(runs)} runs started and {fmt(tokens)} LLM tokens from {u.from} to {u.to} (UTC days).
                </p>
                <div className="charts">
                  <DayBars id="runs-per-day" title="Runs started per day" unit="runs started" days={days} series={[{ name: 'Runs started', className: 'series-runs', values: u.days.map((d) => d.runsStarted) }]} />
                  <DayBars
                    id="tokens-per-day"
                    title="LLM tokens per day"
                    unit="tokens"
                    days={days}
                    series={[
                      { name: 'Input tokens', className: 'series-input', values: u.days.map((d) => d.inputTokens) },
                      { name: 'Output tokens', className: 'series-output', values: u.days.map((d) => d.outputTokens) },
                    ]}
                  />
                </div>
              </div>
            );
          }}
        </QueryState>
      </section>
      <QuotaSettings />
    </>
  );
}

function QuotaSettings() {
  const can = useCan();
  const quotas = useQuery({ queryKey: ['quotas'], queryFn: () => data(api.GET('/v1/quotas')) });
  const owners = useQuery({
    queryKey: ['members', 'owners'],
    queryFn: () => data(api.GET('/v1/members', { params: { query: { role: 'owner', limit: 20 } } })),
    enabled: can('GET /v1/members'),
  });
  const [editing, setEditing] = useState(false);
  const mayEdit = can('PUT /v1/quotas');

  return (
    <section aria-labelledby="quotas-h">
      <h2 id="quotas-h">Quotas and rate limits</h2>
      <p className="muted small who-sets">
        Only owners change these{owners.data && owners.data.length > 0 ? ` (${owners.data.map((o) => o.email).join(', ')})` : ''}, within the deployment&apos;s
        defaults. {mayEdit ? 'You are an owner.' : 'Ask an owner to change them.'}
      </p>
      <QueryState query={quotas} what="Quotas">
        {(q) =>
          editing ? (
            <QuotaForm quotas={q} onDone={() => setEditing(false)} />
          ) : (
            <>
              <div className="table-wrap">
                <table className="quotas">
                  <thead>
                    <tr>
                      <th>Limit</th>
                      <th>Value</th>
                      <th>Set by</th>
                    </tr>
                  </thead>
                  <tbody>
                    {FIELDS.map((f) => (
                      <tr key={f} data-quota-field={f}>
                        <td>{QUOTA_LABELS[f]}</td>
                        <td>{q[f].limit === null ? 'no limit' : fmt(q[f].limit)}</td>
                        <td className="muted">{q[f].source === 'workspace' ? 'this workspace' : 'deployment default'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {mayEdit && (
                <div className="row form-actions">
                  <button type="button" onClick={() => setEditing(true)}>
                    Change quotas
                  </button>
                </div>
              )}
            </>
          )
        }
      </QueryState>
    </section>
  );
}

function QuotaForm({ quotas, onDone }: { quotas: Quotas; onDone: () => void }) {
  const { workspace } = useSession();
  const queries = useQueryClient();
  // Empty: the deployment's default. Prefilled with what the workspace set itself.
  const [values, setValues] = useState<Record<QuotaField, string>>(
    () => Object.fromEntries(FIELDS.map((f) => [f, quotas[f].source === 'workspace' && quotas[f].limit !== null ? String(quotas[f].limit) : ''])) as Record<QuotaField, string>,
  );
  const bad = FIELDS.filter((f) => values[f].trim() !== '' && !/^\d+$/.test(values[f].trim()));
  const save = useMutation({
    mutationFn: () =>
      data(
        api.PUT('/v1/quotas', {
          body: Object.fromEntries(FIELDS.map((f) => [f, values[f].trim() === '' ? null : Number(values[f].trim())])),
        }),
      ),
    onSuccess: (next) => {
      queries.setQueryData(['quotas'], next);
      void queries.invalidateQueries({ queryKey: ['usage'] });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const issues = save.error instanceof ApiError ? save.error.issues : [];
  return (
    <form className="card quota-form" onSubmit={submit} aria-label={`Quotas of ${workspace?.name ?? 'the workspace'}`}>
      <p className="muted small">Leave a field empty for the deployment&apos;s default.</p>
      {FIELDS.map((f) => (
        <label key={f}>
          {QUOTA_LABELS[f]}
          <input
            inputMode="numeric"
            value={values[f]}
            placeholder={quotas[f].source === 'default' ? (quotas[f].limit === null ? 'default: no limit' : `default: ${fmt(quotas[f].limit)}`) : 'default'}
            aria-invalid={bad.includes(f)}
            onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
          />
        </label>
      ))}
      {bad.length > 0 && <p className="error-text small">Whole numbers only: {bad.map((f) => QUOTA_LABELS[f]).join(', ')}.</p>}
      {save.error && <ErrorBox error={save.error} title="Could not save the quotas" />}
      {issues.length > 0 && (
        <ul className="error-text small">
          {issues.map((i, n) => (
            <li key={n}>{i.message}</li>
          ))}
        </ul>
      )}
      <div className="row">
        <button type="submit" disabled={save.isPending || bad.length > 0}>
          {save.isPending ? 'Saving…' : 'Save quotas'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
