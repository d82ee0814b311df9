import { z } from 'zod';
import { DURATION_BOUNDS, formatDuration } from '../../dsl/duration';
import { DEFAULT_HANDLE, DURATION_OUT_OF_RANGE, boundedDurationSchema } from '../../dsl/graph.schema';
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
  /** `until` at most DURATION_BOUNDS.waitUntilAhead after now; the interpreter holds the node to the same bound when it runs. */
  check: (data: WaitData, { now }) => {
    const max = DURATION_BOUNDS.waitUntilAhead.max;
    if (now === undefined || data.until === undefined || !(Date.parse(data.until) - now > max)) return [];
    return [{ code: DURATION_OUT_OF_RANGE, message: `until must be at most ${formatDuration(max)} after now (${new Date(now).toISOString()})`, path: ['until'] }];
  },
});
