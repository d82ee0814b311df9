import { useState } from 'react';

/** How much of a value is drawn before its reader asks for the rest (a huge output freezes the page). */
const SHOWN_CHARS = 100_000;

/** A value as indented JSON, as text (tenant data is never markup); long strings wrap. */
export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  const [all, setAll] = useState(false);
  if (value === null || value === undefined) return <p className="muted small">{label ? `${label}: ` : ''}none</p>;
  let text: string;
  try {
    text = JSON.stringify(value, null, 2);
  } catch {
    text = String(value);
  }
  const cut = !all && text.length > SHOWN_CHARS;
  return (
    <div className="json-block">
      {label && <div className="muted small">{label}</div>}
      <pre>{cut ? `${text.slice(0, SHOWN_CHARS)}…` : text}</pre>
      {cut && (
        <button type="button" className="secondary" onClick={() => setAll(true)}>
          Show all {text.length.toLocaleString('en')} characters
        </button>
      )}
    </div>
  );
}
