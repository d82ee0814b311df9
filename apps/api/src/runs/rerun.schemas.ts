import { z } from 'zod';

export const rerunBody = z
  .object({
    fromNodeId: z.string().min(1).max(128).meta({
      description: 'the node to run again, with everything after it; a node inside an iteration or a loop reruns from its top-level container',
    }),
    inputs: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "the new run's inputs, all of them (the origin's when absent); none that a reused node reads may change" }),
  })
  .strict()
  .meta({ examples: [{ fromNodeId: 'summarize' }, { fromNodeId: 'summarize', inputs: { tone: 'formal' } }] });
export type RerunBody = z.infer<typeof rerunBody>;
