import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

export const llmMessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }).strict();

export const llmResponseFormatSchema = z.union([
  z.literal('text'),
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json'), schema: z.record(z.string(), z.unknown()).optional() }).strict(),
]);

export const llmDataSchema = z
  .object({
    /** a model provider's name; the tenant's first provider when omitted */
    provider: z.string().optional(),
    model: z.string().min(1),
    messages: z.array(llmMessageSchema).min(1),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().optional(),
    responseFormat: llmResponseFormatSchema.default('text'),
    stream: z.boolean().default(false),
  })
  .strict();
export type LlmData = z.infer<typeof llmDataSchema>;

export const llmNode = defineNodeType({
  type: 'llm',
  version: 1,
  dataSchema: llmDataSchema,
  outputs: () => ['text', 'json', 'usage', 'finishReason'],
  handles: () => [DEFAULT_HANDLE],
  effect: { kind: 'activity', activity: 'nodeLlm', timeout: '10m', maxAttempts: 3 },
});
