import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_RUN_LIMITS, TemplateLimitError, renderTemplate, type NodeActivities, type NodeActivityInput, type NodeActivityOutput } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import type { Logger } from '../observability/logger';
import { Prisma, type PrismaClient } from '../persistence/prisma-client';
import { saveNodeRecords } from '../runs/node-records.repository';
import type { BlobStore } from './blob-store';
import { renderDeferred } from './deferred-config';
import { scrub, scrubValue, type SecretsStore } from '../secrets/secrets.store';

/** What one effectful node type does, given its resolved config; throws NodeFailure when it fails. */
export type NodeExecutor = (input: NodeActivityInput, signal: AbortSignal) => Promise<Record<string, unknown>>;

export interface NodeExecutors {
  code?: NodeExecutor;
  httpRequest?: NodeExecutor;
  llm?: NodeExecutor;
  knowledgeRetrieval?: NodeExecutor;
}

export interface NodeActivityDeps {
  prisma: PrismaClient;
  blobs: BlobStore;
  secrets: SecretsStore;
  logger: Logger;
  executors: NodeExecutors;
}

/** Well inside the shortest heartbeat timeout the interpreter sets (min(node timeout, 30 s)). */
const HEARTBEAT_EVERY_MS = 2_000;

function asFailure(err: unknown): ApplicationFailure {
  if (err instanceof NodeFailure) return err.toApplicationFailure();
  if (err instanceof ApplicationFailure) return err;
  // Unknown errors retry under the node's policy: they are more often transient than not.
  return ApplicationFailure.create({ type: 'node_internal_error', message: err instanceof Error ? err.message : String(err) });
}

/**
 * Wraps each node executor as a Temporal activity: writes the pure-node records handed to it,
 * records this attempt (so every retry is listed without touching workflow history), moves
 * large outputs out of history, and turns failures into ApplicationFailures with stable types.
 */
export function createNodeActivities({ prisma, blobs, secrets, logger, executors }: NodeActivityDeps): NodeActivities {
  const wrap = (name: keyof NodeExecutors) => async (input: NodeActivityInput): Promise<NodeActivityOutput> => {
    const { runId, tenantId, node } = input;
    await saveNodeRecords(prisma, tenantId, runId, input.records ?? []);
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const attemptKey = { runId_nodeKey_attempt: { runId, nodeKey: node.key, attempt } };
    await prisma.nodeAttempt.upsert({
      where: attemptKey,
      create: { id: `att_${randomUUID().replace(/-/g, '')}`, tenantId, runId, nodeKey: node.key, attempt, status: 'running', startedAt: new Date() },
      update: { status: 'running', startedAt: new Date(), finishedAt: null, error: Prisma.DbNull },
    });
    let plaintexts: string[] = [];
    // Node activities run with a heartbeat timeout (a dead worker is noticed within it), and a
    // heartbeat is how a cancelled run reaches a running attempt (ctx.cancellationSignal).
    const heartbeat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
    const finish = (status: string, error?: { code: string; message: string }) =>
      prisma.nodeAttempt.update({ where: attemptKey, data: { status, finishedAt: new Date(), error: error ?? Prisma.DbNull } });
    try {
      const executor = executors[name];
      if (!executor) throw new NodeFailure('node_type_not_configured', `This worker has no ${node.type} executor configured`);
      // Secrets and large inputs are resolved here, at call time, never in the workflow.
      const resolved = await secrets.resolveIn(tenantId, await blobs.inflate(tenantId, await renderDeferred(input, blobs)));
      plaintexts = resolved.plaintexts;
      const outputs = scrubValue(await executor({ ...input, config: resolved.value }, ctx.cancellationSignal), plaintexts);
      await finish('succeeded');
      return { outputs: await blobs.offload(tenantId, runId, outputs) };
    } catch (err) {
      const failure = asFailure(err);
      failure.message = scrub(failure.message, plaintexts);
      await finish('failed', { code: failure.type ?? 'node_failed', message: failure.message }).catch(() => undefined);
      logger.warn('node attempt failed', { runId, nodeKey: node.key, attempt, code: failure.type });
      throw failure;
    } finally {
      clearInterval(heartbeat);
    }
  };

  return {
    nodeCode: wrap('code'),
    nodeHttpRequest: wrap('httpRequest'),
    nodeLlm: wrap('llm'),
    nodeKnowledgeRetrieval: wrap('knowledgeRetrieval'),
    loadBlobs: ({ tenantId, ids }) => blobs.load(tenantId, ids),
    renderTemplate: async ({ tenantId, runId, template, variables, limits }) => {
      const values = await blobs.inflate(tenantId, variables);
      let text: string;
      try {
        // Runs from before template limits existed get the defaults.
        text = renderTemplate(template, values, limits ?? { maxSteps: DEFAULT_RUN_LIMITS.templateSteps, maxOutputChars: DEFAULT_RUN_LIMITS.templateOutputChars }).text;
      } catch (err) {
        const code = err instanceof TemplateLimitError ? err.code : 'template_error';
        throw ApplicationFailure.nonRetryable(err instanceof Error ? err.message : String(err), code);
      }
      return blobs.offload(tenantId, runId, { text }) as Promise<{ text: unknown }>;
    },
  };
}
