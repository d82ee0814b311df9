import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { PrismaClient } from '@weft/activities';
import { emailField, newPasswordField, workspaceNameField } from '../accounts/accounts.schemas';
import { hashApiKey, newId } from '../auth/api-keys';
import { DEFAULT_PASSWORD_PARAMS, hashPassword } from '../auth/passwords';

export type CreateOwnerResult = { ok: true; tenantId: string; accountId: string; email: string; key: string } | { ok: false; problem: string };

/**
 * Bootstrapping (`npm run tenant -- create-owner`): a new workspace, a new account that owns it,
 * and an owner API key, in one transaction; the same rules as sign-up for the email, the password
 * and the name. Refuses an existing workspace or email rather than changing them.
 */
export async function createOwner(prisma: PrismaClient, input: { workspace: string; email: string; password: string; logN?: number }): Promise<CreateOwnerResult> {
  const workspace = workspaceNameField.safeParse(input.workspace);
  if (!workspace.success) return { ok: false, problem: workspace.error.issues[0]!.message };
  const email = emailField.safeParse(input.email);
  if (!email.success) return { ok: false, problem: email.error.issues[0]!.message };
  const password = newPasswordField.safeParse(input.password);
  if (!password.success) return { ok: false, problem: password.error.issues[0]!.message };
  const passwordHash = await hashPassword(password.data, { ...DEFAULT_PASSWORD_PARAMS, logN: input.logN ?? DEFAULT_PASSWORD_PARAMS.logN });
  const key = `sk-${randomBytes(32).toString('base64url')}`;
  return prisma.$transaction(async (tx): Promise<CreateOwnerResult> => {
    if (await tx.tenant.findUnique({ where: { name: workspace.data } })) return { ok: false, problem: `a workspace named '${workspace.data}' already exists` };
    if (await tx.account.findUnique({ where: { email: email.data } })) return { ok: false, problem: `an account with the email ${email.data} already exists` };
    const tenantId = newId('tn');
    const accountId = newId('acct');
    await tx.tenant.create({ data: { id: tenantId, name: workspace.data } });
    await tx.account.create({ data: { id: accountId, email: email.data, passwordHash } });
    await tx.membership.create({ data: { id: newId('mem'), tenantId, accountId, role: 'owner' } });
    await tx.apiKey.create({ data: { id: newId('key'), tenantId, hash: hashApiKey(key), prefix: key.slice(0, 7), role: 'owner', name: 'first owner key', createdBy: accountId } });
    return { ok: true, tenantId, accountId, email: email.data, key };
  });
}

/** The first line of a stream (the password piped in), without its line ending. */
export async function readPassword(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n') || text.length > 4096) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
