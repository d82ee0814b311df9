import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useCan } from '../../api/permissions';
import { useSession } from '../../api/use-session';
import { Pagination } from '../../components/Pagination';
import { Empty, QueryState } from '../../components/states';
import { when } from '../../components/time';
import { CreateWorkflow } from './CreateWorkflow';

const PAGE_SIZE = 20;

/** The value, once it has stopped changing for `ms`: typing a search asks the API once, not per key. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** The workspace's workflows: search by name, pages, and (for builders) a new one. */
export function WorkflowList() {
  const { workspace } = useSession();
  const can = useCan();
  const [search, setSearch] = useState('');
  const name = useDebounced(search.trim(), 300);
  // A new search starts again at its first page.
  const [paging, setPaging] = useState({ name, page: 1 });
  const page = paging.name === name ? paging.page : 1;
  const setPage = (p: number) => setPaging({ name, page: p });
  const [creating, setCreating] = useState(false);

  const query = useQuery({
    queryKey: ['workflows', workspace?.id, name, page],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/workflows', { params: { query: { page, limit: PAGE_SIZE, ...(name ? { name } : {}) } }, signal })),
    placeholderData: keepPreviousData,
  });
  const mayCreate = can('POST /v1/workflows');
  const newButton = mayCreate && !creating && (
    <button type="button" onClick={() => setCreating(true)}>
      New workflow
    </button>
  );

  return (
    <div className="workflows">
      <div className="row">
        <h1>Workflows</h1>
        <span className="spacer" />
        {newButton}
      </div>
      {creating && <CreateWorkflow onCancel={() => setCreating(false)} />}
      <div className="toolbar" role="search">
        <label>
          Search by name
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Part of a name" maxLength={200} />
        </label>
      </div>
      <QueryState query={query} what="Workflows">
        {(body) =>
          body.data.length === 0 ? (
            name ? (
              <Empty title={`No workflow’s name contains “${name}”`}>Try another part of the name.</Empty>
            ) : (
              <Empty title="No workflows yet">
                {mayCreate ? 'A workflow is a graph of steps that runs durably. Start one with “New workflow”.' : 'A developer of this workspace can create the first one.'}
                {newButton && <div className="empty-action">{newButton}</div>}
              </Empty>
            )
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Latest version</th>
                      <th>Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {body.data.map((w) => (
                      <tr key={w.id}>
                        <td className="wrap">
                          <Link to={`/workflows/${encodeURIComponent(w.id)}`}>{w.name}</Link>
                          {w.description && <div className="muted small">{w.description}</div>}
                        </td>
                        <td>{w.latestVersion ? `v${w.latestVersion}` : <span className="muted">draft only</span>}</td>
                        <td>{when(w.updatedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pagination info={body.pagination} onPage={setPage} />
            </>
          )
        }
      </QueryState>
    </div>
  );
}
