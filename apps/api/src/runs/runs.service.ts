import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { Prisma, type PrismaClient, type Run, type RunReconciler } from '@weft/activities';
import {
  ConflictError,
  InvalidRunInputsError,
  NotFoundError,
  ValidationFailedError,
  measureValue,
  isTerminal,
  stampNodeVersions,
  temporalWorkflowIdFor,
  validateRunInputs,
  type RunLimits,
  type RunStatus,
  type RunWorkflowInput,
} from '@weft/domain';
import { newId } from '../auth/api-keys';
import type { WorkflowsService } from '../workflows/workflows.service';
import { findIdempotentRun, idempotencyFingerprint } from './idempotency';
import { resolveSubgraphs } from './subgraphs';
import { startRunWorkflow } from './start-run-workflow';
import type { RunEndWaiter } from './run-end-waiter';
import type { QuotasService } from '../quotas/quotas.service';


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
  /** the deterministic limits every run started now goes by */
  limits: RunLimits;
  /** aborted when the process drains (SIGTERM): blocking requests stop waiting and answer 202 with Location */
  stopWaiting?: AbortSignal;
  /** the workspace's run quotas, checked with the run's insert (quotas/quotas.service.ts); none: no quotas */
  quotas?: Pick<QuotasService, 'admitRun'>;
}

/** A child run as its parent's read lists it. */
export interface ChildRunSummary {
  id: string;
  workflowId: string;
  version: number | null;
  status: string;
  nodeId: string | null;
  nodeKey: string | null;
  iterationIndex: number | null;
  loopIndex: number | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** How long a blocking start waits on the run's event stream alone before it also asks Temporal for the result. */
export const RESULT_POLL_DELAY_MS = 1_000;

/** Children listed inline in a run's read; the rest through GET /v1/runs?parentRunId=. */
export const CHILDREN_INLINE = 100;

export class RunsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    private readonly workflows: WorkflowsService,
    private readonly config: RunsConfig,
    private readonly reconciler: RunReconciler,
    /** learns of a run's end from its event stream, before Temporal's result arrives (none: Temporal's result alone) */
    private readonly ends?: RunEndWaiter,
  ) {}

  /**
   * Starts a run, or returns the first run for a repeated Idempotency-Key (`replayed: true`).
   * `childless`: the run's graph has no sub-workflow node, so it can have no child runs.
   */
  async start(tenantId: string, workflowId: string, req: StartRunRequest): Promise<{ run: Run; replayed: boolean; childless: boolean }> {
    const existing = await findIdempotentRun(this.prisma, tenantId, workflowId, req);
    if (existing) return { run: existing, replayed: true, childless: false };
    const workflow = await this.workflows.forRun(tenantId, workflowId, req.version === 'draft');
    const { graph, version } = await this.pickGraph(tenantId, workflow, req.version);
    const { values, issues } = validateRunInputs(graph.inputs, req.inputs);
    if (issues.length) throw new InvalidRunInputsError(issues);
    // Inputs enter workflow state as the start node's outputs: the same bounds as any node's outputs.
    const { maxValueBytes, maxValueDepth } = this.config.limits;
    const size = measureValue(values, { maxDepth: maxValueDepth, maxBytes: maxValueBytes });
    if (size.problem) {
      const message = size.problem.code === 'value_too_deep' ? `Run inputs may nest at most ${maxValueDepth} levels` : `Run inputs may be at most ${maxValueBytes} bytes of JSON`;
      throw new ValidationFailedError('run_inputs_too_large', message, [{ code: size.problem.code, message: size.problem.message, path: size.problem.path }]);
    }
    const { graphs: subgraphs, versions: subgraphVersions } = await resolveSubgraphs(this.workflows, tenantId, graph);

    const runId = newId('run');
    const temporalWorkflowId = temporalWorkflowIdFor(runId);
    let run: Run;
    try {
      // Within the run quotas, or refused (429 quota_exceeded) before anything is created; a
      // repeated Idempotency-Key answers its first run, found again under the quota lock.
      const admitted = await admitRun(this.prisma, this.config.quotas, tenantId, async (db, check): Promise<{ first?: Run; created?: Run }> => {
        const first = await findIdempotentRun(db, tenantId, workflowId, req);
        if (first) return { first };
        await check();
        const created = await db.run.create({
          data: {
            id: runId,
            tenantId,
            workflowId,
            version,
            status: 'queued',
            inputs: values as Prisma.InputJsonValue,
            // A run of the draft keeps the graph it ran, so that it can be rerun (the draft moves on).
            ...(version === null ? { graph: graph as unknown as Prisma.InputJsonValue } : {}),
            idempotencyKey: req.idempotencyKey ?? null,
            idempotencyFingerprint: req.idempotencyKey ? idempotencyFingerprint(workflowId, req) : null,
            temporalWorkflowId,
          },
        });
        return { created };
      });
      if (admitted.first) return { run: admitted.first, replayed: true, childless: false };
      run = admitted.created!;
    } catch (err) {
      // A concurrent request with the same Idempotency-Key won the insert: answer with its run.
      if (req.idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const first = await findIdempotentRun(this.prisma, tenantId, workflowId, req);
        if (first) return { run: first, replayed: true, childless: false };
      }
      throw err;
    }

    const input: RunWorkflowInput = {
      runId,
      tenantId,
      workflowId,
      version,
      graph,
      inputs: values,
      requestedAt: run.createdAt.toISOString(),
      subgraphs,
      subgraphVersions,
      limits: this.config.limits,
      startWithEnd: true,
    };
    let recorded: Promise<Run> | undefined;
    try {
      const temporalRunId = await startRunWorkflow(this.temporal, this.config.taskQueue, temporalWorkflowId, input);
      // The workflow writes the same id when it starts: a blocking request need not wait for this write.
      recorded = this.prisma.run.update({ where: { id: runId }, data: { temporalRunId } });
      if (req.mode !== 'blocking') run = await recorded;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        // The run never started: remove its record so a retry (same Idempotency-Key) can start it.
        await this.prisma.run.delete({ where: { id: runId } }).catch(() => undefined);
        throw err;
      }
    }

    const childless = !Object.keys(subgraphs).length;
    if (req.mode === 'blocking') run = await this.waitForEnd(run, req.timeoutMs ?? this.config.blockingTimeoutMs, recorded);
    return { run, replayed: false, childless };
  }

  private async pickGraph(tenantId: string, workflow: { id: string; draft?: unknown; latestVersion: number | null }, wanted?: number | 'draft') {
    if (wanted === 'draft') return { graph: stampNodeVersions(this.workflows.assertValid(workflow.draft)), version: null };
    const number = wanted ?? workflow.latestVersion;
    if (number === null || number === undefined) {
      throw new ConflictError('workflow_not_published', `Workflow '${workflow.id}' has no published version; publish it or run { "version": "draft" }`);
    }
    return { graph: await this.workflows.publishedGraph(tenantId, workflow.id, number), version: number };
  }

  /**
   * Waits up to `timeoutMs` for the run to end; the workflow records its end before completing.
   * The long poll is aborted at the deadline, or when the process drains, so no call outlives the request.
   */
  private async waitForEnd(run: Run, timeoutMs: number, recorded?: Promise<Run>): Promise<Run> {
    const handle = this.temporal.workflow.getHandle(run.temporalWorkflowId);
    // Whichever comes first: run.finished on the event stream (the end is recorded), or Temporal's
    // result (also for runs that end without recording it). The other wait is then called off.
    // With the event stream, Temporal is asked only once the run has taken RESULT_POLL_DELAY_MS:
    // most blocking runs end before, and their long poll would cost Temporal and this process a
    // history read (and a decryption) each for an answer the stream gave already.
    const settled = new AbortController();
    const signal = AbortSignal.any([settled.signal, AbortSignal.timeout(timeoutMs), ...(this.config.stopWaiting ? [this.config.stopWaiting] : [])]);
    const temporalResult = () => this.temporal.withAbortSignal(signal, () => handle.result()).catch(() => undefined); // ended badly, or still running at the deadline: the record says which
    const ended = this.ends
      ? Promise.race([
          this.ends.finished(run.id, signal),
          delay(RESULT_POLL_DELAY_MS, undefined, { signal }).then(temporalResult, () => undefined),
        ])
      : temporalResult();
    try {
      // The start's own write (the Temporal run id) lands while the run runs, and before the record is read.
      await Promise.all([ended, recorded]);
    } finally {
      settled.abort();
    }
    return this.get(run.tenantId, run.id);
  }

  async get(tenantId: string, id: string): Promise<Run> {
    const run = await this.prisma.run.findFirst({ where: { id, tenantId } });
    if (!run) throw new NotFoundError('run', id);
    if (isTerminal(run.status as RunStatus)) return run;
    // A workflow that was terminated, or could not write its end, cannot record it: Temporal's view
    // of the execution is then the truth. Temporal being away leaves the record as it is.
    return this.reconciler.reconcile(run).catch(() => run);
  }

  /** The first children of a run (sub-workflow nodes' runs) and how many there are. */
  async children(tenantId: string, runId: string): Promise<{ items: ChildRunSummary[]; total: number }> {
    const where = { tenantId, parentRunId: runId };
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.run.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: CHILDREN_INLINE }),
      this.prisma.run.count({ where }),
    ]);
    const items = rows.map((r) => ({
      id: r.id,
      workflowId: r.workflowId,
      version: r.version,
      status: r.status,
      nodeId: r.parentNodeId,
      nodeKey: r.parentNodeKey,
      iterationIndex: r.parentIterationIndex,
      loopIndex: r.parentLoopIndex,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
    }));
    return { items, total };
  }

  /** Token usage of each run with all its descendants' (child runs, their children, ...). */
  async usage(tenantId: string, runIds: string[]): Promise<Map<string, { inputTokens: number; outputTokens: number }>> {
    if (!runIds.length) return new Map();
    const rows = await this.prisma.$queryRaw<{ root: string; input: number; output: number }[]>`
      WITH RECURSIVE tree AS (
        SELECT id AS root, id, input_tokens, output_tokens FROM runs WHERE id = ANY(${runIds}::text[]) AND tenant_id = ${tenantId}
        UNION ALL
        SELECT tree.root, r.id, r.input_tokens, r.output_tokens FROM runs r JOIN tree ON r.parent_run_id = tree.id
      )
      SELECT root, SUM(input_tokens)::int AS input, SUM(output_tokens)::int AS output FROM tree GROUP BY root`;
    return new Map(rows.map((r) => [r.root, { inputTokens: r.input, outputTokens: r.output }]));
  }

  async list(
    tenantId: string,
    window: { skip: number; take: number; orderBy: { createdAt: 'asc' | 'desc' } },
    filter: { workflowId?: string; status?: string; createdAfter?: string; createdBefore?: string; parentRunId?: string; originRunId?: string },
  ) {
    const where: Prisma.RunWhereInput = {
      tenantId,
      ...(filter.workflowId ? { workflowId: filter.workflowId } : {}),
      ...(filter.parentRunId ? { parentRunId: filter.parentRunId } : {}),
      ...(filter.originRunId ? { originRunId: filter.originRunId } : {}),
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

type Db = PrismaClient | Prisma.TransactionClient;

/** `work` under the workspace's run quotas when there are any (quotas.admitRun), else straight on the client. */
export function admitRun<T>(prisma: PrismaClient, quotas: RunsConfig['quotas'], tenantId: string, work: (db: Db, check: () => Promise<void>) => Promise<T>): Promise<T> {
  return quotas ? quotas.admitRun(tenantId, work) : work(prisma, async () => undefined);
}
