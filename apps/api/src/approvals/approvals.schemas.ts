import { z } from 'zod';
import { APPROVAL_FIELDS_MAX, APPROVAL_MAX_BYTES, APPROVAL_STATUSES, measureValue } from '@weft/domain';
import { paginationQuery } from '../http/pagination';

const id = z.string().min(1).max(200);

export const approvalParams = z.object({ id });
export const runNodeApprovalParams = z.object({ id, nodeId: z.string().min(1).max(200) });
/** A form token is `f1.<id>.<expiry>.<mac>`; anything longer is not one of ours. */
export const formParams = z.object({ token: z.string().min(1).max(700) });

export const listApprovalsQuery = z
  .object({
    page: paginationQuery.page,
    limit: paginationQuery.limit,
    sort: z.enum(['requested_at', '-requested_at']).default('-requested_at'),
    status: z.enum(APPROVAL_STATUSES).optional(),
    runId: id.optional(),
    workflowId: id.optional(),
  })
  .strict();

/** What a decision carries; the workflow's validator checks it against the approval (422 with every issue). */
export const decideBody = z
  .object({
    action: z.string().min(1).max(100),
    values: z
      .record(z.string().min(1).max(100), z.unknown())
      .refine((v) => Object.keys(v).length <= APPROVAL_FIELDS_MAX, { message: `at most ${APPROVAL_FIELDS_MAX} values` })
      // The decision travels as a Temporal Update (refused over 2 MiB): bounded before it is sent.
      .refine((v) => !measureValue(v, { maxDepth: Infinity, maxBytes: APPROVAL_MAX_BYTES }).problem, { message: `at most ${APPROVAL_MAX_BYTES} bytes of JSON` })
      .optional(),
    comment: z.string().max(10_000).optional(),
  })
  .strict()
  .meta({ examples: [{ action: 'approve', values: { reason: 'looks right' }, comment: 'ok' }] });

export type DecideBody = z.infer<typeof decideBody>;
