import { NotFoundError, ValidationFailedError, allNodes, subgraphKey, type Graph, type GraphNode } from '@weft/domain';
import type { WorkflowsService } from '../workflows/workflows.service';

const MAX_DEPTH = 10;

/** Every sub-workflow node of a graph, the inner graphs of containers included. */
function subWorkflowNodes(nodes: GraphNode[]): { workflowId: string; version?: number; nodeId: string }[] {
  const found: { workflowId: string; version?: number; nodeId: string }[] = [];
  for (const node of allNodes(nodes)) {
    const data = (node.data ?? {}) as { workflowId?: string; version?: number };
    if (node.type === 'sub-workflow' && typeof data.workflowId === 'string') found.push({ workflowId: data.workflowId, version: data.version, nodeId: node.id });
  }
  return found;
}

/**
 * The graph of the version a sub-workflow node names, or undefined when there is none. Only "not
 * there" is the tenant's problem (422); any other failure, a database outage above all, propagates
 * so that the client gets 503 rather than a wrong "not found".
 */
async function publishedGraph(
  workflows: WorkflowsService,
  tenantId: string,
  ref: { workflowId: string; version?: number },
): Promise<{ graph: Graph; version: number } | undefined> {
  try {
    const wf = await workflows.forRun(tenantId, ref.workflowId, false);
    const version = ref.version ?? wf.latestVersion;
    if (!version) return undefined;
    return { graph: await workflows.publishedGraph(tenantId, ref.workflowId, version), version };
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * Resolves, when a run starts, the graph of every workflow its sub-workflow nodes run (and theirs,
 * transitively), pinning "latest" to the version published now. The workflow never reads them
 * from the database, and a later publish never changes a running run.
 */
export async function resolveSubgraphs(
  workflows: WorkflowsService,
  tenantId: string,
  graph: Graph,
): Promise<{ graphs: Record<string, Graph>; versions: Record<string, number> }> {
  const resolved: Record<string, Graph> = {};
  const versions: Record<string, number> = {};
  const visit = async (g: Graph, chain: string[]) => {
    for (const ref of subWorkflowNodes(g.nodes)) {
      const key = subgraphKey(ref.workflowId, ref.version);
      if (chain.includes(key) || chain.length >= MAX_DEPTH) {
        throw new ValidationFailedError('sub_workflow_cycle', 'Sub-workflows call each other in a cycle (or nest too deep)', [
          { code: 'sub_workflow_cycle', message: [...chain, key].join(' → '), nodeId: ref.nodeId },
        ]);
      }
      if (resolved[key]) continue;
      const found = await publishedGraph(workflows, tenantId, ref);
      if (!found) {
        const message = `Node '${ref.nodeId}' runs workflow ${key}, which has no such published version`;
        throw new ValidationFailedError('sub_workflow_not_found', message, [{ code: 'sub_workflow_not_found', message, nodeId: ref.nodeId }]);
      }
      resolved[key] = found.graph;
      versions[key] = found.version;
      await visit(found.graph, [...chain, key]);
    }
  };
  await visit(graph, []);
  return { graphs: resolved, versions };
}
