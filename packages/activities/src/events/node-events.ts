import type { NodeLocation, NodeRecord, RunError } from '@weft/domain';
import type { Logger } from '../observability/logger';
import { boundedField } from './event-payload';
import type { RunEventStream } from './run-event-stream';

/**
 * The event a node record ends with, by its status (`defaulted`: it failed, `onError: default` gave
 * outputs; `reused`: a rerun took its recorded outputs instead of running it).
 */
const END_EVENT: Record<NodeRecord['status'], string> = {
  succeeded: 'node.finished',
  reused: 'node.finished',
  failed: 'node.failed',
  defaulted: 'node.failed',
  skipped: 'node.skipped',
};

function where(node: NodeLocation & { type: string }) {
  return {
    nodeId: node.nodeId,
    key: node.key,
    type: node.type,
    ...(node.iterationIndex !== undefined ? { iterationIndex: node.iterationIndex } : {}),
    ...(node.loopIndex !== undefined ? { loopIndex: node.loopIndex } : {}),
  };
}

/**
 * Node events of a run's event stream, published by activities (never by workflow code) when a
 * node record lands in PostgreSQL and when an effectful node's attempt starts. Each event is
 * published once per node execution, whatever the retries of the activities carrying it: a pure
 * node gets node.started then its end event when its record lands; an effectful node gets
 * node.started when its first attempt starts, node.retrying for each later attempt, and its end
 * event when its record lands. Publishing is best effort: Redis being away must never fail the
 * activity (nor make it retry a write that already landed).
 */
export class NodeEvents {
  constructor(
    private readonly stream: RunEventStream,
    private readonly logger: Logger,
  ) {}

  /** Events of records just written, in record order. */
  async recordsLanded(runId: string, records: readonly NodeRecord[]): Promise<void> {
    if (!records.length) return;
    const ordered = [...records].sort((a, b) => a.seq - b.seq);
    // Sent without waiting for each answer: one connection keeps them in order, and a run's events
    // cost one round trip to Redis instead of two per record.
    const sent: Promise<unknown>[] = [];
    try {
      for (const r of ordered) {
        // Already published when the record is an effectful node's: its attempt said so.
        sent.push(this.stream.publishOnce(runId, `node.started:${r.key}`, 'node.started', { ...where(r), status: 'running', startedAt: r.startedAt }));
        const end = END_EVENT[r.status] ?? 'node.finished';
        sent.push(this.stream.publishOnce(runId, `node.end:${r.key}`, end, {
          ...where(r),
          status: r.status,
          ...(r.status === 'succeeded' || r.status === 'defaulted' || r.status === 'reused' ? boundedField('outputs', r.outputs ?? {}) : {}),
          ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
          startedAt: r.startedAt,
          finishedAt: r.finishedAt,
        }));
      }
    } catch (err) {
      sent.push(Promise.reject(err));
    }
    const failed = (await Promise.allSettled(sent)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) this.logger.warn('node events could not be published', { runId, count: records.length, message: (failed.reason as Error).message });
  }

  /** An effectful node's attempt starts: node.started for the first, node.retrying (with what stopped the previous one) after. */
  async attemptStarted(runId: string, node: NodeLocation & { type: string }, attempt: number, startedAt: Date, previous?: RunError): Promise<void> {
    try {
      if (attempt <= 1) {
        await this.stream.publishOnce(runId, `node.started:${node.key}`, 'node.started', { ...where(node), status: 'running', attempt, startedAt: startedAt.toISOString() });
        return;
      }
      await this.stream.publishOnce(runId, `node.retrying:${node.key}:${attempt}`, 'node.retrying', {
        ...where(node),
        status: 'retrying',
        attempt,
        error: previous ? { code: previous.code, message: previous.message } : null,
        startedAt: startedAt.toISOString(),
      });
    } catch (err) {
      this.logger.warn('node event could not be published', { runId, nodeKey: node.key, attempt, message: (err as Error).message });
    }
  }
}
