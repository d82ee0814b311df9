import { randomBytes, randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  DEFAULT_RUN_LIMITS,
  TemplateLimitError,
  describe,
  measureValue,
  renderTemplate,
  toStorableString,
  activityNodeTypes,
  type ActivityNodeType,
  type ActivityErrorCode,
  type NodeActivities,
  type NodeActivityInput,
  type NodeTypeActivities,
  type NodeActivityOutput,
} from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import { cancelledByWorkerShutdown, workerShutdownFailure } from '../errors/worker-shutdown';
import type { NodeEvents } from '../events/node-events';
import type { Logger } from '../observability/logger';
import type { WorkerMetrics } from '../observability/metrics';
import { Prisma, type PrismaClient } from '../persistence/prisma-client';
import { saveNodeRecords } from '../runs/node-records.repository';
import type { BlobStore } from './blob-store';
import { renderDeferred } from './deferred-config';
import { gateOutputs } from './output-gate';
import { scrub, scrubValue, type SecretsStore } from '../secrets/secrets.store';

/** What an executor is told besides its input: the secret values resolved into its config, to keep out of anything it publishes. */
export interface ExecutorContext {
  secrets: readonly string[];
}

/** What one effectful node type does, given its resolved config; throws NodeFailure when it fails. */
export type NodeExecutor = (input: NodeActivityInput, signal: AbortSignal, context?: ExecutorContext) => Promise<Record<string, unknown>>;

/**
 * The executor of each node type whose effect is an activity, keyed by type (the domain's
 * NODE_TYPES): the worker builds all of them, so a type without one does not compile there.
 */
export type NodeExecutors = { [K in ActivityNodeType]: NodeExecutor };

export interface NodeActivityDeps {
  prisma: PrismaClient;
  blobs: BlobStore;
  secrets: SecretsStore;
  logger: Logger;
  /** the worker passes every executor; a test may pass only those it needs (the others fail with node_type_not_configured) */
  executors: Partial<NodeExecutors>;
  /** nesting depth of a node's outputs (WEFT_MAX_VALUE_DEPTH); deeper ones fail with node_output_too_deep */
  maxValueDepth?: number;
  /** node events of the run's event stream (none: no events) */
  events?: NodeEvents;
  /** node executions and retries (the worker's /metrics) */
  metrics?: WorkerMetrics;
}

/** Well inside the shortest heartbeat timeout the interpreter sets (min(node timeout, 30 s)). */
const HEARTBEAT_EVERY_MS = 2_000;

export const INTERNAL_ERROR = 'internal_error' satisfies ActivityErrorCode;

/** A short id that ties what a user sees to the worker log line holding the details. */
export function errorReference(): string {
  return `ref_${randomBytes(6).toString('hex')}`;
}

/** An error's text for the log, with every resolved secret masked (logs must not hold them either). */
function describeForLog(err: unknown, plaintexts: readonly string[]): { message: string; stack?: string } {
  if (!(err instanceof Error)) return { message: scrub(String(err), plaintexts) };
  return { message: scrub(err.message, plaintexts), ...(err.stack ? { stack: scrub(err.stack, plaintexts) } : {}) };
}

/**
 * What stopped an earlier attempt, for node.retrying: its recorded error, or, when it never
 * reported back (its worker stopped, it timed out), a timeout.
 */
async function previousError(prisma: PrismaClient, runId: string, nodeKey: string, attempt: number): Promise<{ code: string; message: string } | undefined> {
  const row = await prisma.nodeAttempt.findUnique({ where: { runId_nodeKey_attempt: { runId, nodeKey, attempt } }, select: { status: true, error: true } }).catch(() => null);
  const error = row?.error as { code?: unknown; message?: unknown } | null | undefined;
  if (error && typeof error.code === 'string') return { code: error.code, message: typeof error.message === 'string' ? error.message : '' };
  return { code: 'node_timeout', message: `Attempt ${attempt} did not report back in time (it timed out, or its worker stopped)` };
}

/**
 * Wraps each node executor as a Temporal activity: writes the pure-node records handed to it,
 * records this attempt (so every retry is listed without touching workflow history), gates and
 * moves large outputs out of history, and turns failures into ApplicationFailures with stable types.
 */
export function createNodeActivities({ prisma, blobs, secrets, logger, executors, maxValueDepth, events, metrics }: NodeActivityDeps): NodeActivities {
  const maxDepth = maxValueDepth ?? DEFAULT_RUN_LIMITS.maxValueDepth;

  /**
   * The failure users see. A NodeFailure carries a stable code and a plain message; anything else
   * (a database error, a bug) may quote ORM text, constraint names, paths or stacks, so it becomes
   * `internal_error` with a reference, and the details go to the worker log under that reference.
   * Unknown errors stay retryable under the node's policy: they are more often transient than not.
   */
  const toFailure = (err: unknown, plaintexts: readonly string[], where: Record<string, unknown>): ApplicationFailure => {
    if (err instanceof NodeFailure) {
      if (err.cause !== undefined) logger.warn('node failure cause', { ...where, code: err.code, cause: describeForLog(err.cause, plaintexts) });
      const failure = err.toApplicationFailure();
      failure.message = toStorableString(scrub(failure.message, plaintexts));
      return failure;
    }
    const reference = errorReference();
    logger.error('node attempt stopped by an internal error', { ...where, reference, error: describeForLog(err, plaintexts) });
    return ApplicationFailure.create({ type: INTERNAL_ERROR, message: describe(INTERNAL_ERROR, { what: 'this attempt', ref: reference }) });
  };

  const wrap = (name: ActivityNodeType) => async (input: NodeActivityInput): Promise<NodeActivityOutput> => {
    const { runId, tenantId, node } = input;
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const where = { runId, nodeKey: node.key, attempt };
    const attemptKey = { runId_nodeKey_attempt: { runId, nodeKey: node.key, attempt } };
    let attemptRecorded = false;
    let plaintexts: string[] = [];
    // Node activities run with a heartbeat timeout (a dead worker is noticed within it), and a
    // heartbeat is how a cancelled run reaches a running attempt (ctx.cancellationSignal).
    const heartbeat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
    if (attempt > 1) metrics?.nodeRetried(node.type);
    const finish = (status: string, error?: { code: string; message: string }) =>
      prisma.nodeAttempt.update({ where: attemptKey, data: { status, finishedAt: new Date(), error: error ?? Prisma.DbNull } });
    try {
      // The records that rode along and this attempt's row are independent writes: together, one
      // round trip of waiting instead of two (each node activity of a run paid both in turn).
      const startedAt = new Date();
      const [saved, opened] = await Promise.allSettled([
        saveNodeRecords(prisma, tenantId, runId, input.records ?? []),
        prisma.nodeAttempt.upsert({
          where: attemptKey,
          create: { id: `att_${randomUUID().replace(/-/g, '')}`, tenantId, runId, nodeKey: node.key, attempt, status: 'running', startedAt },
          update: { status: 'running', startedAt, finishedAt: null, error: Prisma.DbNull },
        }),
      ]);
      attemptRecorded = opened.status === 'fulfilled';
      if (saved.status === 'rejected') throw saved.reason;
      if (opened.status === 'rejected') throw opened.reason;
      // Every attempt carries the same records: they are counted with the first (a retry rewrites them).
      if (attempt === 1) metrics?.nodesRecorded(input.records);
      // The earlier nodes' events before this attempt's: a stream reads in the order things happened.
      await events?.recordsLanded(runId, input.records ?? []);
      if (events) await events.attemptStarted(runId, node, attempt, startedAt, attempt > 1 ? await previousError(prisma, runId, node.key, attempt - 1) : undefined);
      const executor = executors[name];
      if (!executor) throw new NodeFailure('node_type_not_configured', { type: node.type });
      // Secrets and large inputs are resolved here, at call time, never in the workflow.
      const resolved = await secrets.resolveIn(tenantId, await blobs.inflate(tenantId, await renderDeferred(input, blobs), { runId }));
      plaintexts = resolved.plaintexts;
      const raw = await executor({ ...input, config: resolved.value }, ctx.cancellationSignal, { secrets: plaintexts });
      const outputs = gateOutputs(raw, maxDepth, (o) => scrubValue(o, plaintexts));
      const offloaded = await blobs.offload(tenantId, runId, outputs);
      await finish('succeeded');
      return { outputs: offloaded };
    } catch (err) {
      const failure = cancelledByWorkerShutdown(ctx) ? workerShutdownFailure() : toFailure(err, plaintexts, where);
      if (attemptRecorded) await finish('failed', { code: failure.type ?? 'node_failed', message: failure.message }).catch(() => undefined);
      logger.warn('node attempt failed', { ...where, code: failure.type });
      throw failure;
    } finally {
      clearInterval(heartbeat);
    }
  };

  const perType = Object.fromEntries(activityNodeTypes().map(({ type, activity }) => [activity, wrap(type)])) as NodeTypeActivities;
  return {
    ...perType,
    loadBlobs: async ({ tenantId, runId, ids, refs, maxBytes }) => {
      let values: Record<string, unknown>;
      try {
        values = await blobs.load(tenantId, refs ?? ids, { runId });
      } catch (err) {
        throw toFailure(err, [], { runId, activity: 'loadBlobs' });
      }
      // The values enter workflow history as this activity's result, which Temporal bounds.
      const limit = maxBytes ?? DEFAULT_RUN_LIMITS.maxPayloadBytes;
      if (measureValue(values, { maxDepth: Infinity, maxBytes: limit }).problem) {
        throw new NodeFailure('node_input_too_large', `This node reads values larger than ${limit} bytes in all; only effectful nodes and templates can read values that large`).toApplicationFailure();
      }
      return values;
    },
    renderTemplate: async ({ tenantId, runId, template, variables, limits }) => {
      const values = await blobs.inflate(tenantId, variables, { runId }).catch((err: unknown) => {
        throw toFailure(err, [], { runId, activity: 'renderTemplate' });
      });
      let text: string;
      try {
        // Runs from before template limits existed get the defaults.
        const bounds = limits ?? { maxSteps: DEFAULT_RUN_LIMITS.templateSteps, maxOutputChars: DEFAULT_RUN_LIMITS.templateOutputChars };
        text = toStorableString(renderTemplate(template, values, bounds).text);
      } catch (err) {
        const code = err instanceof TemplateLimitError ? err.code : 'template_error';
        throw new NodeFailure(code, toStorableString(err instanceof Error ? err.message : String(err))).toApplicationFailure();
      }
      try {
        return (await blobs.offload(tenantId, runId, { text })) as { text: unknown };
      } catch (err) {
        throw toFailure(err, [], { runId, activity: 'renderTemplate' });
      }
    },
  };
}
