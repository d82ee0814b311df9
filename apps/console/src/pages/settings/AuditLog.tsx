import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap, type paths } from '../../api/client';
import { useCan } from '../../api/permissions';
import { useSession } from '../../api/use-session';
import { Pagination } from '../../components/Pagination';
import { Empty, QueryState } from '../../components/states';
import { when } from '../../components/time';

type AuditQuery = NonNullable<paths['/v1/audit']['get']['parameters']['query']>;
type Entry = paths['/v1/audit']['get']['responses'][200]['content']['application/json']['data'][number];
type ActorType = NonNullable<AuditQuery['actorType']>;

const ACTOR_TYPES: Record<ActorType, string> = { account: 'a person', api_key: 'an API key', form_link: 'a form link', system: 'the system' };

interface Filters {
  action: string;
  objectType: string;
  objectId: string;
  actorType: '' | ActorType;
  actorId: string;
  from: string;
  to: string;
}
const NONE: Filters = { action: '', objectType: '', objectId: '', actorType: '', actorId: '', from: '', to: '' };

/** A datetime-local value (the browser's local time) as the ISO time the API filters with. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function queryOf(f: Filters, page: number): AuditQuery {
  const q: AuditQuery = { page, limit: 25 };
  if (f.action.trim()) q.action = f.action.trim();
  if (f.objectType.trim()) q.objectType = f.objectType.trim();
  if (f.objectId.trim()) q.objectId = f.objectId.trim();
  if (f.actorType) q.actorType = f.actorType;
  if (f.actorId.trim()) q.actorId = f.actorId.trim();
  const from = isoOf(f.from);
  const to = isoOf(f.to);
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

/** The append-only audit log with its filters (admins and owners). */
export function AuditLog() {
  const can = useCan();
  const { workspace } = useSession();
  if (!can('GET /v1/audit')) {
    return (
      <div className="state empty" role="status">
        <strong>The audit log is not allowed for your role.</strong>
        <div className="muted">Your role in this workspace is {workspace?.role}; admins and owners read the audit log.</div>
      </div>
    );
  }
  return <AuditEntries />;
}

function AuditEntries() {
  const [draft, setDraft] = useState<Filters>(NONE);
  const [applied, setApplied] = useState<Filters>(NONE);
  const [page, setPage] = useState(1);
  const entries = useQuery({
    queryKey: ['audit', applied, page],
    queryFn: () => unwrap(api.GET('/v1/audit', { params: { query: queryOf(applied, page) } })),
    placeholderData: keepPreviousData,
  });
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(draft);
    setPage(1);
  };
  const filtered = JSON.stringify(applied) !== JSON.stringify(NONE);

  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      <form className="card toolbar audit-filters" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Action
          <input value={draft.action} onChange={set('action')} placeholder="api_key. or workflow.create" />
        </label>
        <label>
          Object type
          <input value={draft.objectType} onChange={set('objectType')} placeholder="api_key" />
        </label>
        <label>
          Object id
          <input value={draft.objectId} onChange={set('objectId')} />
        </label>
        <label>
          Actor type
          <select value={draft.actorType} onChange={set('actorType')}>
            <option value="">any</option>
            {(Object.keys(ACTOR_TYPES) as ActorType[]).map((t) => (
              <option key={t} value={t}>
                {ACTOR_TYPES[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor id
          <input value={draft.actorId} onChange={set('actorId')} />
        </label>
        <label>
          From
          <input type="datetime-local" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" value={draft.to} onChange={set('to')} />
        </label>
        <button type="submit">Filter</button>
        {filtered && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft(NONE);
              setApplied(NONE);
              setPage(1);
            }}
          >
            Clear
          </button>
        )}
      </form>
      <QueryState query={entries} what="Audit log">
        {(body) =>
          body.data.length === 0 ? (
            <Empty title={filtered ? 'No entries match these filters' : 'Nothing in the audit log yet'}>Changes to workflows, keys, members and settings are written here.</Empty>
          ) : (
            <>
              <ol className="audit-list">
                {body.data.map((e) => (
                  <AuditRow key={e.id} entry={e} />
                ))}
              </ol>
              <Pagination info={body.pagination} onPage={setPage} />
            </>
          )
        }
      </QueryState>
    </section>
  );
}

function AuditRow({ entry: e }: { entry: Entry }) {
  return (
    <li className="card audit-entry" data-action={e.action} data-object-id={e.objectId ?? ''}>
      <div className="row">
        <code className="badge">{e.action}</code>
        <span className="wrap">
          {e.objectType}
          {e.objectId && <code className="small"> {e.objectId}</code>}
        </span>
        <span className="spacer" />
        <span className="muted small">{when(e.createdAt)}</span>
      </div>
      <div className="muted small wrap">
        by {ACTOR_TYPES[e.actor.type as ActorType] ?? e.actor.type} {e.actor.id && <code>{e.actor.id}</code>}
        {e.requestId && (
          <>
            {' '}
            · request <code>{e.requestId}</code>
          </>
        )}
      </div>
      <details>
        <summary>Before and after</summary>
        <div className="before-after">
          <div>
            <h4>Before</h4>
            {e.before === null ? <p className="muted small">nothing (it did not exist)</p> : <pre>{JSON.stringify(e.before, null, 2)}</pre>}
          </div>
          <div>
            <h4>After</h4>
            {e.after === null ? <p className="muted small">nothing (deleted)</p> : <pre>{JSON.stringify(e.after, null, 2)}</pre>}
          </div>
        </div>
      </details>
    </li>
  );
}
