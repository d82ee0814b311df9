import { useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../api/errors';
import { followEvents } from '../../api/sse';
import type { NodeState } from '../../graph/GraphView';

/** Streamed LLM text of one node execution (by key), restarted when a new attempt begins. */
export interface LiveText {
  nodeId: string;
  key: string;
  attempt: number;
  text: string;
}

export interface RunStream {
  /** each node's latest state by node id, as the events say it */
  states: Record<string, NodeState>;
  /** LLM text streamed so far, by node execution key */
  texts: Record<string, LiveText>;
  /** the run's status as the last run.* event said it */
  status: string | undefined;
  /** connected to the stream (false while reconnecting) */
  live: boolean;
  /** the stream has delivered run.finished: nothing more will come */
  ended: boolean;
  error: ApiError | undefined;
}

const NODE_EVENT_STATE: Record<string, NodeState> = {
  'node.started': 'running',
  'node.retrying': 'retrying',
  'node.finished': 'succeeded',
  'node.failed': 'failed',
  'node.skipped': 'skipped',
  'approval.requested': 'waiting',
};

const EMPTY: RunStream = { states: {}, texts: {}, status: undefined, live: false, ended: false, error: undefined };

/**
 * Follows a run's event stream from its first event: a run in flight replays what happened and then
 * goes on live, an ended run replays and closes. `onChange` hears every event but LLM deltas, so the
 * page can refresh what the events make stale (the run, its node records).
 */
/** (The page is keyed by run id, so a new run starts from an empty stream.) */
export function useRunStream(runId: string, onChange: (type: string) => void): RunStream {
  const [stream, setStream] = useState<RunStream>(EMPTY);
  // The latest render's callback, without restarting the stream when it changes.
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  });

  useEffect(() => {
    // The approval a waiting node parks on, so its decision can put the node back to running.
    const approvalNode = new Map<string, string>();
    const stop = followEvents(`/v1/runs/${encodeURIComponent(runId)}/events`, {
      onEvent(type, data: Record<string, any> | null) {
        const d = data ?? {};
        setStream((s) => {
          if (type === 'llm.delta' && typeof d.nodeId === 'string' && typeof d.text === 'string') {
            const key = typeof d.key === 'string' ? d.key : d.nodeId;
            const attempt = typeof d.attempt === 'number' ? d.attempt : 1;
            const before = s.texts[key];
            const text = before && before.attempt === attempt ? before.text + d.text : d.text;
            return { ...s, texts: { ...s.texts, [key]: { nodeId: d.nodeId, key, attempt, text } } };
          }
          const nodeState = NODE_EVENT_STATE[type];
          if (nodeState && typeof d.nodeId === 'string') {
            if (type === 'approval.requested' && typeof d.approvalId === 'string') approvalNode.set(d.approvalId, d.nodeId);
            return { ...s, states: { ...s.states, [d.nodeId]: nodeState } };
          }
          if ((type === 'approval.decided' || type === 'approval.expired') && typeof d.approvalId === 'string') {
            const nodeId = approvalNode.get(d.approvalId);
            if (nodeId && s.states[nodeId] === 'waiting') return { ...s, states: { ...s.states, [nodeId]: 'running' } };
            return s;
          }
          if (type === 'run.started') return { ...s, status: 'running' };
          if ((type === 'run.paused' || type === 'run.resumed' || type === 'run.finished') && typeof d.status === 'string') {
            return { ...s, status: d.status, ended: s.ended || type === 'run.finished' };
          }
          return s;
        });
        if (type !== 'llm.delta') changed.current(type);
      },
      isFinal: (type) => type === 'run.finished',
      onError: (error) => setStream((s) => ({ ...s, error })),
      onConnection: (live) => setStream((s) => ({ ...s, live, ...(live ? { error: undefined } : {}) })),
    });
    return stop;
  }, [runId]);

  return stream;
}
