import type { Issue } from '../../api/errors';

/** The validator's issues as a list: code, message, and the node (or edge, or path) each is about. */
export function IssueList({ issues, title = 'Problems in the graph' }: { issues: Issue[]; title?: string }) {
  if (!issues.length) return null;
  return (
    <section className="issue-list" role="alert" aria-label={title}>
      <strong>
        {title} ({issues.length})
      </strong>
      <ul>
        {issues.map((issue, i) => (
          <li key={i} data-issue-code={issue.code} data-issue-node={issue.nodeId ?? ''}>
            <code>{issue.code}</code> {issue.message}
            {where(issue) && <span className="muted small"> — {where(issue)}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function where(issue: Issue): string {
  const parts = [
    issue.nodeId ? `node ${issue.nodeId}` : '',
    issue.edgeId ? `edge ${issue.edgeId}` : '',
    issue.path !== undefined && issue.path.length > 0 ? `at ${Array.isArray(issue.path) ? issue.path.join('.') : issue.path}` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

/** The issues that name a node, as GraphView draws them on it: node id → messages. */
export function issuesByNode(issues: Issue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of issues) if (issue.nodeId) (out[issue.nodeId] ??= []).push(issue.message);
  return out;
}
