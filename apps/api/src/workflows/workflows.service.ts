import { Prisma, llmNodeDataIssues, type PrismaClient } from '@weft/activities';
import {
  ConflictError,
  InvalidGraphError,
  NotFoundError,
  stampNodeVersions,
  validateGraph,
  type Graph,
  type GraphLimits,
  type GraphValidationOptions,
} from '@weft/domain';
import { newId } from '../auth/api-keys';
import { PublishedGraphs } from './published-graphs';
import type { AuditContext, AuditLog } from '../audit/audit-log';
import { graphSummary } from '../audit/audit-summaries';

export function assertValidGraph(input: unknown, options: GraphValidationOptions = {}): Graph {
  const result = validateGraph(input, { checkNodeData: llmNodeDataIssues, ...options });
  if (!result.ok) throw new InvalidGraphError(result.issues);
  return result.graph;
}

/** How this deployment validates graphs: its size caps, and its clock (a wait's `until` is bounded from now). */
export interface GraphValidationSettings {
  limits: GraphLimits;
  now: () => Date;
}

/**
 * Prisma passes `contains` to ILIKE as it is: `%` and `_` would be wildcards and `\` an escape.
 * Escaped, a name filter matches the text it says.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** Workflow definitions and their immutable published versions, always within one tenant. */
export class WorkflowsService {
  private readonly graphs = new PublishedGraphs();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly validation: GraphValidationSettings,
    /** every change is recorded here, in its transaction (a graph as its summary: audit-summaries.ts) */
    private readonly audit: AuditLog,
  ) {}

  private async record(db: Prisma.TransactionClient, by: AuditContext, entry: { action: string; objectType: string; objectId: string; before?: Prisma.InputJsonValue; after: Prisma.InputJsonValue }) {
    await this.audit.record({ ...by, ...entry }, db);
  }

  /** Validates a graph with this deployment's caps and clock: 422 with every issue, or the parsed graph. */
  assertValid(input: unknown): Graph {
    return assertValidGraph(input, { limits: this.validation.limits, now: this.validation.now() });
  }

  async create(tenantId: string, body: { name: string; description?: string; graph: unknown }, by: AuditContext) {
    const graph = this.assertValid(body.graph);
    return this.prisma.$transaction(async (tx) => {
      const wf = await tx.workflow.create({
        data: { id: newId('wf'), tenantId, name: body.name, description: body.description ?? null, draft: graph as Prisma.InputJsonValue },
      });
      await this.record(tx, by, { action: 'workflow.create', objectType: 'workflow', objectId: wf.id, after: { name: wf.name, draft: graphSummary(wf.draft) } });
      return wf;
    });
  }

  async get(tenantId: string, id: string) {
    const workflow = await this.prisma.workflow.findFirst({ where: { id, tenantId } });
    if (!workflow) throw new NotFoundError('workflow', id);
    return workflow;
  }

  /** The workflow a run is about to start, its draft read only for a run of the draft. */
  async forRun(tenantId: string, id: string, draft: boolean): Promise<{ id: string; latestVersion: number | null; draft?: unknown }> {
    const workflow = await this.prisma.workflow.findFirst({ where: { id, tenantId }, select: { id: true, latestVersion: true, draft } });
    if (!workflow) throw new NotFoundError('workflow', id);
    return workflow;
  }

  async list(tenantId: string, window: { skip: number; take: number; orderBy: { createdAt: 'asc' | 'desc' } }, name?: string) {
    const where: Prisma.WorkflowWhereInput = { tenantId, ...(name ? { name: { contains: escapeLike(name), mode: 'insensitive' } } : {}) };
    const [items, total] = await this.prisma.$transaction([
      this.prisma.workflow.findMany({ where, ...window, orderBy: [window.orderBy, { id: 'asc' }] }),
      this.prisma.workflow.count({ where }),
    ]);
    return { items, total };
  }

  async replaceDraft(tenantId: string, id: string, graphInput: unknown, by: AuditContext) {
    const before = await this.get(tenantId, id);
    const graph = this.assertValid(graphInput);
    return this.prisma.$transaction(async (tx) => {
      const wf = await tx.workflow.update({ where: { id }, data: { draft: graph as Prisma.InputJsonValue } });
      await this.record(tx, by, {
        action: 'workflow.update_draft',
        objectType: 'workflow',
        objectId: id,
        before: { name: before.name, draft: graphSummary(before.draft) },
        after: { name: wf.name, draft: graphSummary(wf.draft) },
      });
      return wf;
    });
  }

  /** Freezes the draft as the next version. Concurrent publishes get distinct numbers or a 409. */
  async publish(tenantId: string, id: string, by: AuditContext) {
    const workflow = await this.get(tenantId, id);
    // The version records which version of each node type it was validated with.
    const graph = stampNodeVersions(this.assertValid(workflow.draft));
    const version = (workflow.latestVersion ?? 0) + 1;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const bumped = await tx.workflow.updateMany({
          where: { id, tenantId, latestVersion: workflow.latestVersion },
          data: { latestVersion: version },
        });
        if (bumped.count !== 1) throw new ConflictError('workflow_publish_conflict', 'Another publish of this workflow happened at the same time; retry');
        const created = await tx.workflowVersion.create({
          data: { id: newId('wfv'), tenantId, workflowId: id, version, graph: graph as Prisma.InputJsonValue },
        });
        await this.record(tx, by, {
          action: 'workflow.publish',
          objectType: 'workflow_version',
          objectId: created.id,
          before: { workflowId: id, latestVersion: workflow.latestVersion },
          after: { workflowId: id, name: workflow.name, version, graph: graphSummary(created.graph) },
        });
        return created;
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new ConflictError('workflow_publish_conflict', 'Another publish of this workflow happened at the same time; retry');
      }
      throw err;
    }
  }

  async listVersions(tenantId: string, id: string, window: { skip: number; take: number; orderBy: { createdAt: 'asc' | 'desc' } }) {
    await this.get(tenantId, id);
    const where = { tenantId, workflowId: id };
    const order = window.orderBy.createdAt;
    const [items, total] = await this.prisma.$transaction([
      this.prisma.workflowVersion.findMany({ where, skip: window.skip, take: window.take, orderBy: { version: order } }),
      this.prisma.workflowVersion.count({ where }),
    ]);
    return { items, total };
  }

  /**
   * A published version's graph for a run about to start, from this process's cache of them
   * (published-graphs.ts). Ask only once the workflow itself was found in the workspace.
   */
  publishedGraph(tenantId: string, id: string, version: number): Promise<Graph> {
    return this.graphs.get(tenantId, id, version, async () => (await this.getVersion(tenantId, id, version)).graph as unknown as Graph);
  }

  async getVersion(tenantId: string, id: string, version: number) {
    const found = await this.prisma.workflowVersion.findFirst({ where: { tenantId, workflowId: id, version } });
    if (!found) throw new NotFoundError('workflow_version', `${id}@${version}`);
    return found;
  }
}
