import { workflowInfo } from '@temporalio/workflow';
import type { Graph, NodeRecord } from '@weft/domain';

/** Run-wide facts and services shared by every scope of one workflow execution. */
export class Runtime {
  /** Set when Temporal suggests continue-as-new: scopes start nothing new and suspend. */
  draining = false;
  private pending: NodeRecord[] = [];

  constructor(
    readonly run: { runId: string; tenantId: string; workflowId: string; inputs: Record<string, unknown> },
    readonly subgraphs: Record<string, Graph>,
    private seq: number,
    pending: NodeRecord[] = [],
    /** lets tests force suspension without thousands of history events */
    private readonly suggestContinueAsNew: () => boolean = () => workflowInfo().continueAsNewSuggested,
  ) {
    this.pending = [...pending];
  }

  /** Checked after every node: once history is long, stop starting work so the run can continue-as-new. */
  checkDrain(): void {
    if (!this.draining && this.suggestContinueAsNew()) this.draining = true;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  record(rec: NodeRecord): void {
    this.pending.push(rec);
  }

  /** Records not yet persisted; the caller hands them to an activity that writes them. */
  takeRecords(): NodeRecord[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  peekRecords(): readonly NodeRecord[] {
    return this.pending;
  }
}
