import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, data } from '../../api/client';
import { ApiError } from '../../api/errors';
import { ErrorBox } from '../../components/states';
import { GraphText } from './GraphText';
import { IssueList } from './IssueList';
import { STARTER_GRAPH, formatGraph, parseGraph, type GraphFormat, type WorkflowGraph } from './graph-text';

/** A new workflow: its name, a description, and its first draft (a start → end graph to begin from). */
export function CreateWorkflow({ onCancel }: { onCancel: () => void }) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [format, setFormat] = useState<GraphFormat>('json');
  const [text, setText] = useState(() => formatGraph(STARTER_GRAPH, 'json'));
  const [parseError, setParseError] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: (graph: WorkflowGraph) =>
      data(api.POST('/v1/workflows', { body: { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}), graph } })),
    onSuccess: async (w) => {
      await queries.invalidateQueries({ queryKey: ['workflows'] });
      void navigate(`/workflows/${encodeURIComponent(w.id)}`);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseGraph(text, format);
    if ('error' in parsed) {
      setParseError(parsed.error);
      return;
    }
    setParseError(null);
    create.mutate(parsed.graph);
  };
  const issues = create.error instanceof ApiError ? create.error.issues : [];

  return (
    <form className="card create-workflow" onSubmit={submit} aria-label="New workflow">
      <h2>New workflow</h2>
      <label>
        Name
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      </label>
      <label>
        Description <span className="muted small">(optional)</span>
        <input maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <GraphText
        text={text}
        format={format}
        onChange={(t, f) => {
          setText(t);
          setFormat(f);
        }}
      />
      {parseError && (
        <p className="error-text" role="alert">
          {parseError}
        </p>
      )}
      {issues.length > 0 ? <IssueList issues={issues} title="The graph is not valid" /> : create.error && <ErrorBox error={create.error} title="Could not create the workflow" />}
      <div className="row">
        <button type="submit" disabled={create.isPending || !name.trim()}>
          {create.isPending ? 'Creating…' : 'Create workflow'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
