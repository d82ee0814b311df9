import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, data, unwrap } from '../../api/client';
import { Pagination } from '../../components/Pagination';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty, ErrorBox, Loading } from '../../components/states';
import { duration, when } from '../../components/time';
import { RUN_STATUSES, tokens, type RunStatus } from './run-status';

const PAGE_SIZE = 20;
/** How often the list asks again while the page is visible (react-query pauses it in a hidden tab). */
const REFRESH_MS = 2_000;

/** A datetime-local value (the person's local time) as the instant the API filters by. */
function instant(local: string | null): string | undefined {
  if (!local) return undefined;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** The workspace's runs, newest first, filtered by workflow, status and creation time (all in the URL). */
export function RunsList() {
  const [params, setParams] = useSearchParams();
  const workflowId = params.get('workflow') ?? '';
  const status = (params.get('status') ?? '') as RunStatus | '';
  const after = params.get('after') ?? '';
  const before = params.get('before') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);

  const set = (name: string, value: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value) next.set(name, value);
        else next.delete(name);
        if (name !== 'page') next.delete('page');
        return next;
      },
      { replace: true },
    );

  const workflows = useQuery({
    queryKey: ['workflows', 'for-filter'],
    queryFn: () => data(api.GET('/v1/workflows', { params: { query: { limit: 100 } } })),
  });
  const names = new Map((workflows.data ?? []).map((w) => [w.id, w.name]));

  const query = {
    page,
    limit: PAGE_SIZE,
    sort: '-created_at' as const,
    ...(workflowId ? { workflowId } : {}),
    ...(status ? { status } : {}),
    ...(instant(after) ? { createdAfter: instant(after) } : {}),
    ...(instant(before) ? { createdBefore: instant(before) } : {}),
  };
  const runs = useQuery({
    queryKey: ['runs', query],
    queryFn: () => unwrap(api.GET('/v1/runs', { params: { query } })),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const filtered = !!(workflowId || status || after || before);

  return (
    <section className="runs">
      <h1>Runs</h1>
      <form className="toolbar" role="search" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Workflow
          <select value={workflowId} onChange={(e) => set('workflow', e.target.value)}>
            <option value="">All workflows</option>
            {(workflows.data ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
            {workflowId && !names.has(workflowId) && <option value={workflowId}>{workflowId}</option>}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => set('status', e.target.value)}>
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Created after
          <input type="datetime-local" value={after} onChange={(e) => set('after', e.target.value)} />
        </label>
        <label>
          Created before
          <input type="datetime-local" value={before} onChange={(e) => set('before', e.target.value)} />
        </label>
        {filtered && (
          <button type="button" className="secondary" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      {workflows.error && <p className="error-text small">The workflows for the filter could not be loaded: the list still works.</p>}

      {runs.isPending ? (
        <Loading what="Loading runs" />
      ) : runs.error && !runs.data ? (
        <ErrorBox error={runs.error} retry={() => void runs.refetch()} title="Could not load the runs" />
      ) : !runs.data || runs.data.data.length === 0 ? (
        <Empty title={filtered ? 'No runs match these filters' : 'No runs yet'}>
          {filtered ? 'Change or clear the filters to see more.' : 'Start a run from a workflow’s page; it shows up here as it happens.'}
        </Empty>
      ) : (
        <>
          {runs.error && <p className="error-text small">Could not refresh the list: it may be out of date.</p>}
          <div className="table-wrap">
            <table className="runs-table">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Workflow</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Tokens</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.data.map((r) => (
                  <tr key={r.id} data-run-id={r.id}>
                    <td>
                      <Link to={`/runs/${encodeURIComponent(r.id)}`} className="mono">
                        {r.id}
                      </Link>
                    </td>
                    <td className="wrap">
                      {names.get(r.workflowId) ?? <span className="mono">{r.workflowId}</span>}
                      <span className="muted small"> · {r.version === 'draft' ? 'draft' : `v${r.version}`}</span>
                    </td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td>{when(r.createdAt)}</td>
                    <td>{r.startedAt ? duration(r.startedAt, r.finishedAt) : '—'}</td>
                    <td>{tokens(r.usage)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination info={runs.data.pagination} onPage={(p) => set('page', String(p))} />
        </>
      )}
    </section>
  );
}
