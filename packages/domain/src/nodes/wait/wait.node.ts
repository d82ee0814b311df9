import { z } from 'zod';
import { DURATION_BOUNDS } from '../../dsl/duration';
import { DEFAULT_HANDLE, boundedDurationSchema } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

export const waitDataSchema = z
  .object({
    /** 0 to 366 days (DURATION_BOUNDS.waitDuration) */
    duration: boundedDurationSchema(DURATION_BOUNDS.waitDuration).optional(),
    /** at most 366 days after the graph is validated, and after the run reaches the node (DURATION_BOUNDS.waitUntilAhead) */
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
  version: 1,
  dataSchema: waitDataSchema,
  outputs: () => [],
  handles: () => [DEFAULT_HANDLE],
});
