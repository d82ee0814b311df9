import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../api/use-session';
import { ErrorBox, Loading } from '../../components/states';
import { ApprovalCard } from './ApprovalCard';

/**
 * The open approvals of one run, each with its form: shown on the run page (inside its "Waiting for
 * a decision" section) while the run waits.
 */
export function RunApprovals({ runId }: { runId: string }) {
  const { workspace } = useSession();
  const query = useQuery({
    queryKey: ['approvals', workspace?.id, 'run', runId],
    queryFn: () => unwrap(api.GET('/v1/approvals', { params: { query: { runId, status: 'pending', sort: 'requested_at', limit: 100 } } })),
    refetchInterval: 3_000,
  });
  if (query.isPending) return <Loading what="Loading the run’s approvals" />;
  if (query.error) return <ErrorBox error={query.error} retry={() => void query.refetch()} title="Could not load this run's approvals" />;
  const open = query.data.data;
  if (open.length === 0) return <p className="muted">No approval of this run is open right now.</p>;
  return (
    <div className="run-approvals">
      {open.map((a) => (
        <ApprovalCard key={a.id} approval={a} asOf={query.dataUpdatedAt} showRun={false} />
      ))}
    </div>
  );
}
