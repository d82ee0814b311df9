import { useId, useState } from 'react';
import { formatGraph, parseGraph, type GraphFormat } from './graph-text';

/**
 * A graph as text, JSON or YAML. Switching the format rewrites the text when it parses; when it
 * does not, the text stays as it is and the switch says why.
 */
export function GraphText({
  text,
  format,
  onChange,
  label = 'Graph',
  readOnly = false,
}: {
  text: string;
  format: GraphFormat;
  onChange: (text: string, format: GraphFormat) => void;
  label?: string;
  readOnly?: boolean;
}) {
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const switchTo = (next: GraphFormat) => {
    if (next === format) return;
    const parsed = parseGraph(text, format);
    if ('error' in parsed) {
      setProblem(`Fix the ${format.toUpperCase()} before switching: ${parsed.error}`);
      return;
    }
    setProblem(null);
    onChange(formatGraph(parsed.graph, next), next);
  };
  return (
    <div className="graph-text">
      <div className="row">
        <label htmlFor={id} className="graph-text-label">
          {label}
        </label>
        <span className="spacer" />
        <div role="group" aria-label="Format" className="format-toggle">
          {(['json', 'yaml'] as const).map((f) => (
            <button key={f} type="button" className={f === format ? '' : 'secondary'} aria-pressed={f === format} onClick={() => switchTo(f)}>
              {f.toUpperCase()}
            </button>
          ))}
        </div>
      </div>
      <textarea
        id={id}
        className="code"
        spellCheck={false}
        rows={18}
        value={text}
        readOnly={readOnly}
        onChange={(e) => {
          setProblem(null);
          onChange(e.target.value, format);
        }}
      />
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
