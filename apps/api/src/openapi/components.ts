import { z } from 'zod';
import { graphSchema } from '@weft/domain';
import { errorBodySchema, metaSchema, paginationSchema } from '../http/envelope';
import { deepReportSchema } from '../health/deep-health';
import { liveReportSchema, notReadyReportSchema, readyReportSchema } from '../health/health.router';
import { nodeExecutionSchema, runSchema } from '../runs/runs.responses';
import { modelProviderSchema } from '../model-providers/model-providers.router';
import { secretSchema } from '../secrets/secrets.router';
import { apiKeySchema, newApiKeySchema } from '../api-keys/api-keys.dto';
import { validationResultSchema, workflowSchema, workflowVersionSchema } from '../workflows/workflows.dto';
import { graphBody } from '../workflows/workflows.schemas';
import { approvalFormSchema, approvalSchema } from '../approvals/approvals.responses';

/**
 * Named schemas of the document: `#/components/schemas/<name>`. A route's response schema that is
 * one of these is referenced by name; any other is written out in place.
 */
export const COMPONENTS = {
  Workflow: { schema: workflowSchema, io: 'output' },
  WorkflowVersion: { schema: workflowVersionSchema, io: 'output' },
  ValidationResult: { schema: validationResultSchema, io: 'output' },
  Run: { schema: runSchema, io: 'output' },
  NodeExecution: { schema: nodeExecutionSchema, io: 'output' },
  Secret: { schema: secretSchema, io: 'output' },
  ApiKey: { schema: apiKeySchema, io: 'output' },
  NewApiKey: { schema: newApiKeySchema, io: 'output' },
  ModelProvider: { schema: modelProviderSchema, io: 'output' },
  Approval: { schema: approvalSchema, io: 'output' },
  ApprovalForm: { schema: approvalFormSchema, io: 'output' },
  Meta: { schema: metaSchema, io: 'output' },
  Pagination: { schema: paginationSchema, io: 'output' },
  Error: { schema: errorBodySchema, io: 'output' },
  HealthLive: { schema: liveReportSchema, io: 'output' },
  HealthReady: { schema: readyReportSchema, io: 'output' },
  HealthNotReady: { schema: notReadyReportSchema, io: 'output' },
  HealthDeep: { schema: deepReportSchema, io: 'output' },
  WorkflowGraph: { schema: graphSchema, io: 'input' },
} as const satisfies Record<string, { schema: z.ZodType; io: 'input' | 'output' }>;

export type ComponentName = keyof typeof COMPONENTS;

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), without its `$schema`. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // Request bodies take any object as a graph (the validator answers 422 with every issue), but
    // what they should send is a WorkflowGraph.
    override: (ctx) => {
      if (ctx.zodSchema === graphBody) {
        for (const k of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[k];
        Object.assign(ctx.jsonSchema, ref('WorkflowGraph'));
      }
    },
  }) as Record<string, unknown>;
  return rest;
}

export const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

const NAMES = new Map<z.ZodType, ComponentName>(Object.entries(COMPONENTS).map(([name, c]) => [c.schema, name as ComponentName]));

/** A response schema: a reference when it is a named component, else written out. */
export const responseSchema = (schema: z.ZodType): Record<string, unknown> => {
  const name = NAMES.get(schema);
  return name ? ref(name) : jsonSchema(schema, 'output');
};

export function componentSchemas(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(COMPONENTS).map(([name, c]) => [name, jsonSchema(c.schema, c.io)]));
}
