import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, data, unwrap } from '../../api/client';
import { StatusBadge } from '../../components/StatusBadge';
import { ErrorBox, Loading, QueryState } from '../../components/states';
import { duration, when } from '../../components/time';
import { GraphView, type NodeState } from '../../graph/GraphView';
import type { DslGraph, DslNode } from '../../graph/layout';
import { RunApprovals } from '../approvals/RunApprovals';
import { JsonBlock } from './JsonBlock';
import { RerunButton, RunControls } from './RunControls';
import { RunHistory } from './RunHistory';
import { LiveTextView, RunTimeline } from './RunTimeline';
import { isEnded, nodeStateOf, tokens, type NodeExecution, type Run } from './run-status';
import { useRunStream } from './use-run-stream';

const NODES_PAGE = 100;

/** Every node execution of the run, all pages of them, in order. */
async function allNodes(id: string): Promise<NodeExecution[]> {
  const out: NodeExecution[] = [];
  for (let page = 1; ; page++) {
    const body = await unwrap(api.GET('/v1/runs/{id}/nodes', { params: { path: { id }, query: { page, limit: NODES_PAGE } } }));
    out.push(...body.data);
    if (!body.pagination.has_next) return out;
  }
}

/** Every node id of a graph, containers' inner graphs included. */
function nodeIds(graph: DslGraph | undefined): string[] {
  const ids: string[] = [];
  const walk = (g: DslGraph | undefined) =>
    g?.nodes.forEach((n: DslNode) => {
      ids.push(n.id);
      walk(n.data?.graph);
    });
  walk(graph);
  return ids;
}

/** http(s) links only: a tenant or a misconfiguration never puts a javascript: URL on the page. */
const safeHref = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);

/** A run by id: keyed so that going to another run (a rerun) starts from nothing. */
export function RunPage() {
  const { id = '' } = useParams();
  return <RunView key={id} id={id} />;
}

function RunView({ id }: { id: string }) {
  const queries = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);

  const run = useQuery({
    queryKey: ['run', id],
    queryFn: () => data(api.GET('/v1/runs/{id}', { params: { path: { id } } })),
    // The stream says most changes; a waiting or queued run changes status without a run event.
    refetchInterval: (q) => (q.state.data && !isEnded(q.state.data.status) ? 5_000 : false),
  });
  // Node records are written beside the events, and the last ones can land just after run.finished:
  // read them every second for 10 s after the run ended (then never again), every 5 s while it runs.
  const nodes = useQuery({
    queryKey: ['run-nodes', id],
    queryFn: () => allNodes(id),
    refetchInterval: () => {
      const now = run.data;
      if (!now || !isEnded(now.status)) return 5_000;
      return Date.now() - Date.parse(now.finishedAt ?? '') < 10_000 ? 1_000 : false;
    },
  });

  // Events make the run and its node records stale: read them again, at most every 300 ms.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stream = useRunStream(id, (type) => {
    if (type.startsWith('run.') || type.startsWith('approval.')) void queries.invalidateQueries({ queryKey: ['run', id] });
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void queries.invalidateQueries({ queryKey: ['run-nodes', id] });
    }, 300);
  });

  const r = run.data;
  const graph = useQuery({
    queryKey: ['run-graph', r?.workflowId, r?.version],
    enabled: !!r,
    queryFn: async (): Promise<DslGraph> => {
      if (!r) throw new Error('no run');
      if (r.version === 'draft') return (await data(api.GET('/v1/workflows/{id}', { params: { path: { id: r.workflowId } } }))).draft as unknown as DslGraph;
      return (await data(api.GET('/v1/workflows/{id}/versions/{version}', { params: { path: { id: r.workflowId, version: r.version } } }))).graph as unknown as DslGraph;
    },
    staleTime: Infinity,
  });
  const workflow = useQuery({
    queryKey: ['workflow', r?.workflowId],
    enabled: !!r,
    queryFn: () => data(api.GET('/v1/workflows/{id}', { params: { path: { id: r!.workflowId } } })),
  });

  // Each node's state: what its records say, then what the stream has said since; pending when neither.
  const states = useMemo(() => {
    const out: Record<string, NodeState> = {};
    for (const nid of nodeIds(graph.data)) out[nid] = 'pending';
    for (const n of nodes.data ?? []) out[n.nodeId] = nodeStateOf(n.status);
    for (const l of r?.live?.nodes ?? []) out[l.nodeId] = l.state;
    return { ...out, ...stream.states };
  }, [graph.data, nodes.data, r?.live, stream.states]);

  if (run.isPending) return <Loading what="Loading the run" />;
  if (run.error || !r) return <ErrorBox error={run.error} retry={() => void run.refetch()} title="Could not load this run" />;

  // The record is read again on every run.* event; only its end may be heard before the record says it.
  const status = stream.ended && stream.status && !isEnded(r.status) ? stream.status : r.status;
  const shown: Run = { ...r, status: status as Run['status'] };
  const waiting = status === 'waiting' || Object.values(states).includes('waiting');
  const texts = Object.values(stream.texts);
  const selectedTexts = texts.filter((t) => t.nodeId === selected);
  const uiUrl = safeHref(r.temporal.uiUrl);

  return (
    <section className="run-page">
      <p className="small">
        <Link to="/runs">← Runs</Link>
      </p>
      <header className="card run-header">
        <div className="row">
          <h1 className="mono wrap">{r.id}</h1>
          <span data-run-status={status}>
            <StatusBadge status={status} />
          </span>
          <span className="muted small" aria-live="polite">
            {stream.ended || isEnded(status) ? 'ended' : stream.live ? '● live' : 'connecting…'}
          </span>
          <span className="spacer" />
          {uiUrl && (
            <a href={uiUrl} target="_blank" rel="noopener noreferrer">
              Open in Temporal Web UI ↗
            </a>
          )}
        </div>
        <dl className="run-facts">
          <dt>Workflow</dt>
          <dd>
            <Link to={`/workflows/${encodeURIComponent(r.workflowId)}`}>{workflow.data?.name ?? r.workflowId}</Link>{' '}
            <span className="muted">{r.version === 'draft' ? 'draft' : `version ${r.version}`}</span>
          </dd>
          <dt>Created</dt>
          <dd>{when(r.createdAt)}</dd>
          <dt>Started</dt>
          <dd>{when(r.startedAt)}</dd>
          <dt>Finished</dt>
          <dd>{when(r.finishedAt)}</dd>
          <dt>Duration</dt>
          <dd>{r.startedAt ? duration(r.startedAt, r.finishedAt) : '—'}</dd>
          <dt>Tokens</dt>
          <dd>{tokens(r.usage)}</dd>
          {r.originRunId && (
            <>
              <dt>Rerun of</dt>
              <dd>
                <Link to={`/runs/${encodeURIComponent(r.originRunId)}`} className="mono">
                  {r.originRunId}
                </Link>
                {r.rerunFromNodeId && <span className="muted"> from {r.rerunFromNodeId}</span>}
              </dd>
            </>
          )}
          {r.parentRunId && (
            <>
              <dt>Started by</dt>
              <dd>
                <Link to={`/runs/${encodeURIComponent(r.parentRunId)}`} className="mono">
                  {r.parentRunId}
                </Link>
              </dd>
            </>
          )}
        </dl>
        {r.error && (
          <p className="error-text wrap" role="alert">
            <strong>{r.error.code}</strong>: {r.error.message}
            {r.error.nodeId && <span> (node {r.error.nodeId})</span>}
          </p>
        )}
        <RunControls run={shown} />
        {stream.error && <p className="error-text small">The live updates stopped: {stream.error.message}</p>}
      </header>

      {waiting && (
        <section className="card" aria-labelledby="approvals-title">
          <h2 id="approvals-title">Waiting for a decision</h2>
          <RunApprovals runId={r.id} />
        </section>
      )}

      <div className="run-main">
        <section className="card run-graph" aria-labelledby="graph-title">
          <h2 id="graph-title">
            Graph <span className="muted small">{r.version === 'draft' ? '(the workflow’s current draft)' : `(version ${r.version})`}</span>
          </h2>
          <QueryState query={graph} what="the graph">
            {(g) => <GraphView graph={g} states={states} selected={selected} onSelect={(n) => setSelected((cur) => (cur === n ? null : n))} />}
          </QueryState>
        </section>
        <aside className="card node-panel" aria-labelledby="node-panel-title">
          <label className="inline node-picker">
            Node
            <select aria-label="Node" value={selected ?? ''} onChange={(e) => setSelected(e.target.value || null)}>
              <option value="">All nodes</option>
              {Object.keys(states).map((nid) => (
                <option key={nid} value={nid}>
                  {nid} ({states[nid]})
                </option>
              ))}
            </select>
          </label>
          {selected ? (
            <>
              <h2 id="node-panel-title" className="wrap">
                <span className="mono">{selected}</span> <StatusBadge status={states[selected] ?? 'pending'} />
              </h2>
              {(r.live?.nodes ?? [])
                .filter((l) => l.nodeId === selected && l.progress)
                .map((l) => (
                  <p key={l.key} className="small">
                    {l.key}: {l.progress!.done}
                    {l.progress!.total !== undefined ? ` of ${l.progress!.total}` : ''} done
                  </p>
                ))}
              {selectedTexts.map((t) => (
                <LiveTextView key={t.key} text={t} />
              ))}
              <RerunButton run={shown} nodeId={selected} />
              <p className="muted small">Its executions are in the timeline below.</p>
            </>
          ) : (
            <>
              <h2 id="node-panel-title">Nodes</h2>
              <p className="muted small">Select a node (in the graph or here) to see its executions and its streamed text{isEnded(status) ? ', or to rerun from it' : ''}.</p>
            </>
          )}
          {!selected && texts.length > 0 && (
            <div className="live-texts">
              {texts.map((t) => (
                <LiveTextView key={t.key} text={t} />
              ))}
            </div>
          )}
        </aside>
      </div>

      <QueryState query={nodes} what="the node executions">
        {(list) => <RunTimeline nodes={list} selected={selected} onClear={() => setSelected(null)} texts={stream.texts} />}
      </QueryState>

      <section className="card io" aria-label="Inputs and outputs">
        <JsonBlock label="Inputs" value={r.inputs} />
        <JsonBlock label="Outputs" value={r.outputs} />
      </section>

      <RunHistory runId={r.id} />
    </section>
  );
}
