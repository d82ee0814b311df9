import { ActivityFailure, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import { NON_RETRYABLE_CODES, TemplateLimitError, containsBlobRef, renderTemplate, templateVariables, type NodeActivities, type RunLimits, type TemplateData, type TemplateLimits, type VariablePool } from '@weft/domain';
import { failed, succeeded, type NodeHandler } from '../node-handler';

const renderer = proxyActivities<Pick<NodeActivities, 'renderTemplate'>>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_CODES] },
});

/** Runs that chose a template's variables by Liquid's analysis, not by the names in its text. */
export const TEMPLATE_VARIABLES_PATCH = 'weft-template-variables';

/** How runs before TEMPLATE_VARIABLES_PATCH chose: every pool entry whose id appears as a word. */
function mentionedByName(template: string, pool: VariablePool): string[] {
  return Object.keys(pool).filter((id) => new RegExp(`\\b${id}\\b`).test(template));
}

/**
 * The pool entries a template reads (all it can read), by Liquid's analysis of it; none when it
 * does not parse (rendering then fails). Where that choice differs from the one runs made before
 * (a large value mentioned in plain text, say, once sent the render to an activity), the patch
 * keeps a replayed run's commands as they were.
 */
function mentioned(template: string, pool: VariablePool): Record<string, unknown> {
  const heads = new Set((templateVariables(template) ?? []).map((v) => v.head));
  const read = Object.keys(pool).filter((id) => heads.has(id));
  const before = mentionedByName(template, pool);
  const same = read.length === before.length && read.every((id, i) => id === before[i]);
  const ids = same || patched(TEMPLATE_VARIABLES_PATCH) ? read : before;
  return Object.fromEntries(ids.map((id) => [id, pool[id]]));
}

export function templateLimits(limits: RunLimits): TemplateLimits {
  return { maxSteps: limits.templateSteps, maxOutputChars: Math.min(limits.templateOutputChars, limits.maxValueBytes) };
}

/**
 * Renders in workflow code (no activity, no history events) unless the template reads a value
 * kept outside history; then an activity renders it so the value stays out. Either way the render
 * is bounded in steps and output, and its steps count against the activation's budget.
 */
export const templateHandler: NodeHandler<TemplateData> = async ({ data, pool, run, limits: runLimits, spend }) => {
  const variables = mentioned(data.template, pool);
  const limits = templateLimits(runLimits);
  try {
    if (containsBlobRef(variables)) {
      // The activity keeps a large result outside history, so only the render's own limits apply there.
      const activityLimits = { ...limits, maxOutputChars: runLimits.templateOutputChars };
      const { text } = await renderer.renderTemplate({ tenantId: run.tenantId, runId: run.runId, template: data.template, variables, limits: activityLimits });
      return succeeded({ text }, { recordInputs: { template: data.template } });
    }
    const { text, steps } = renderTemplate(data.template, variables, limits);
    spend(steps);
    return succeeded({ text }, { recordInputs: { template: data.template } });
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof TemplateLimitError) return failed(err.code, err.message);
    const cause = err instanceof ActivityFailure ? (err.cause ?? err) : err;
    const code = (cause as { type?: unknown }).type === 'template_limit_exceeded' ? 'template_limit_exceeded' : 'template_error';
    return failed(code, cause instanceof Error ? cause.message : String(cause));
  }
};
