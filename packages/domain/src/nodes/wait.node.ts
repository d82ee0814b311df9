import { z } from 'zod';
import { DEFAULT_HANDLE, durationSchema } from '../dsl/graph.schema';
import { defineNodeType } from './node-type';

export const waitDataSchema = z
  .object({
    duration: durationSchema.optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((d) => (d.duration === undefined) !== (d.until === undefined), {
    message: 'set exactly one of "duration" or "until"',
  });
export type WaitData = z.infer<typeof waitDataSchema>;

/** A durable timer: the run holds no worker while it waits. */
export const waitNode = defineNodeType({
  type: 'wait',
  dataSchema: waitDataSchema,
  outputs: () => [],
  handles: () => [DEFAULT_HANDLE],
  effectful: false,
});
