import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, data } from '../../api/client';
import { useCan } from '../../api/permissions';
import { useSession } from '../../api/use-session';
import { StatusBadge } from '../../components/StatusBadge';
import { when } from '../../components/time';
import { ApprovalForm, type Approval, type Decision } from './ApprovalForm';
import { Markdown } from './Markdown';

/** Decides an approval of the workspace through the API. */
export const decideApproval = (id: string, d: Decision) => data(api.POST('/v1/approvals/{id}', { params: { path: { id } }, body: d }));

/**
 * One approval: where it comes from (run, node), when it was asked and until when, its rendered
 * prompt, and its form when it is open and the person may decide it; how it was decided once it is.
 */
export function ApprovalCard({ approval: a, asOf, showRun = true }: { approval: Approval; /** when the list was read (ms) */ asOf: number; showRun?: boolean }) {
  const can = useCan();
  const { workspace } = useSession();
  const queries = useQueryClient();
  const mayDecide = can('POST /v1/approvals/{id}');
  const roleAllowed = !a.allowedRoles?.length || (workspace ? (a.allowedRoles as string[]).includes(workspace.role) : false);
  const titleId = `approval-${a.id}-title`;

  return (
    <article className="card approval-card" aria-labelledby={titleId} data-approval-id={a.id} data-status={a.status}>
      <header className="approval-head">
        <h2 id={titleId}>
          Approval at <code>{a.nodeKey}</code>
        </h2>
        <StatusBadge status={a.status} />
      </header>
      <dl className="approval-meta small">
        {showRun && (
          <>
            <dt>Run</dt>
            <dd>
              <Link to={`/runs/${encodeURIComponent(a.runId)}`}>{a.runId}</Link>
              <span className="muted"> of workflow </span>
              <Link to={`/workflows/${encodeURIComponent(a.workflowId)}`}>
                <WorkflowName id={a.workflowId} />
              </Link>
            </dd>
          </>
        )}
        <dt>Requested</dt>
        <dd>
          <time dateTime={a.requestedAt}>{when(a.requestedAt)}</time>
        </dd>
        <dt>{a.status === 'pending' ? 'Expires' : a.status === 'expired' ? 'Expired' : 'Open until'}</dt>
        <dd>
          <time dateTime={a.expiresAt}>{when(a.expiresAt)}</time>
        </dd>
        {a.decidedAt && (
          <>
            <dt>Decided</dt>
            <dd>
              <time dateTime={a.decidedAt}>{when(a.decidedAt)}</time>
              {a.actor && <span className="muted"> by {a.actor.kind === 'form' ? 'a signed form link' : `${a.actor.kind === 'account' ? 'an account' : 'an API key'}${a.actor.role ? ` (${a.actor.role})` : ''}`}</span>}
            </dd>
          </>
        )}
      </dl>
      <div className="approval-prompt">
        <Markdown source={a.prompt} />
      </div>
      {a.status === 'decided' && <Decided approval={a} />}
      {a.status === 'pending' &&
        (Date.parse(a.expiresAt) <= asOf ? (
          <p className="notice small">The time to decide this approval has passed; it closes in a moment.</p>
        ) : !mayDecide ? (
          <p className="muted small">Your role can see this approval but not decide it.</p>
        ) : !roleAllowed ? (
          <p className="muted small">
            Only {a.allowedRoles!.join(', ')} may decide this approval (your role: {workspace?.role}).
          </p>
        ) : (
          <ApprovalForm
            spec={a}
            decide={(d) => decideApproval(a.id, d)}
            onDecided={() => {
              void queries.invalidateQueries({ queryKey: ['approvals'] });
              void queries.invalidateQueries({ queryKey: ['runs'] });
            }}
          />
        ))}
    </article>
  );
}

/** A workflow's name (cached; its id until it loads or when it cannot be read). */
function WorkflowName({ id }: { id: string }) {
  const { workspace } = useSession();
  const q = useQuery({
    queryKey: ['workflows', workspace?.id, id, 'name'],
    queryFn: () => data(api.GET('/v1/workflows/{id}', { params: { path: { id } } })),
    staleTime: 60_000,
    retry: false,
  });
  return <>{q.data?.name ?? id}</>;
}

function Decided({ approval: a }: { approval: Approval }) {
  const label = a.actions.find((x) => x.id === a.action)?.label ?? a.action;
  const values = Object.entries(a.values ?? {});
  return (
    <div className="approval-decision">
      <p>
        Decision: <strong>{label}</strong>
      </p>
      {values.length > 0 && (
        <dl className="approval-values small">
          {values.map(([k, v]) => (
            <div key={k}>
              <dt>{a.fields[k]?.label ?? k}</dt>
              <dd>{v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {a.comment && <p className="approval-comment">“{a.comment}”</p>}
    </div>
  );
}
