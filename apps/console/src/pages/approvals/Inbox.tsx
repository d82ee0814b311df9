import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../api/use-session';
import { Pagination } from '../../components/Pagination';
import { Empty, QueryState } from '../../components/states';
import { ApprovalCard } from './ApprovalCard';

const FILTERS = [
  { value: 'pending', label: 'Waiting for a decision' },
  { value: 'decided', label: 'Decided' },
  { value: 'expired', label: 'Expired' },
  { value: 'cancelled', label: 'Cancelled (run ended)' },
  { value: 'all', label: 'All' },
] as const;
type Filter = (typeof FILTERS)[number]['value'];

const EMPTY: Record<Filter, string> = {
  pending: 'No approval is waiting for a decision. Runs that reach an approval node show up here.',
  decided: 'No approval has been decided yet.',
  expired: 'No approval has expired.',
  cancelled: 'No approval was cancelled by its run ending.',
  all: 'No run of this workspace has reached an approval node yet.',
};

/** The workspace's approvals: the pending ones first (oldest waiting first), refreshed every 3 s. */
export function ApprovalsInbox() {
  const { workspace } = useSession();
  const [params, setParams] = useSearchParams();
  const status: Filter = FILTERS.find((f) => f.value === params.get('status'))?.value ?? 'pending';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const query = useQuery({
    queryKey: ['approvals', workspace?.id, 'inbox', status, page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/approvals', {
          params: { query: { page, limit: 20, sort: status === 'pending' ? 'requested_at' : '-requested_at', ...(status === 'all' ? {} : { status }) } },
        }),
      ),
    refetchInterval: 3_000,
  });
  const set = (next: { status?: Filter; page?: number }) => {
    const p = new URLSearchParams(params);
    if (next.status) p.set('status', next.status);
    p.set('page', String(next.page ?? 1));
    if (p.get('status') === 'pending') p.delete('status');
    if (p.get('page') === '1') p.delete('page');
    setParams(p);
  };

  return (
    <section className="approvals">
      <div className="toolbar">
        <h1 className="spacer">Approvals</h1>
        <label>
          <span className="muted small">Show</span>
          <select aria-label="Show approvals" value={status} onChange={(e) => set({ status: e.target.value as Filter })}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryState query={query} what="Approvals">
        {(body) =>
          body.data.length === 0 ? (
            <Empty title={status === 'pending' ? 'Nothing to decide' : 'No approvals here'}>{EMPTY[status]}</Empty>
          ) : (
            <>
              <p className="muted small" aria-live="polite">
                {body.pagination.total} approval{body.pagination.total === 1 ? '' : 's'}
                {status === 'all' ? '' : `: ${FILTERS.find((f) => f.value === status)!.label.toLowerCase()}`}
              </p>
              <div className="approval-list">
                {body.data.map((a) => (
                  <ApprovalCard key={a.id} approval={a} asOf={query.dataUpdatedAt} />
                ))}
              </div>
              <Pagination info={body.pagination} onPage={(p) => set({ page: p })} />
            </>
          )
        }
      </QueryState>
    </section>
  );
}
