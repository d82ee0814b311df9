import type { Router } from 'express';
import { sendData } from '../http/envelope';
import { bindRoutes, data, defineRoutes } from '../http/route';
import { ApprovalError, formLinkGone } from './approval.errors';
import { approvalFormDto } from './approvals.dto';
import { approvalFormSchema, formDecisionSchema, type FormDecisionDto } from './approvals.responses';
import { decideBody, formParams } from './approvals.schemas';
import type { ApprovalsService } from './approvals.service';

const FORM_ERRORS = [400, 404, 410, 503] as const;

/**
 * Signed form links: a person without an API key reads one approval's form and decides it. The
 * link is the capability: whoever holds it may decide, so the approval's allowedRoles do not apply
 * (README, "Approvals"); it names one approval, works until that approval is decided or expires,
 * and says nothing about the tenant.
 */
export const formRoutes = defineRoutes({
  read: {
    method: 'get',
    path: '/v1/forms/:token',
    summary: 'Read the form of a signed approval link',
    note: 'no API key: the link is the capability',
    request: { params: formParams },
    responses: { 200: data(approvalFormSchema, 'What to decide, and until when') },
    errors: FORM_ERRORS,
  },
  decide: {
    method: 'post',
    path: '/v1/forms/:token',
    summary: 'Decide the approval of a signed link',
    note: "no API key; single use; the approval's allowedRoles do not apply",
    request: { params: formParams, body: decideBody },
    responses: { 200: data(formDecisionSchema, 'The decision, recorded') },
    errors: [...FORM_ERRORS, 413, 415, 422],
  },
});

export function formsRouter(service: ApprovalsService): Router {
  return bindRoutes(formRoutes, {
    read: async (req, res, { params }) => {
      sendData(req, res, approvalFormDto(await service.formApproval(params.token)));
    },

    decide: async (req, res, { params, body }) => {
      const row = await service.formApproval(params.token);
      let decided;
      try {
        // The link names one approval and is the same for everyone it was sent to: the approval is the actor's id.
        decided = await service.decide(row, body, { kind: 'form', id: row.id }, req.id);
      } catch (err) {
        // Decided by someone else (or expired) since the link was checked: the link is used up.
        if (err instanceof ApprovalError && (err.code === 'approval_closed' || err.code === 'approval_not_found')) {
          throw formLinkGone(String((err.details as { status?: unknown } | undefined)?.status ?? 'closed'));
        }
        throw err;
      }
      const dto: FormDecisionDto = {
        status: 'decided',
        action: decided.action ?? body.action,
        values: (decided.values as Record<string, unknown> | null) ?? {},
        comment: decided.comment,
        decidedAt: (decided.decidedAt ?? new Date()).toISOString(),
      };
      sendData(req, res, dto);
    },
  });
}
