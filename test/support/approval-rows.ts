import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '@weft/activities';
import type { OpenedApproval } from '@weft/domain';
import { end, graph, start } from './graph-builder';
import { publishGraph, type ApiClient } from './harness';

/**
 * A run that has ended (its workflow closed) for approval rows to hang on: the routes' lookups and
 * the notice activity need a real run record, and a decision sent to it meets a closed workflow.
 */
export async function endedRun(api: ApiClient, prisma: PrismaClient) {
  const workflowId = await publishGraph(api, graph([start, end({ done: true })], [['start', 'end']]), 'approvals-host');
  const r = await api('POST', `/v1/workflows/${workflowId}/runs`, { mode: 'blocking', timeoutMs: 30_000 });
  if (r.status !== 200) throw new Error(`the run did not end: ${JSON.stringify(r.body)}`);
  const run = await prisma.run.findUniqueOrThrow({ where: { id: r.body.data.id } });
  return { runId: run.id, workflowId, tenantId: run.tenantId };
}

/** A run record with no workflow behind it (never started): enough for the notice activity. */
export async function runRecord(prisma: PrismaClient, tenantId: string) {
  const suffix = randomUUID().replace(/-/g, '');
  const workflow = await prisma.workflow.create({ data: { id: `wf_${suffix}`, tenantId, name: 'approvals-host', draft: {} } });
  const run = await prisma.run.create({
    data: { id: `run_${suffix}`, tenantId, workflowId: workflow.id, version: 1, status: 'waiting', inputs: {}, temporalWorkflowId: `weft-run_${suffix}` },
  });
  return { runId: run.id, workflowId: workflow.id, tenantId };
}

/** An approval as the workflow opens it, with defaults a test overrides. */
export function openedApproval(host: { runId: string; workflowId: string; tenantId: string }, over: Partial<OpenedApproval> = {}): OpenedApproval {
  const approvalId = over.approvalId ?? `apr_${randomUUID().replace(/-/g, '')}`;
  const nodeId = over.nodeId ?? 'review';
  return {
    approvalId,
    runId: host.runId,
    tenantId: host.tenantId,
    workflowId: host.workflowId,
    nodeId,
    // unique within the run, as the workflow's keys are (a test's approvals share one run)
    nodeKey: over.nodeKey ?? `${nodeId}${over.iterationIndex !== undefined ? `[${over.iterationIndex}]` : ''}#${approvalId.slice(-8)}`,
    prompt: 'Publish **the post**? <script>alert(1)</script>',
    fields: { reason: { type: 'text', required: true, label: 'Why' }, channel: { type: 'select', required: false, options: ['blog', 'news'] } },
    actions: [
      { id: 'approve', label: 'Approve' },
      { id: 'reject', label: 'Reject' },
    ],
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    ...over,
  };
}

/** Writes the row the way the workflow's openApproval activity does (plus a state a test wants). */
export async function insertApproval(prisma: PrismaClient, a: OpenedApproval, state: Partial<Prisma.ApprovalUncheckedCreateInput> = {}) {
  return prisma.approval.create({
    data: {
      id: a.approvalId,
      tenantId: a.tenantId,
      runId: a.runId,
      workflowId: a.workflowId,
      nodeId: a.nodeId,
      nodeKey: a.nodeKey,
      iterationIndex: a.iterationIndex ?? null,
      loopIndex: a.loopIndex ?? null,
      prompt: a.prompt,
      fields: a.fields as unknown as Prisma.InputJsonValue,
      actions: a.actions as unknown as Prisma.InputJsonValue,
      ...(a.allowedRoles ? { allowedRoles: a.allowedRoles } : {}),
      ...(a.notify ? { notify: a.notify as Prisma.InputJsonValue } : {}),
      status: 'pending',
      requestedAt: new Date(a.requestedAt),
      expiresAt: new Date(a.expiresAt),
      ...state,
    },
  });
}
