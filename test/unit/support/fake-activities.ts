import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  DEFAULT_RUN_LIMITS,
  isBlobRef,
  renderTemplate,
  type ApprovalActivities,
  type ApprovalDecisionResult,
  type InterpreterActivities,
  type OpenedApproval,
  type NodeActivities,
  type NodeActivityInput,
  type NodeActivityOutput,
  type NodeRecord,
  type RunRecordActivities,
  type RunStatus,
} from '@weft/domain';

/**
 * What a fake node activity does on one attempt: answer with `outputs`, or fail with a coded
 * failure (non-retryable unless `retryable`), after `delayMs` of real time.
 */
export interface Behaviour {
  outputs?: Record<string, unknown>;
  fail?: { code: string; message?: string; retryable?: boolean; retryAfterMs?: number };
  delayMs?: number;
}

/** One call of a fake node activity, as the interpreter made it. */
export interface NodeCall {
  activity: string;
  runId: string;
  nodeId: string;
  key: string;
  attempt: number;
  config: unknown;
  /** server time the attempt was scheduled at (skipped time included) */
  scheduledAtMs: number;
}

/** What the run-record port was told about one run (parent and child runs alike). */
export interface RunLog {
  started?: { temporalRunId: string; startedAt: string; child?: unknown; /** written by the end's activity (a run that never waited) */ withEnd?: true };
  finished: { status: RunStatus; outputs: Record<string, unknown>; error?: { code: string; message: string } }[];
  /** node records by key, from every channel the workflow writes them through */
  records: Map<string, NodeRecord>;
  /** recordNodes batches (records written between activities) */
  batches: number;
}

type NodeActivityName = 'nodeCode' | 'nodeHttpRequest' | 'nodeLlm' | 'nodeKnowledgeRetrieval';

/**
 * In-process fakes of every activity port the run workflow uses: node activities (scripted per
 * node id, or a default answer per type), run records and the interpreter's pause. They record
 * every call, so tests assert on what the workflow asked for as well as on what it returned.
 */
export class FakeActivities {
  readonly calls: NodeCall[] = [];
  readonly runs = new Map<string, RunLog>();
  readonly blobLoads: string[][] = [];
  readonly templateRenders: string[] = [];
  pauses = 0;
  /** approvals as the approval activities were told: opened, decided, closed; run statuses written */
  readonly approvals = new Map<string, { approval: OpenedApproval; status: string; decision?: ApprovalDecisionResult }>();
  readonly statusWrites: { runId: string; status: string; event?: string }[] = [];
  private scripts = new Map<string, Behaviour[]>();
  private blobs = new Map<string, unknown>();

  /** Scripted attempts per node key or id (attempt n plays entry n-1, the last one repeats); blob values by id. */
  prepare(scripts: Record<string, Behaviour | Behaviour[]> = {}, blobs: Record<string, unknown> = {}): void {
    this.calls.length = 0;
    this.runs.clear();
    this.blobLoads.length = 0;
    this.templateRenders.length = 0;
    this.pauses = 0;
    this.approvals.clear();
    this.statusWrites.length = 0;
    this.scripts = new Map(Object.entries(scripts).map(([id, b]) => [id, Array.isArray(b) ? b : [b]]));
    this.blobs = new Map(Object.entries(blobs));
  }

  run(runId: string): RunLog {
    let log = this.runs.get(runId);
    if (!log) this.runs.set(runId, (log = { finished: [], records: new Map(), batches: 0 }));
    return log;
  }

  callsOf(nodeId: string): NodeCall[] {
    return this.calls.filter((c) => c.nodeId === nodeId);
  }

  private keep(runId: string, records: NodeRecord[] | undefined) {
    const log = this.run(runId);
    for (const r of records ?? []) log.records.set(r.key, r);
  }

  private node(activity: NodeActivityName, fallback: (input: NodeActivityInput) => Record<string, unknown>) {
    return async (input: NodeActivityInput): Promise<NodeActivityOutput> => {
      const { info } = Context.current();
      this.keep(input.runId, input.records);
      this.calls.push({
        activity,
        runId: input.runId,
        nodeId: input.node.nodeId,
        key: input.node.key,
        attempt: info.attempt,
        config: input.config,
        scheduledAtMs: info.currentAttemptScheduledTimestampMs,
      });
      const script = this.scripts.get(input.node.key) ?? this.scripts.get(input.node.nodeId);
      const behaviour = script ? script[Math.min(info.attempt, script.length) - 1]! : undefined;
      if (behaviour?.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
      if (behaviour?.fail) {
        const { code, message, retryable, retryAfterMs } = behaviour.fail;
        throw ApplicationFailure.create({
          type: code,
          message: message ?? `${code} (attempt ${info.attempt})`,
          nonRetryable: !retryable,
          ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
        });
      }
      return { outputs: behaviour?.outputs ?? fallback(input) };
    };
  }

  private inflate(value: unknown): unknown {
    if (isBlobRef(value)) return this.blobs.has(value.$weftBlob) ? this.blobs.get(value.$weftBlob) : value;
    if (Array.isArray(value)) return value.map((v) => this.inflate(v));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.inflate(v)]));
    return value;
  }

  /** Open approvals of a run, oldest first. */
  openApprovals(runId: string): OpenedApproval[] {
    return [...this.approvals.values()].filter((a) => a.approval.runId === runId && a.status === 'pending').map((a) => a.approval);
  }

  readonly activities: RunRecordActivities & NodeActivities & InterpreterActivities & Omit<ApprovalActivities, 'deliverApprovalNotice'> = {
    openApproval: async ({ approval, records }) => {
      this.keep(approval.runId, records);
      if (!this.approvals.has(approval.approvalId)) this.approvals.set(approval.approvalId, { approval, status: 'pending' });
    },
    recordApprovalDecided: async ({ decision }) => {
      const a = this.approvals.get(decision.approvalId);
      if (a && a.status === 'pending') Object.assign(a, { status: 'decided', decision });
    },
    recordApprovalClosed: async ({ approvalId, status }) => {
      const a = this.approvals.get(approvalId);
      if (a && a.status === 'pending') a.status = status;
    },
    recordRunStatus: async ({ runId, status, event }) => {
      this.statusWrites.push({ runId, status, ...(event ? { event } : {}) });
    },
    recordRunStarted: async ({ runId, temporalRunId, startedAt, child }) => {
      this.run(runId).started = { temporalRunId, startedAt, ...(child ? { child } : {}) };
    },
    recordNodes: async ({ runId, records }) => {
      this.run(runId).batches += 1;
      this.keep(runId, records);
    },
    recordRunFinished: async ({ runId, status, outputs, error, records, started }) => {
      if (started) this.run(runId).started = { ...started, withEnd: true };
      this.run(runId).finished.push({ status, outputs, ...(error ? { error } : {}) });
      this.keep(runId, records);
    },
    pauseTask: async () => {
      this.pauses += 1;
    },
    // Defaults when a fixture scripts nothing for the node: see each line.
    nodeCode: this.node('nodeCode', (input) => {
      // Like the project's executor fakes: `inputs.fail` fails, `inputs.value` is the answer, else the inputs.
      const inputs = ((input.config as { inputs?: Record<string, unknown> }).inputs ?? {}) as Record<string, unknown>;
      if (inputs.fail) throw ApplicationFailure.create({ type: 'code_runtime_error', message: String(inputs.fail), nonRetryable: true });
      return 'value' in inputs ? { value: inputs.value } : { ...inputs };
    }),
    nodeHttpRequest: this.node('nodeHttpRequest', (input) => {
      const { method, url } = input.config as { method?: string; url: string };
      const json = { method: method ?? 'GET', url };
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(json), json };
    }),
    nodeLlm: this.node('nodeLlm', (input) => {
      const messages = (input.config as { messages?: { content: string }[] }).messages ?? [];
      return { text: `echo: ${messages.at(-1)?.content ?? ''}`, json: null, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop' };
    }),
    nodeKnowledgeRetrieval: this.node('nodeKnowledgeRetrieval', (input) => {
      // One result per knowledge, quoting the resolved query.
      const { knowledgeIds, query } = input.config as { knowledgeIds: string[]; query: string };
      const results = knowledgeIds.map((knowledgeId, i) => ({
        content: `about ${query}`,
        score: 1 - i / 10,
        knowledgeId,
        documentId: `doc_${i}`,
        segmentId: `seg_${i}`,
        metadata: { documentName: `doc-${i}.md`, position: 0 },
      }));
      return { results, count: results.length, searched: knowledgeIds.map((knowledgeId) => ({ knowledgeId, indexing: 'economy', mode: 'full-text' })) };
    }),
    // Blob values come from the fixture; an id it does not hold is user data and is not vouched for.
    loadBlobs: async ({ ids, refs }) => {
      const wanted = (refs ?? []).map((r) => r.$weftBlob).concat(ids);
      this.blobLoads.push(wanted);
      return Object.fromEntries(wanted.filter((id) => this.blobs.has(id)).map((id) => [id, this.blobs.get(id)]));
    },
    renderTemplate: async ({ template, variables, limits }) => {
      this.templateRenders.push(template);
      return { text: renderTemplate(template, this.inflate(variables) as Record<string, unknown>, limits ?? { maxSteps: DEFAULT_RUN_LIMITS.templateSteps, maxOutputChars: DEFAULT_RUN_LIMITS.templateOutputChars }).text };
    },
  };
}
