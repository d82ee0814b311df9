/** A run, node, job or document status as a coloured word (colour is never the only signal). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status}</span>;
}
