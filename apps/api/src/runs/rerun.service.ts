import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { Prisma, type BlobStore, type PrismaClient, type Run } from '@weft/activities';
import {
  ConflictError,
  InvalidRunInputsError,
  ValidationFailedError,
  describe,
  isTerminal,
  measureValue,
  planRerun,
  temporalWorkflowIdFor,
  validateRunInputs,
  type Graph,
  type OriginRecord,
  type ReusedNode,
  type RunError,
  type RunStatus,
  type RunWorkflowInput,
} from '@weft/domain';
import { newId } from '../auth/api-keys';
import { PERMISSIONS } from '../auth/permissions';
import { ForbiddenError } from '../http/http.errors';
import type { WorkflowsService } from '../workflows/workflows.service';
import { canonicalJson } from './idempotency';
import { admitRun, type RunsConfig, type RunsService } from './runs.service';
import { resolveSubgraphs } from './subgraphs';
import { startRunWorkflow } from './start-run-workflow';


/** Reused outputs moved out of the input when it is too large keep values above 1 KiB as blobs. */
const OFFLOAD_INLINE_LIMIT = 8 * 1024;

export interface RerunRequest {
  fromNodeId: string;
  inputs?: Record<string, unknown>;
  idempotencyKey?: string;
  /** whether the caller may run the draft (a run of the draft reruns the draft's graph) */
  mayRunDraft: boolean;
}

/** sha256 of what makes two rerun requests the same: the origin, the node and the inputs as sent. */
function rerunFingerprint(originRunId: string, req: RerunRequest): string {
  return createHash('sha256').update(canonicalJson({ rerunOf: originRunId, fromNodeId: req.fromNodeId, inputs: req.inputs ?? null })).digest('hex');
}

/**
 * Reruns a finished run from one of its nodes (docs/adr/0008-rerun-from-a-node.md): a new run of
 * the same graph whose nodes before `fromNodeId` are taken over from the origin's records, listed
 * in its node list as `reused` (written here, with the run's record), their blobs copied to it,
 * and their outcome handed to the workflow as the seed of its state; the rest runs again.
 */
export class RerunService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    private readonly workflows: WorkflowsService,
    private readonly runs: RunsService,
    private readonly blobs: BlobStore,
    private readonly config: RunsConfig,
  ) {}

  async rerun(tenantId: string, originRunId: string, req: RerunRequest): Promise<{ run: Run; replayed: boolean }> {
    const fingerprint = rerunFingerprint(originRunId, req);
    const existing = await this.idempotent(tenantId, req.idempotencyKey, fingerprint);
    if (existing) return { run: existing, replayed: true };

    const origin = await this.runs.get(tenantId, originRunId);
    if (!isTerminal(origin.status as RunStatus)) {
      throw new ConflictError('run_state_conflict', describe('run_state_conflict', { status: origin.status, verb: 'rerun until it has ended' }), { status: origin.status });
    }
    if (origin.version === null && !req.mayRunDraft) throw new ForbiddenError(`Rerunning a run of the draft needs one of the roles: ${PERMISSIONS['action:run-draft'].roles.join(', ')}`);
    const graph = await this.graphOf(origin);
    const inputs = req.inputs === undefined ? (origin.inputs as Record<string, unknown>) : this.checkedInputs(graph, req.inputs);
    const rows = await this.prisma.nodeExecution.findMany({ where: { tenantId, runId: origin.id, iterationIndex: null, loopIndex: null }, orderBy: { seq: 'asc' } });
    const topLevel = rows.filter((r) => r.key === r.nodeId);
    const records: OriginRecord[] = topLevel.map((r) => ({
      nodeId: r.nodeId,
      status: r.status,
      outputs: r.outputs as Record<string, unknown> | null,
      error: r.error as RunError | null,
      handles: Array.isArray(r.handles) ? (r.handles as string[]) : null,
    }));
    const plan = planRerun({ graph, originRunId: origin.id, fromNodeId: req.fromNodeId, originInputs: origin.inputs as Record<string, unknown>, inputs, records });
    const { graphs: subgraphs, versions: subgraphVersions } = await resolveSubgraphs(this.workflows, tenantId, graph);

    const runId = newId('run');
    const temporalWorkflowId = temporalWorkflowIdFor(runId);
    let run: Run;
    try {
      // Within the run quotas, or refused (429 quota_exceeded) before anything is created (runs.service.ts).
      const admitted = await admitRun(this.prisma, this.config.quotas, tenantId, async (db, check): Promise<{ first?: Run; created?: Run }> => {
        const first = await this.idempotent(tenantId, req.idempotencyKey, fingerprint, db);
        if (first) return { first };
        await check();
        const created = await db.run.create({
          data: {
            id: runId,
            tenantId,
            workflowId: origin.workflowId,
            version: origin.version,
            status: 'queued',
            inputs: inputs as Prisma.InputJsonValue,
            ...(origin.version === null ? { graph: graph as unknown as Prisma.InputJsonValue } : {}),
            idempotencyKey: req.idempotencyKey ?? null,
            idempotencyFingerprint: req.idempotencyKey ? fingerprint : null,
            temporalWorkflowId,
            originRunId: origin.id,
            rerunFromNodeId: plan.fromNodeId,
          },
        });
        return { created };
      });
      if (admitted.first) return { run: admitted.first, replayed: true };
      run = admitted.created!;
    } catch (err) {
      // A concurrent request with the same Idempotency-Key won the insert: answer with its run.
      if (req.idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const first = await this.idempotent(tenantId, req.idempotencyKey, fingerprint);
        if (first) return { run: first, replayed: true };
      }
      throw err;
    }

    try {
      const reused = await this.takeOver(tenantId, origin.id, runId, plan.reused, topLevel);
      const input: RunWorkflowInput = {
        runId,
        tenantId,
        workflowId: origin.workflowId,
        version: origin.version,
        graph,
        inputs,
        requestedAt: run.createdAt.toISOString(),
        subgraphs,
        subgraphVersions,
        limits: this.config.limits,
        rerun: { originRunId: origin.id, fromNodeId: plan.fromNodeId, reused },
        startWithEnd: true,
      };
      await this.fitInput(input, reused, plan.fromNodeId);
      const temporalRunId = await startRunWorkflow(this.temporal, this.config.taskQueue, temporalWorkflowId, input);
      run = await this.prisma.run.update({ where: { id: runId }, data: { temporalRunId } });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        // The run never started: remove its record (its node records and blobs go with it).
        await this.prisma.run.delete({ where: { id: runId } }).catch(() => undefined);
        throw err;
      }
    }
    return { run, replayed: false };
  }

  /** The run an Idempotency-Key was first used for when this is the same request; 422 when it was another. */
  private async idempotent(tenantId: string, key: string | undefined, fingerprint: string, db: PrismaClient | Prisma.TransactionClient = this.prisma): Promise<Run | undefined> {
    if (!key) return undefined;
    const run = await db.run.findUnique({ where: { tenantId_idempotencyKey: { tenantId, idempotencyKey: key } } });
    if (!run) return undefined;
    if (run.idempotencyFingerprint !== null && run.idempotencyFingerprint !== fingerprint) {
      const message = 'This Idempotency-Key was already used for a different request (another run, node or inputs); use a new key';
      throw new ValidationFailedError('idempotency_key_reused', message, [{ code: 'idempotency_key_reused', message, path: ['headers', 'idempotency-key'] }]);
    }
    return run;
  }

  /** The graph the origin ran: its published version's, or the draft's as it was kept with the run. */
  private async graphOf(origin: Run): Promise<Graph> {
    if (origin.version !== null) return (await this.workflows.getVersion(origin.tenantId, origin.workflowId, origin.version)).graph as unknown as Graph;
    if (origin.graph !== null) return origin.graph as unknown as Graph;
    const reason = 'the graph this run of the draft ran was not kept (it started before reruns existed); start a new run of the draft';
    throw new ValidationFailedError('rerun_not_possible', describe('rerun_not_possible', { nodeId: 'any node', reason }), [{ code: 'rerun_not_possible', message: reason }]);
  }

  /** New inputs, checked as a start checks them: declared, typed, defaults filled, bounded. */
  private checkedInputs(graph: Graph, given: Record<string, unknown>): Record<string, unknown> {
    const { values, issues } = validateRunInputs(graph.inputs, given);
    if (issues.length) throw new InvalidRunInputsError(issues);
    const { maxValueBytes, maxValueDepth } = this.config.limits;
    const size = measureValue(values, { maxDepth: maxValueDepth, maxBytes: maxValueBytes });
    if (size.problem) {
      const message = size.problem.code === 'value_too_deep' ? `Run inputs may nest at most ${maxValueDepth} levels` : `Run inputs may be at most ${maxValueBytes} bytes of JSON`;
      throw new ValidationFailedError('run_inputs_too_large', message, [{ code: size.problem.code, message: size.problem.message, path: size.problem.path }]);
    }
    return values;
  }

  /**
   * Makes the reused nodes the new run's: their blobs copied to it (references re-signed), and
   * their records written as its first ones (`reused`, or `skipped`), before anything it runs
   * (negative seq: the workflow numbers its own records from 1). Returns the seed with the copies.
   */
  private async takeOver(tenantId: string, originRunId: string, runId: string, plan: ReusedNode[], rows: { nodeId: string; type: string; inputs: Prisma.JsonValue; error: Prisma.JsonValue; startedAt: Date | null; finishedAt: Date | null }[]): Promise<ReusedNode[]> {
    const byId = new Map(rows.map((r) => [r.nodeId, r]));
    const [outputs, recordInputs] = await Promise.all([
      this.blobs.copyRefs(tenantId, plan.map((n) => n.outputs), { from: originRunId, to: runId }),
      this.blobs.copyRefs(tenantId, plan.map((n) => byId.get(n.nodeId)!.inputs), { from: originRunId, to: runId }),
    ]);
    const seed = plan.map((n, i) => ({ ...n, ...(outputs[i] !== undefined ? { outputs: outputs[i] } : {}) }));
    const json = (v: unknown) => (v === null || v === undefined ? Prisma.DbNull : (v as Prisma.InputJsonValue));
    await this.prisma.nodeExecution.createMany({
      data: seed.map((n, i) => {
        const row = byId.get(n.nodeId)!;
        return {
          id: `${runId}:${n.nodeId}`,
          tenantId,
          runId,
          key: n.nodeId,
          seq: i - seed.length,
          nodeId: n.nodeId,
          type: row.type,
          status: n.outcome === 'skipped' ? 'skipped' : 'reused',
          inputs: json(recordInputs[i]),
          outputs: json(n.outputs),
          error: json(row.error),
          handles: json(n.handles),
          startedAt: row.startedAt,
          finishedAt: row.finishedAt,
        };
      }),
    });
    return seed;
  }

  /**
   * Keeps the workflow input within what Temporal takes (WEFT_MAX_PAYLOAD_BYTES): the largest
   * reused outputs become blobs of the new run until it fits (the interpreter loads a blob where a
   * pure node reads it, and activities read them themselves), else the rerun is refused.
   */
  private async fitInput(input: RunWorkflowInput, seed: ReusedNode[], fromNodeId: string): Promise<void> {
    const max = this.config.limits.maxPayloadBytes;
    const bytes = (v: unknown) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));
    let total = bytes(input);
    if (total <= max) return;
    const largest = seed.filter((n) => n.outputs).sort((a, b) => bytes(b.outputs) - bytes(a.outputs));
    for (const node of largest) {
      if (total <= max) return;
      const before = bytes(node.outputs);
      node.outputs = await this.blobs.offload(input.tenantId, input.runId, node.outputs!, OFFLOAD_INLINE_LIMIT);
      total += bytes(node.outputs) - before;
    }
    if (total <= max) return;
    const reason = `the graph and what the rerun carries are larger than ${max} bytes (WEFT_MAX_PAYLOAD_BYTES)`;
    throw new ValidationFailedError('rerun_not_possible', describe('rerun_not_possible', { nodeId: `'${fromNodeId}'`, reason }), [{ code: 'rerun_not_possible', message: reason }]);
  }
}
