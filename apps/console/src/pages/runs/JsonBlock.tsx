/** A value as indented JSON, as text (tenant data is never markup); long strings wrap. */
export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  if (value === null || value === undefined) return <p className="muted small">{label ? `${label}: ` : ''}none</p>;
  let text: string;
  try {
    text = JSON.stringify(value, null, 2);
  } catch {
    text = String(value);
  }
  return (
    <div className="json-block">
      {label && <div className="muted small">{label}</div>}
      <pre>{text}</pre>
    </div>
  );
}
