import { ActivityFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import { containsBlobRef, renderTemplate, type NodeActivities, type TemplateData, type VariablePool } from '@weft/domain';
import { failed, succeeded, type NodeHandler } from './node-handler';

const renderer = proxyActivities<Pick<NodeActivities, 'renderTemplate'>>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['template_error'] },
});

/** The pool entries a template mentions by name: all it can read. */
function mentioned(template: string, pool: VariablePool): Record<string, unknown> {
  return Object.fromEntries(Object.entries(pool).filter(([id]) => new RegExp(`\\b${id}\\b`).test(template)));
}

/**
 * Renders in workflow code (no activity, no history events) unless the template reads a value
 * kept outside history; then an activity renders it so the value stays out.
 */
export const templateHandler: NodeHandler<TemplateData> = async ({ data, pool, runtime }) => {
  const variables = mentioned(data.template, pool);
  try {
    if (containsBlobRef(variables)) {
      const { text } = await renderer.renderTemplate({ tenantId: runtime.run.tenantId, runId: runtime.run.runId, template: data.template, variables });
      return succeeded({ text }, { recordInputs: { template: data.template } });
    }
    return succeeded({ text: renderTemplate(data.template, variables) }, { recordInputs: { template: data.template } });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure ? (err.cause ?? err) : err;
    return failed('template_error', cause instanceof Error ? cause.message : String(cause));
  }
};
