import { z } from 'zod';
import { conditionCaseSchema } from '../shared/condition.schema';
import { defineNodeType } from '../node-type';

export const ELSE_HANDLE = 'else';

export const ifElseDataSchema = z
  .object({ cases: z.array(conditionCaseSchema.required({ id: true })).min(1) })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.cases.forEach((c, i) => {
      if (c.id === ELSE_HANDLE || c.id === 'error') ctx.addIssue({ code: 'custom', message: `case id '${c.id}' is reserved`, path: ['cases', i, 'id'] });
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', message: `case id '${c.id}' is used more than once`, path: ['cases', i, 'id'] });
      seen.add(c.id);
    });
  });
export type IfElseData = z.infer<typeof ifElseDataSchema>;

/** Takes the handle of the first case that holds, else `else`. */
export const ifElseNode = defineNodeType({
  type: 'if-else',
  version: 1,
  dataSchema: ifElseDataSchema,
  outputs: () => ['result'],
  handles: (d: IfElseData) => [...d.cases.map((c) => c.id), ELSE_HANDLE],
});
