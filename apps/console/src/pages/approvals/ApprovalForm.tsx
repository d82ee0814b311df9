import { useId, useState } from 'react';
import type { components } from '../../api/generated/schema';
import { ApiError, messageOf } from '../../api/errors';

export type Approval = components['schemas']['Approval'];
export type ApprovalField = Approval['fields'][string];
export type ApprovalAction = Approval['actions'][number];
export interface Decision {
  action: string;
  values: Record<string, unknown>;
  comment?: string;
}

/** What a form shows and asks: the same for an approval of the workspace and a signed link's form. */
export interface FormSpec {
  fields: Record<string, ApprovalField>;
  actions: ApprovalAction[];
}

type Draft = Record<string, string | boolean>;

/** A field's starting value: its default when it has one of the field's type. */
function initial(field: ApprovalField): string | boolean {
  const d = field.default;
  switch (field.type) {
    case 'boolean':
      return d === true;
    case 'number':
      return typeof d === 'number' && Number.isFinite(d) ? String(d) : '';
    case 'select':
      return typeof d === 'string' && (field.options ?? []).includes(d) ? d : '';
    default:
      return typeof d === 'string' ? d : '';
  }
}

/** The values a decision sends: every field, empty ones as null (so a cleared default stays cleared). */
function valuesOf(fields: Record<string, ApprovalField>, draft: Draft): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const v = draft[name];
    if (field.type === 'boolean') values[name] = v === true;
    else if (typeof v !== 'string' || v === '') values[name] = null;
    else if (field.type === 'number') values[name] = Number.isFinite(Number(v)) ? Number(v) : v;
    else values[name] = v;
  }
  return values;
}

/** A decision the API refused, as a person reads it. */
function refusal(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'approval_closed') {
      const status = (err.details as { status?: string } | undefined)?.status;
      if (status === 'decided') return 'This approval was already decided by someone else.';
      if (status === 'expired') return 'This approval has expired: it can no longer be decided.';
      if (status === 'cancelled') return 'The run of this approval has ended: it can no longer be decided.';
      return 'This approval can no longer be decided.';
    }
    if (err.code === 'approval_role_forbidden') return `Your role may not decide this approval. ${err.message}`;
    if (err.code === 'approval_values_invalid') return 'Some values need fixing (see the fields above).';
  }
  return messageOf(err);
}

/**
 * An approval's fields, an optional comment and one button per action. `decide` sends the decision
 * (to the approvals API or a signed link); a 422's issues show next to their fields, a 409 or 403
 * as a plain message.
 */
export function ApprovalForm({ spec, decide, onDecided }: { spec: FormSpec; decide: (d: Decision) => Promise<unknown>; onDecided?: (d: Decision) => void }) {
  const id = useId();
  const names = Object.keys(spec.fields);
  const [draft, setDraft] = useState<Draft>(() => Object.fromEntries(names.map((n) => [n, initial(spec.fields[n]!)])));
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [issues, setIssues] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (action: ApprovalAction) => {
    setBusy(action.id);
    setError(null);
    setIssues({});
    const decision: Decision = { action: action.id, values: valuesOf(spec.fields, draft), ...(comment.trim() ? { comment } : {}) };
    try {
      await decide(decision);
      setDone(action.label);
      onDecided?.(decision);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        const byField: Record<string, string[]> = {};
        const general: string[] = [];
        for (const issue of err.issues as { field?: string; message: string }[]) {
          if (issue.field && names.includes(issue.field)) (byField[issue.field] ??= []).push(issue.message);
          else general.push(issue.message);
        }
        setIssues(byField);
        setError(general.length ? general.join(' ') : err.code === 'approval_values_invalid' ? refusal(err) : err.message);
      } else setError(refusal(err));
    } finally {
      setBusy(null);
    }
  };

  if (done) {
    return (
      <p className="approval-done" role="status">
        Decided: <strong>{done}</strong>.
      </p>
    );
  }

  return (
    <form className="approval-form" onSubmit={(e) => e.preventDefault()} aria-busy={busy !== null}>
      {names.map((name) => {
        const field = spec.fields[name]!;
        const inputId = `${id}-${name}`;
        const errId = `${inputId}-err`;
        const errs = issues[name];
        const label = (
          <span>
            {field.label ?? name}
            {field.required && (
              <span className="required" aria-hidden="true">
                {' '}
                *
              </span>
            )}
          </span>
        );
        const common = {
          id: inputId,
          name,
          'aria-required': field.required || undefined,
          'aria-invalid': errs ? true : undefined,
          'aria-describedby': errs ? errId : undefined,
          disabled: busy !== null,
        };
        const value = draft[name];
        const set = (v: string | boolean) => setDraft((d) => ({ ...d, [name]: v }));
        return (
          <div className="approval-field" key={name} data-field={name}>
            {field.type === 'boolean' ? (
              <label className="inline" htmlFor={inputId}>
                <input type="checkbox" {...common} checked={value === true} onChange={(e) => set(e.target.checked)} />
                {label}
              </label>
            ) : (
              <label htmlFor={inputId}>
                {label}
                {field.type === 'paragraph' ? (
                  <textarea {...common} rows={4} maxLength={20_000} value={String(value ?? '')} onChange={(e) => set(e.target.value)} />
                ) : field.type === 'select' ? (
                  <select {...common} value={String(value ?? '')} onChange={(e) => set(e.target.value)}>
                    <option value="">{field.required ? 'Choose…' : '(none)'}</option>
                    {(field.options ?? []).map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : field.type === 'number' ? (
                  <input type="number" step="any" inputMode="decimal" {...common} value={String(value ?? '')} onChange={(e) => set(e.target.value)} />
                ) : (
                  <input type="text" maxLength={1_000} {...common} value={String(value ?? '')} onChange={(e) => set(e.target.value)} />
                )}
              </label>
            )}
            {errs && (
              <p className="error-text small" id={errId}>
                {errs.join(' ')}
              </p>
            )}
          </div>
        );
      })}
      <label htmlFor={`${id}-comment`}>
        <span>
          Comment <span className="muted small">(optional)</span>
        </span>
        <textarea id={`${id}-comment`} rows={2} maxLength={5_000} value={comment} disabled={busy !== null} onChange={(e) => setComment(e.target.value)} />
      </label>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="row approval-actions">
        {spec.actions.map((a, i) => (
          <button key={a.id} type="button" className={i === 0 ? undefined : 'secondary'} disabled={busy !== null} onClick={() => void submit(a)}>
            {busy === a.id ? `${a.label}…` : a.label}
          </button>
        ))}
      </div>
    </form>
  );
}
