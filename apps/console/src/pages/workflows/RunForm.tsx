import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, data } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useCan } from '../../api/permissions';
import { useSession } from '../../api/use-session';
import { ErrorBox, Loading } from '../../components/states';
import { IssueList } from './IssueList';
import { collectInputs, declaredInputs, initialValue, type FieldValue, type InputDeclaration } from './run-inputs';

type Target = 'latest' | 'draft';

/**
 * Starts a run of the latest published version (or of the saved draft, for the roles that may run
 * one) with a form made from the inputs that version declares, and goes to the run's page.
 */
export function RunForm({ workflowId, latestVersion, draft }: { workflowId: string; latestVersion: number | null; draft: unknown }) {
  const can = useCan();
  const { workspace } = useSession();
  const navigate = useNavigate();
  const mayRunDraft = can('action:run-draft');
  const targets: Target[] = [...(latestVersion ? (['latest'] as const) : []), ...(mayRunDraft ? (['draft'] as const) : [])];
  // The latest published version unless the person chose the draft; the draft only when it is on offer.
  const [chosen, setTarget] = useState<Target | null>(null);
  const target: Target = chosen && targets.includes(chosen) ? chosen : (targets[0] ?? 'latest');

  const latest = useQuery({
    queryKey: ['workflow-version', workspace?.id, workflowId, latestVersion],
    queryFn: ({ signal }) => data(api.GET('/v1/workflows/{id}/versions/{version}', { params: { path: { id: workflowId, version: latestVersion! } }, signal })),
    enabled: target === 'latest' && latestVersion !== null,
  });
  const graph = target === 'draft' ? draft : latest.data?.graph;
  const declared = useMemo(() => declaredInputs(graph), [graph]);

  const start = useMutation({
    mutationFn: (inputs: Record<string, unknown>) =>
      data(
        api.POST('/v1/workflows/{id}/runs', {
          params: { path: { id: workflowId } },
          body: { inputs, mode: 'async', version: target === 'draft' ? 'draft' : latestVersion! },
        }),
      ),
    onSuccess: (run) => void navigate(`/runs/${encodeURIComponent(run.id)}`),
  });

  if (targets.length === 0) {
    return <p className="muted">Publish a version to run this workflow; your role may not run the draft.</p>;
  }
  return (
    <div className="run-form">
      <label>
        Version to run
        <select value={target} onChange={(e) => setTarget(e.target.value as Target)}>
          {latestVersion && <option value="latest">Latest published (v{latestVersion})</option>}
          {mayRunDraft && <option value="draft">Draft (as last saved)</option>}
        </select>
      </label>
      {target === 'latest' && latest.isPending ? (
        <Loading what="Inputs" />
      ) : target === 'latest' && latest.error ? (
        <ErrorBox error={latest.error} retry={() => void latest.refetch()} title="Could not load the version" />
      ) : (
        <InputsForm key={`${target}:${latestVersion}`} declared={declared} pending={start.isPending} onStart={(inputs) => start.mutate(inputs)} />
      )}
      {start.error instanceof ApiError && start.error.issues.length > 0 ? (
        <IssueList issues={start.error.issues} title="The run was not started" />
      ) : (
        start.error && <ErrorBox error={start.error} title="The run was not started" />
      )}
    </div>
  );
}

function InputsForm({ declared, pending, onStart }: { declared: [string, InputDeclaration][]; pending: boolean; onStart: (inputs: Record<string, unknown>) => void }) {
  const [values, setValues] = useState<Record<string, FieldValue>>(() => Object.fromEntries(declared.map(([n, d]) => [n, initialValue(d)])));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const got = collectInputs(declared, values);
    if ('problems' in got) {
      setProblems(got.problems);
      return;
    }
    setProblems({});
    onStart(got.inputs);
  };
  return (
    <form onSubmit={submit} aria-label="Run inputs" noValidate>
      {declared.length === 0 && <p className="muted">This version declares no inputs.</p>}
      {declared.map(([name, d]) => (
        <InputField key={name} name={name} d={d} value={values[name] ?? initialValue(d)} problem={problems[name]} onChange={(v) => setValues((old) => ({ ...old, [name]: v }))} />
      ))}
      <button type="submit" disabled={pending}>
        {pending ? 'Starting…' : 'Start run'}
      </button>
    </form>
  );
}

function InputField({ name, d, value, problem, onChange }: { name: string; d: InputDeclaration; value: FieldValue; problem: string | undefined; onChange: (v: FieldValue) => void }) {
  const id = useId();
  const help = d.description || problem ? `${id}-help` : undefined;
  const caption = (
    <>
      <span className="input-name">{name}</span>
      {d.required && (
        <span className="required" aria-label="required">
          {' '}
          *
        </span>
      )}
      <span className="muted small"> {d.type}</span>
    </>
  );
  const described = { 'aria-describedby': help, 'aria-invalid': problem ? true : undefined, 'aria-required': d.required || undefined };
  return (
    <div className="input-field">
      {d.type === 'boolean' ? (
        <label className="inline" htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} {...described} />
          {caption}
        </label>
      ) : (
        <label htmlFor={id}>
          <span>{caption}</span>
          {d.type === 'string' ? (
            <input id={id} type="text" value={String(value)} onChange={(e) => onChange(e.target.value)} {...described} />
          ) : d.type === 'number' ? (
            <input id={id} type="number" step="any" value={String(value)} onChange={(e) => onChange(e.target.value)} {...described} />
          ) : (
            <textarea id={id} className="code" rows={4} spellCheck={false} value={String(value)} onChange={(e) => onChange(e.target.value)} {...described} />
          )}
        </label>
      )}
      {help && (
        <div id={help} className="small">
          {d.description && <span className="muted">{d.description}</span>}
          {problem && <span className="error-text"> {problem}</span>}
        </div>
      )}
    </div>
  );
}
