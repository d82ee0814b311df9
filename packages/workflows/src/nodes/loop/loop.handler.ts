import { resolveValue, type LoopData } from '@weft/domain';
import { newScopeState, type ScopeState } from '../../interpreter/state';
import { evaluateCase } from '../shared/conditions';
import { failed, succeeded, type NodeHandler } from '../node-handler';

interface LoopProgress {
  index: number;
  variables: Record<string, unknown>;
  /** the pass under way when the run suspended */
  pass?: ScopeState;
}

/**
 * Runs the inner graph pass after pass until `breakWhen` holds after a pass or `maxIterations`
 * passes have run. Inside, `{{ loop.<variable> }}` reads and `assign` writes the loop's variables,
 * and `{{ loop.index }}` is the pass number from 0.
 */
export const loopHandler: NodeHandler<LoopData> = async (ctx) => {
  const { data, pool, resume } = ctx;
  const progress: LoopProgress = (resume as LoopProgress | undefined) ?? {
    index: 0,
    variables: { ...(resolveValue(data.variables ?? {}, pool) as Record<string, unknown>) },
  };
  while (progress.index < data.maxIterations) {
    if (ctx.draining) return { status: 'suspended', state: progress };
    ctx.progress(progress.index, data.maxIterations);
    const vars = progress.variables;
    vars.index = progress.index;
    const state = progress.pass ?? newScopeState(data.graph);
    progress.pass = state;
    const child = ctx.runChild({ graph: data.graph, state, locals: vars, pass: { kind: 'loop', index: progress.index }, loopVariables: vars });
    const outcome = await child.outcome;
    if (outcome.status === 'suspended') return { status: 'suspended', state: progress };
    if (outcome.status === 'failed') {
      return { status: 'failed', error: { code: 'loop_pass_failed', message: `Pass ${progress.index} failed: ${outcome.error.message}`, ...(outcome.error.nodeId ? { nodeId: outcome.error.nodeId } : {}) } };
    }
    delete progress.pass;
    progress.index++;
    try {
      if (data.breakWhen && evaluateCase(data.breakWhen, child.pool())) break;
    } catch (err) {
      return failed('condition_error', err instanceof Error ? err.message : String(err));
    }
  }
  const { index: _index, ...variables } = progress.variables;
  return succeeded({ variables, iterations: progress.index }, { recordInputs: { variables: data.variables ?? {}, maxIterations: data.maxIterations } });
};
