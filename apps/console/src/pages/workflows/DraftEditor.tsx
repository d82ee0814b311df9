import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, data } from '../../api/client';
import { ApiError, type Issue } from '../../api/errors';
import { useCan } from '../../api/permissions';
import { ErrorBox } from '../../components/states';
import { GraphView } from '../../graph/GraphView';
import { GraphText } from './GraphText';
import { IssueList, issuesByNode } from './IssueList';
import { canonical, drawable, formatGraph, nodesSignature, parseGraph, type GraphFormat, type WorkflowGraph } from './graph-text';

type Verdict = { issues: Issue[]; note: string | null; error: unknown };
const CLEAR: Verdict = { issues: [], note: null, error: null };

/**
 * The draft: its graph drawn as it is typed, the text (JSON or YAML), and Validate, Save draft and
 * Publish for the roles that may. The validator's issues are drawn on the nodes they name and listed
 * (an issue that names no node is in the list only).
 */
export function DraftEditor({ workflowId, draft }: { workflowId: string; draft: unknown }) {
  const can = useCan();
  const queries = useQueryClient();
  const mayEdit = can('PUT /v1/workflows/{id}/draft');
  const mayValidate = can('POST /v1/workflows/{id}/validate');
  const mayPublish = can('POST /v1/workflows/{id}/publish');
  const [format, setFormat] = useState<GraphFormat>('json');
  const [text, setText] = useState(() => formatGraph(draft, 'json'));
  const [verdict, setVerdict] = useState<Verdict>(CLEAR);
  // What the server holds, as last loaded or saved from here.
  const [saved, setSaved] = useState(() => canonical(draft));

  const parsed = useMemo(() => parseGraph(text, format), [text, format]);
  const typed = 'graph' in parsed ? parsed.graph : null;
  const dirty = typed === null || canonical(typed) !== saved;
  const shown = drawable(typed) ?? drawable(draft);

  const answer = (err: unknown) => setVerdict(err instanceof ApiError && err.issues.length ? { issues: err.issues, note: null, error: null } : { issues: [], note: null, error: err });
  const graphOrSay = (): WorkflowGraph | null => {
    if ('error' in parsed) setVerdict({ ...CLEAR, error: new ApiError(400, 'graph_unreadable', parsed.error) });
    return typed;
  };
  const refresh = () => queries.invalidateQueries({ queryKey: ['workflow'] });

  const validate = useMutation({
    mutationFn: (graph: WorkflowGraph) => data(api.POST('/v1/workflows/{id}/validate', { params: { path: { id: workflowId } }, body: { graph } })),
    onSuccess: () => setVerdict({ ...CLEAR, note: 'The graph is valid.' }),
    onError: answer,
  });
  const save = useMutation({
    mutationFn: (graph: WorkflowGraph) => data(api.PUT('/v1/workflows/{id}/draft', { params: { path: { id: workflowId } }, body: { graph } })),
    onSuccess: async (w) => {
      setSaved(canonical(w.draft));
      setVerdict({ ...CLEAR, note: 'Draft saved.' });
      await refresh();
    },
    onError: answer,
  });
  const publish = useMutation({
    mutationFn: () => data(api.POST('/v1/workflows/{id}/publish', { params: { path: { id: workflowId } } })),
    onSuccess: async (v) => {
      setVerdict({ ...CLEAR, note: `Published version ${v.version}.` });
      await Promise.all([refresh(), queries.invalidateQueries({ queryKey: ['workflow-versions'] })]);
    },
    onError: answer,
  });
  const busy = validate.isPending || save.isPending || publish.isPending;
  const run = (m: { mutate: (g: WorkflowGraph) => void }) => {
    const graph = graphOrSay();
    if (graph) m.mutate(graph);
  };

  return (
    <div className="draft-editor">
      <GraphView key={nodesSignature(shown)} graph={shown} issues={issuesByNode(verdict.issues)} />
      {'error' in parsed && <p className="muted small">The drawing shows the last graph that could be read; the text has a problem.</p>}
      <GraphText
        label={mayEdit ? 'Draft graph' : 'Draft graph (read only)'}
        text={text}
        format={format}
        readOnly={!mayEdit}
        onChange={(t, f) => {
          setText(t);
          setFormat(f);
        }}
      />
      <div className="row editor-actions">
        {mayValidate && (
          <button type="button" className="secondary" disabled={busy} onClick={() => run(validate)}>
            {validate.isPending ? 'Validating…' : 'Validate'}
          </button>
        )}
        {mayEdit && (
          <button type="button" disabled={busy || !dirty} onClick={() => run(save)}>
            {save.isPending ? 'Saving…' : 'Save draft'}
          </button>
        )}
        {mayPublish && (
          <button type="button" disabled={busy || dirty} title={dirty ? 'Save the draft first: Publish freezes the saved draft' : undefined} onClick={() => publish.mutate()}>
            {publish.isPending ? 'Publishing…' : 'Publish'}
          </button>
        )}
        {mayEdit && dirty && <span className="muted small">Unsaved changes{mayPublish ? ' (save them to publish)' : ''}.</span>}
      </div>
      <div aria-live="polite">
        {verdict.note && <p className="notice ok-note">{verdict.note}</p>}
      </div>
      <IssueList issues={verdict.issues} />
      {verdict.error !== null && <ErrorBox error={verdict.error} title="That did not work" />}
    </div>
  );
}
