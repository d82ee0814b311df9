import { CancellationScope, log, patched, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import { measureValue, type Graph, type InterpreterActivities, type NodeRecord, type RunLimits } from '@weft/domain';
import { RunAborted } from './run-errors';
import { RunControl } from './run-control';

/** Marks runs that pause when an activation's budget is spent (histories from before never did). */
export const ACTIVATION_BUDGET_PATCH = 'weft-activation-budget';

// A local activity that does nothing: awaiting it ends the activation (a few milliseconds, one
// marker event). A timer would do too, but the server fires short timers about a second late.
const interpreter = proxyLocalActivities<InterpreterActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 10 } });

/** Pending node records are written once there are this many, or this many bytes of them. */
const FLUSH_RECORDS = 100;
const FLUSH_BYTES = 256 * 1024;
/** Records kept in memory while they cannot be written; past this the oldest are dropped (and logged). */
const MAX_HELD_RECORDS = 5_000;

export interface RuntimeOptions {
  run: { runId: string; tenantId: string; workflowId: string; inputs: Record<string, unknown> };
  subgraphs: Record<string, Graph>;
  /** resolved versions of `subgraphs` entries, for child run records */
  subgraphVersions: Record<string, number>;
  limits: RunLimits;
  seq: number;
  /** node executions so far, children's included, carried across continue-as-new */
  executions: number;
  pending?: NodeRecord[];
  /** writes node records now; false when they could not be written (they are kept for later) */
  writeRecords?: (records: NodeRecord[]) => Promise<boolean>;
  /** a write the run owes before it first pauses (a deferred start) */
  beforePause?: () => Promise<void> | undefined;
  /** lets tests force suspension without thousands of history events */
  suggestContinueAsNew?: () => boolean;
  /** approvals, pause and the live view; a fresh one when absent */
  control?: RunControl;
}

/** Run-wide facts and services shared by every scope of one workflow execution. */
export class Runtime {
  /** Set when Temporal suggests continue-as-new: scopes start nothing new and suspend. */
  draining = false;
  private pending: NodeRecord[] = [];
  private pendingBytes = 0;
  /** workflow task whose budget is being spent, by the history length it started at */
  private window = -1;
  private spent = 0;
  private yielding: Promise<void> | undefined;

  private flushing: Promise<void> | undefined;
  /** a write failed: keep records until the run's end rather than retrying after every node */
  private holdRecords = false;
  readonly run: RuntimeOptions['run'];
  readonly subgraphs: Record<string, Graph>;
  readonly subgraphVersions: Record<string, number>;
  readonly limits: RunLimits;
  /** people in the loop: approvals, pause/resume, the live view */
  readonly control: RunControl;
  private seq: number;
  private executions: number;
  private readonly writeRecords: RuntimeOptions['writeRecords'];
  private readonly beforePause: RuntimeOptions['beforePause'];
  private readonly suggestContinueAsNew: () => boolean;

  constructor(options: RuntimeOptions) {
    this.run = options.run;
    this.subgraphs = options.subgraphs;
    this.subgraphVersions = options.subgraphVersions;
    this.limits = options.limits;
    this.control = options.control ?? new RunControl({ runId: options.run.runId, tenantId: options.run.tenantId });
    this.seq = options.seq;
    this.executions = options.executions;
    this.writeRecords = options.writeRecords;
    this.beforePause = options.beforePause;
    this.suggestContinueAsNew = options.suggestContinueAsNew ?? (() => workflowInfo().continueAsNewSuggested);
    for (const r of options.pending ?? []) this.record(r);
  }

  /** Checked after every node: once history is long, stop starting work so the run can continue-as-new. */
  checkDrain(): void {
    if (!this.draining && this.suggestContinueAsNew()) this.draining = true;
  }

  /**
   * Counts work against the budget of the current stretch of work: the stretch ends at a pause, or
   * when a new workflow task starts (told apart by the history length it started at). Both are the
   * same on every replay, so the decisions below are too.
   */
  spend(units: number): void {
    const at = workflowInfo().historyLength;
    if (at !== this.window) {
      this.window = at;
      this.spent = 0;
    }
    this.spent += units;
  }

  /**
   * Where work may pause: once the budget is spent, every caller waits for one pause (a no-op local
   * activity), so the rest of the work happens in later activations. No activation runs long enough
   * to stall the worker, whatever the graph asks for. Returns nothing while the budget lasts, so
   * callers add no await (and no reordering of commands) to runs that never reach it, and a caller
   * checks again after each wait: `for (let p = runtime.checkpoint(); p; p = runtime.checkpoint()) await p;`
   */
  checkpoint(): Promise<void> | undefined {
    this.spend(0);
    if (this.spent < this.limits.activationSteps) return undefined;
    if (!this.yielding) {
      if (!patched(ACTIVATION_BUDGET_PATCH)) return undefined;
      // Outside any scope that a failing branch cancels: the pause is shared by every waiter.
      this.yielding = CancellationScope.nonCancellable(async () => {
        const owed = this.beforePause?.();
        if (owed) await owed;
        await interpreter.pauseTask();
      }).finally(() => {
        this.yielding = undefined;
        this.spent = 0;
      });
    }
    return this.yielding;
  }

  /** One more node execution; past the run's limit the whole run fails. */
  countExecution(): void {
    this.executions += 1;
    if (this.executions > this.limits.maxNodeExecutions) {
      throw new RunAborted({
        code: 'run_node_limit_exceeded',
        message: `The run made more than ${this.limits.maxNodeExecutions} node executions (WEFT_RUN_MAX_NODE_EXECUTIONS)`,
      });
    }
  }

  /** Node executions a child run made, charged to this run. */
  chargeExecutions(count: number): void {
    this.executions += Math.max(0, count - 1);
  }

  get executionCount(): number {
    return this.executions;
  }

  /** Executions this run may still make (a child run gets at most this many). */
  get executionsLeft(): number {
    return Math.max(1, this.limits.maxNodeExecutions - this.executions);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  record(rec: NodeRecord): void {
    this.pending.push(rec);
    this.pendingBytes += measureValue(rec, { maxDepth: Infinity, maxBytes: FLUSH_BYTES }).bytes;
  }

  /** Enough records wait that they should be written now rather than with the next activity. */
  get flushDue(): boolean {
    return !this.holdRecords && this.writeRecords !== undefined && (this.pending.length >= FLUSH_RECORDS || this.pendingBytes >= FLUSH_BYTES);
  }

  /**
   * Writes the pending records when enough have gathered (one write at a time, shared by all
   * scopes). Like checkpoint(), returns nothing when there is nothing to wait for.
   */
  flushIfDue(): Promise<void> | undefined {
    if (!this.flushDue) return undefined;
    this.flushing ??= (async () => {
      const batch = this.takeRecords();
      if (!(await this.writeRecords!(batch))) {
        this.holdRecords = true;
        this.restoreRecords(batch);
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Records small enough to ride along with an activity's input (whose size Temporal bounds). */
  takeRecordsForActivity(): NodeRecord[] {
    return this.pendingBytes < FLUSH_BYTES ? this.takeRecords() : [];
  }

  /** Records not yet persisted; the caller hands them to an activity that writes them. */
  takeRecords(): NodeRecord[] {
    const out = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }

  /** Puts back records whose write failed, oldest first, so the next write tries them again. */
  restoreRecords(records: NodeRecord[]): void {
    const later = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const all = [...records, ...later];
    const dropped = Math.max(0, all.length - MAX_HELD_RECORDS);
    if (dropped) log.warn('node records dropped: they could not be written', { runId: this.run.runId, dropped });
    for (const r of all.slice(dropped)) this.record(r);
  }

  peekRecords(): readonly NodeRecord[] {
    return this.pending;
  }
}
