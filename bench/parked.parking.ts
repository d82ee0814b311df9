/**
 * Where the benchmark's runs park and how they are woken: at an approval, decided through the API
 * (or the decide Update itself), or at a 30-minute wait, cancelled through Temporal (the wake-up
 * then replays the run's history the same way).
 */
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '@weft/activities';
import { DECIDE_APPROVAL_UPDATE, temporalWorkflowIdFor, type ApprovalDecisionRequest, type Graph } from '@weft/domain';
import type { apiClient } from './bench-processes';

export type ParkingKind = 'approval' | 'wait';

export function parkingKind(): ParkingKind {
  const kind = process.env.BENCH_PARK ?? 'approval';
  if (kind !== 'approval' && kind !== 'wait') throw new Error(`BENCH_PARK must be approval or wait, not ${kind}`);
  return kind;
}

/** start → a template → the parking node → end: a short history, like most parked runs'. */
export function parkedGraph(kind: ParkingKind): Graph {
  const park =
    kind === 'wait'
      ? { id: 'park', type: 'wait', data: { duration: '30m' } }
      : { id: 'park', type: 'approval', data: { prompt: 'Ship item {{ start.n }}?', timeout: '1d' } };
  return {
    dsl: 'weft/v1',
    inputs: { n: { type: 'number', default: 0 } },
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'say', type: 'template', data: { template: 'item {{ start.n }}' } },
      park,
      { id: 'end', type: 'end', data: { outputs: { text: '{{ say.text }}' } } },
    ],
    edges: [
      { source: 'start', target: 'say' },
      { source: 'say', target: 'park' },
      kind === 'wait' ? { source: 'park', target: 'end' } : { source: 'park', target: 'end', sourceHandle: 'approve' },
    ],
  };
}

export interface WakeDeps {
  api: ReturnType<typeof apiClient>;
  temporal: Client;
  prisma: PrismaClient;
}

/** How decisions reach the run: BENCH_DECIDE=api (POST /v1/approvals/:id, the default) or update (the Temporal Update itself). */
const DECIDE_THROUGH = process.env.BENCH_DECIDE ?? 'api';

/** The open approval of each run, looked up before the decisions are timed. */
export async function approvalIdsOf(kind: ParkingKind, prisma: PrismaClient, runIds: string[]): Promise<Map<string, string>> {
  if (kind === 'wait') return new Map();
  const rows = await prisma.approval.findMany({ where: { runId: { in: runIds }, status: 'pending' }, select: { id: true, runId: true } });
  return new Map(rows.map((r) => [r.runId, r.id]));
}

/** Approves (or cancels) one parked run; resolves once the decision is accepted and recorded. */
export async function wakeRun(kind: ParkingKind, deps: WakeDeps, runId: string, approvalId?: string): Promise<void> {
  const handle = deps.temporal.workflow.getHandle(temporalWorkflowIdFor(runId));
  if (kind === 'wait') {
    await handle.cancel();
    return;
  }
  const id = approvalId ?? (await approvalIdsOf(kind, deps.prisma, [runId])).get(runId);
  if (!id) throw new Error(`run ${runId} has no pending approval`);
  if (DECIDE_THROUGH === 'api') {
    await deps.api('POST', `/v1/approvals/${id}`, { action: 'approve' });
    return;
  }
  const request: ApprovalDecisionRequest = { approvalId: id, action: 'approve', actor: { kind: 'api-key', id: 'bench' } };
  await handle.executeUpdate(DECIDE_APPROVAL_UPDATE, { args: [request] });
}
