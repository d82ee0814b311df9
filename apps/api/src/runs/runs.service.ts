import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { Prisma, type PrismaClient, type Run } from '@weft/activities';
import {
  ConflictError,
  InvalidRunInputsError,
  NotFoundError,
  RUN_WORKFLOW_TYPE,
  SEARCH_ATTRIBUTES,
  isTerminal,
  temporalWorkflowIdFor,
  validateRunInputs,
  type Graph,
  type RunStatus,
  type RunWorkflowInput,
} from '@weft/domain';
import { newId } from '../auth/api-keys';
import { assertValidGraph, type WorkflowsService } from '../workflows/workflows.service';
import { findIdempotentRun, idempotencyFingerprint } from './idempotency';
import { resolveSubgraphs } from './subgraphs';

const TENANT_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.tenantId, SearchAttributeType.KEYWORD);
const WORKFLOW_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.workflowId, SearchAttributeType.KEYWORD);

/** How a closed Temporal execution maps to a run status when the workflow could not record it. */
const CLOSED_STATUS: Record<string, RunStatus> = {
  FAILED: 'failed',
  TERMINATED: 'failed',
  CANCELLED: 'cancelled',
  TIMED_OUT: 'timed-out',
};

export interface StartRunRequest {
  inputs: Record<string, unknown>;
  version?: number | 'draft';
  mode: 'async' | 'blocking';
  timeoutMs?: number;
  idempotencyKey?: string;
}

export interface RunsConfig {
  taskQueue: string;
  blockingTimeoutMs: number;
}

export class RunsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    private readonly workflows: WorkflowsService,
    private readonly config: RunsConfig,
  ) {}

  /** Starts a run, or returns the first run for a repeated Idempotency-Key (`replayed: true`). */
  async start(tenantId: string, workflowId: string, req: StartRunRequest): Promise<{ run: Run; replayed: boolean }> {
    const existing = await findIdempotentRun(this.prisma, tenantId, workflowId, req);
    if (existing) return { run: existing, replayed: true };
    const workflow = await this.workflows.get(tenantId, workflowId);
    const { graph, version } = await this.pickGraph(tenantId, workflow, req.version);
    const { values, issues } = validateRunInputs(graph.inputs, req.inputs);
    if (issues.length) throw new InvalidRunInputsError(issues);
    const subgraphs = await resolveSubgraphs(this.workflows, tenantId, graph);

    const runId = newId('run');
    const temporalWorkflowId = temporalWorkflowIdFor(runId);
    let run: Run;
    try {
      run = await this.prisma.run.create({
        data: {
          id: runId,
          tenantId,
          workflowId,
          version,
          status: 'queued',
          inputs: values as Prisma.InputJsonValue,
          idempotencyKey: req.idempotencyKey ?? null,
          idempotencyFingerprint: req.idempotencyKey ? idempotencyFingerprint(workflowId, req) : null,
          temporalWorkflowId,
        },
      });
    } catch (err) {
      // A concurrent request with the same Idempotency-Key won the insert: answer with its run.
      if (req.idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const first = await findIdempotentRun(this.prisma, tenantId, workflowId, req);
        if (first) return { run: first, replayed: true };
      }
      throw err;
    }

    const input: RunWorkflowInput = { runId, tenantId, workflowId, version, graph, inputs: values, requestedAt: run.createdAt.toISOString(), subgraphs };
    try {
      const handle = await this.temporal.workflow.start(RUN_WORKFLOW_TYPE, {
        taskQueue: this.config.taskQueue,
        workflowId: temporalWorkflowId,
        args: [input],
        typedSearchAttributes: [
          { key: TENANT_KEY, value: tenantId },
          { key: WORKFLOW_KEY, value: workflowId },
        ],
      });
      run = await this.prisma.run.update({ where: { id: runId }, data: { temporalRunId: handle.firstExecutionRunId } });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        // The run never started: remove its record so a retry (same Idempotency-Key) can start it.
        await this.prisma.run.delete({ where: { id: runId } }).catch(() => undefined);
        throw err;
      }
    }

    if (req.mode === 'blocking') run = await this.waitForEnd(run, req.timeoutMs ?? this.config.blockingTimeoutMs);
    return { run, replayed: false };
  }

  private async pickGraph(tenantId: string, workflow: { id: string; draft: unknown; latestVersion: number | null }, wanted?: number | 'draft') {
    if (wanted === 'draft') return { graph: assertValidGraph(workflow.draft), version: null };
    const number = wanted ?? workflow.latestVersion;
    if (number === null || number === undefined) {
      throw new ConflictError('workflow_not_published', `Workflow '${workflow.id}' has no published version; publish it or run { "version": "draft" }`);
    }
    const found = await this.workflows.getVersion(tenantId, workflow.id, number);
    return { graph: found.graph as unknown as Graph, version: number };
  }

  /**
   * Waits up to `timeoutMs` for the run to end; the workflow records its end before completing.
   * The long poll is aborted at the deadline so no call outlives the request.
   */
  private async waitForEnd(run: Run, timeoutMs: number): Promise<Run> {
    const handle = this.temporal.workflow.getHandle(run.temporalWorkflowId);
    await this.temporal
      .withAbortSignal(AbortSignal.timeout(timeoutMs), () => handle.result())
      .catch(() => undefined); // ended badly, or still running at the deadline: the record says which
    return this.get(run.tenantId, run.id);
  }

  async get(tenantId: string, id: string): Promise<Run> {
    const run = await this.prisma.run.findFirst({ where: { id, tenantId } });
    if (!run) throw new NotFoundError('run', id);
    return isTerminal(run.status as RunStatus) ? run : this.reconcile(run);
  }

  /**
   * A workflow that was terminated, or failed outside the interpreter, cannot record its own end;
   * Temporal's view of the execution is then the truth.
   */
  private async reconcile(run: Run): Promise<Run> {
    if (!run.temporalRunId) return run;
    let description;
    try {
      description = await this.temporal.workflow.getHandle(run.temporalWorkflowId).describe();
    } catch {
      return run;
    }
    const status = CLOSED_STATUS[description.status.name];
    if (!status) return run;
    const error = { code: `run_${status.replace('-', '_')}`, message: `The Temporal execution ended as ${description.status.name}` };
    await this.prisma.run.updateMany({
      where: { id: run.id, status: { in: ['queued', 'running', 'paused', 'waiting'] } },
      data: { status, error, finishedAt: description.closeTime ?? new Date() },
    });
    return (await this.prisma.run.findFirst({ where: { id: run.id } })) ?? run;
  }

  async list(
    tenantId: string,
    window: { skip: number; take: number; orderBy: { createdAt: 'asc' | 'desc' } },
    filter: { workflowId?: string; status?: string; createdAfter?: string; createdBefore?: string },
  ) {
    const where: Prisma.RunWhereInput = {
      tenantId,
      ...(filter.workflowId ? { workflowId: filter.workflowId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.createdAfter || filter.createdBefore
        ? {
            createdAt: {
              ...(filter.createdAfter ? { gt: new Date(filter.createdAfter) } : {}),
              ...(filter.createdBefore ? { lt: new Date(filter.createdBefore) } : {}),
            },
          }
        : {}),
    };
    const [items, total] = await this.prisma.$transaction([
      this.prisma.run.findMany({ where, skip: window.skip, take: window.take, orderBy: [window.orderBy, { id: 'asc' }] }),
      this.prisma.run.count({ where }),
    ]);
    return { items, total };
  }
}
