import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Role } from '../../api/session';

/** The roles from the most to the least a role may do (owner > admin > developer > operator > viewer). */
export const ROLE_ORDER: readonly Role[] = ['owner', 'admin', 'developer', 'operator', 'viewer'];

/** Whether `role` is at most `own` (nobody grants, or makes a key, above their own role). */
export function atMost(role: Role, own: Role | undefined): boolean {
  if (!own) return false;
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(own);
}

/** The roles someone with `own` may hand out. */
export function rolesUpTo(own: Role | undefined): Role[] {
  return ROLE_ORDER.filter((r) => atMost(r, own));
}

/** Copies text to the clipboard, saying so (or saying to select it by hand when the browser refuses). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <span className="copy">
      <button type="button" className="secondary" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" aria-live="polite" className="muted small">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'The browser did not allow copying: select the text and copy it.' : ''}
      </span>
    </span>
  );
}

/**
 * A dangerous action asked twice: the first press shows what will happen and a confirming button
 * (no browser dialog, so it stays keyboard-reachable and readable on a narrow window).
 */
export function ConfirmButton({
  label,
  confirmLabel,
  question,
  onConfirm,
  busy,
}: {
  label: string;
  confirmLabel: string;
  question: ReactNode;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  // Focus follows the question (to Cancel, so a second Enter never confirms by accident) and back.
  useEffect(() => {
    if (asking) cancel.current?.focus();
    else if (wasAsking.current) opener.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" className="secondary" ref={opener} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={label}>
      <span className="small">{question}</span>
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="secondary" ref={cancel} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** A secret shown this once: a dismissible panel with the value, a copy button and the warning. */
export function ShownOnce({ title, value, children, onDismiss }: { title: string; value: string; children?: ReactNode; onDismiss: () => void }) {
  return (
    <section className="card once" aria-label={title}>
      <h3>{title}</h3>
      <p className="notice">Copy it now: it will not be shown again.</p>
      <div className="row">
        <code className="secret" data-testid="shown-once">
          {value}
        </code>
        <CopyButton text={value} />
      </div>
      {children}
      <div className="row">
        <button type="button" onClick={onDismiss}>
          Done, I have copied it
        </button>
      </div>
    </section>
  );
}
