import { useState } from 'react';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty } from '../../components/states';
import { duration, when } from '../../components/time';
import { JsonBlock } from './JsonBlock';
import type { NodeExecution } from './run-status';
import type { LiveText } from './use-run-stream';

/** The pass an execution belongs to inside iterations and loops: "item 2", "pass 3", or the top level. */
function passOf(n: NodeExecution): string {
  const parts: string[] = [];
  if (n.iterationIndex !== undefined) parts.push(`item ${n.iterationIndex}`);
  if (n.loopIndex !== undefined) parts.push(`pass ${n.loopIndex}`);
  return parts.join(', ');
}

const PAGE = 200;

/**
 * Every node execution in order, with each attempt, durations, inputs, outputs and errors; narrowed
 * to one node (the graph's selection) and to one iteration item or loop pass.
 */
export function RunTimeline({ nodes, selected, onClear, texts }: { nodes: NodeExecution[]; selected: string | null; onClear: () => void; texts: Record<string, LiveText> }) {
  const [pass, setPass] = useState('');
  // How many executions are drawn: thousands (a long loop, a wide iteration) come a page at a time.
  const [limit, setLimit] = useState(PAGE);
  const ofNode = selected ? nodes.filter((n) => n.nodeId === selected) : nodes;
  const passes = [...new Set(ofNode.map(passOf).filter(Boolean))];
  const shown = pass && passes.includes(pass) ? ofNode.filter((n) => passOf(n) === pass) : ofNode;

  return (
    <section className="card timeline" aria-labelledby="timeline-title">
      <div className="row">
        <h2 id="timeline-title">Timeline</h2>
        <span className="muted small">
          {shown.length} of {nodes.length} node executions
        </span>
        <span className="spacer" />
        {passes.length > 0 && (
          <label className="inline">
            Item or pass
            <select value={passes.includes(pass) ? pass : ''} onChange={(e) => setPass(e.target.value)}>
              <option value="">All</option>
              {passes.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
        )}
        {selected && (
          <button type="button" className="secondary" onClick={onClear}>
            Show every node
          </button>
        )}
      </div>
      {shown.length === 0 ? (
        <Empty title={selected ? `No executions of ${selected} yet` : 'No node has finished yet'}>Executions appear here as their nodes finish.</Empty>
      ) : (
        <ol className="timeline-list">
          {shown.slice(0, limit).map((n, i) => (
            <Entry key={`${n.key}-${i}`} n={n} text={texts[n.key]} />
          ))}
        </ol>
      )}
      {shown.length > limit && (
        <button type="button" className="secondary" onClick={() => setLimit((l) => l + PAGE)}>
          Show {Math.min(PAGE, shown.length - limit)} more of {shown.length - limit}
        </button>
      )}
    </section>
  );
}

/**
 * One execution: its summary, and its details (inputs, outputs, attempts, streamed text) only once
 * opened, so a run of thousands of executions with large outputs does not build them all at once.
 */
function Entry({ n, text }: { n: NodeExecution; text: LiveText | undefined }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="timeline-entry" data-node-key={n.key}>
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <StatusBadge status={n.status} />
          <span className="mono wrap">{n.key}</span>
          <span className="muted small">{n.type}</span>
          {passOf(n) && <span className="muted small">({passOf(n)})</span>}
          <span className="spacer" />
          <span className="muted small">{duration(n.startedAt, n.finishedAt)}</span>
          {n.attempts.length > 1 && <span className="muted small">{n.attempts.length} attempts</span>}
        </summary>
        {open && (
          <div className="timeline-body">
            <p className="muted small">
              Started {when(n.startedAt)} · finished {when(n.finishedAt)}
            </p>
            {n.error && (
              <p className="error-text wrap">
                <strong>{n.error.code}</strong>: {n.error.message}
              </p>
            )}
            {n.attempts.length > 0 && (
              <div className="table-wrap">
                <table>
                  <caption className="muted small">Attempts</caption>
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Status</th>
                      <th scope="col">Duration</th>
                      <th scope="col">Error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {n.attempts.map((a) => (
                      <tr key={a.attempt}>
                        <td>{a.attempt}</td>
                        <td>
                          <StatusBadge status={a.status} />
                        </td>
                        <td>{duration(a.startedAt, a.finishedAt)}</td>
                        <td className="wrap">{a.error ? `${a.error.code}: ${a.error.message}` : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {text && <LiveTextView text={text} />}
            <div className="io">
              <JsonBlock label="Inputs" value={n.inputs} />
              <JsonBlock label="Outputs" value={n.outputs} />
            </div>
          </div>
        )}
      </details>
    </li>
  );
}

/** LLM text as it streams in (plain text, wrapped). */
export function LiveTextView({ text }: { text: LiveText }) {
  return (
    <div className="live-text" aria-live="polite" data-live-text={text.key}>
      <div className="muted small">
        Streamed text of {text.key}
        {text.attempt > 1 ? ` (attempt ${text.attempt})` : ''}
      </div>
      <pre>{text.text}</pre>
    </div>
  );
}
