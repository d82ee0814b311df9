/** The open approvals of one run, each with its form: shown on the run page. */
export function RunApprovals(_props: { runId: string }) {
  return null;
}
