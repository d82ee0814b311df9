import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, data, unwrap } from '../../api/client';
import { useCan } from '../../api/permissions';
import { useSession } from '../../api/use-session';
import { QueryState } from '../../components/states';
import { when } from '../../components/time';
import { GraphView } from '../../graph/GraphView';
import { DraftEditor } from './DraftEditor';
import { RunForm } from './RunForm';
import { drawable, formatGraph } from './graph-text';

type Choice = 'draft' | number;

/** One workflow: the draft or a published version, drawn; the draft's editor; and a run of it. */
export function WorkflowPage() {
  const { id = '' } = useParams();
  const { workspace } = useSession();
  const can = useCan();
  const [choice, setChoice] = useState<Choice>('draft');
  const pickerId = useId();
  const workflow = useQuery({
    queryKey: ['workflow', workspace?.id, id],
    queryFn: ({ signal }) => data(api.GET('/v1/workflows/{id}', { params: { path: { id } }, signal })),
  });
  const versions = useQuery({
    queryKey: ['workflow-versions', workspace?.id, id],
    queryFn: ({ signal }) => unwrap(api.GET('/v1/workflows/{id}/versions', { params: { path: { id }, query: { limit: 100 } }, signal })),
  });

  return (
    <QueryState query={workflow} what="Workflow">
      {(w) => (
        <div className="workflow-page">
          <p className="small">
            <Link to="/workflows">← Workflows</Link>
          </p>
          <h1 className="wrap">{w.name}</h1>
          {w.description && <p className="wrap">{w.description}</p>}
          <p className="muted small">
            {w.latestVersion ? `Latest published version: v${w.latestVersion}` : 'Not published yet'} · updated {when(w.updatedAt)}
          </p>

          <section className="card" aria-labelledby="wf-graph">
            <div className="toolbar">
              <h2 id="wf-graph">Graph</h2>
              <span className="spacer" />
              <div className="row version-picker">
                <label htmlFor={pickerId}>Version</label>
                <select id={pickerId} value={String(choice)} onChange={(e) => setChoice(e.target.value === 'draft' ? 'draft' : Number(e.target.value))}>
                  <option value="draft">Draft</option>
                  {(versions.data?.data ?? []).map((v) => (
                    <option key={v.version} value={v.version}>
                      v{v.version} · {when(v.createdAt)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            {versions.error ? <p className="error-text">The published versions could not be listed; try reloading.</p> : null}
            {versions.data?.pagination.has_next && <p className="muted small">The picker lists the latest 100 versions.</p>}
            {choice === 'draft' ? (
              <DraftEditor key={w.id} workflowId={w.id} draft={w.draft} />
            ) : (
              <PublishedVersion workflowId={w.id} version={choice} />
            )}
          </section>

          {can('POST /v1/workflows/{id}/runs') && (
            <section className="card" aria-labelledby="wf-run">
              <h2 id="wf-run">Run</h2>
              <RunForm workflowId={w.id} latestVersion={w.latestVersion} draft={w.draft} />
            </section>
          )}
        </div>
      )}
    </QueryState>
  );
}

function PublishedVersion({ workflowId, version }: { workflowId: string; version: number }) {
  const { workspace } = useSession();
  const query = useQuery({
    queryKey: ['workflow-version', workspace?.id, workflowId, version],
    queryFn: ({ signal }) => data(api.GET('/v1/workflows/{id}/versions/{version}', { params: { path: { id: workflowId, version } }, signal })),
    staleTime: Infinity, // a published version never changes
  });
  return (
    <QueryState query={query} what={`Version ${version}`}>
      {(v) => (
        <>
          <GraphView graph={drawable(v.graph)} />
          <details className="version-text">
            <summary>The graph of v{v.version} as JSON</summary>
            <pre>{formatGraph(v.graph, 'json')}</pre>
          </details>
        </>
      )}
    </QueryState>
  );
}
