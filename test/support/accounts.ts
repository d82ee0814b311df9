import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { PrismaClient } from '@weft/activities';
import type { Role } from '@weft/domain';
import type { AccessTokens } from '../../apps/api/src/auth/access-tokens';
import { newId } from '../../apps/api/src/auth/api-keys';
import { hashPassword } from '../../apps/api/src/auth/passwords';

/** Cheap scrypt parameters for accounts made by tests (the product's default costs 32 MiB and ~100 ms a hash). */
export const TEST_PASSWORD_PARAMS = { logN: 10, r: 8, p: 1 };

/**
 * An account that is a member of the workspace with the role, made straight in the database, and an
 * access token for it signed by the app's own signer: for suites that need a person, not the
 * sign-in flow (test/api/accounts.test.ts covers that).
 */
export async function memberWithToken(prisma: PrismaClient, app: Express, tenantId: string, role: Role): Promise<{ accountId: string; email: string; token: string }> {
  const accountId = newId('acct');
  const email = `${accountId}@example.test`;
  await prisma.account.create({ data: { id: accountId, email, passwordHash: await hashPassword(randomUUID(), TEST_PASSWORD_PARAMS) } });
  await prisma.membership.create({ data: { id: newId('mem'), tenantId, accountId, role } });
  const tokens = app.locals.accessTokens as AccessTokens;
  return { accountId, email, token: await tokens.sign({ sub: accountId, sid: newId('ses'), ws: tenantId }) };
}

/** The password of every account made by personWithPassword (the sign-in form needs one). */
export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * A person who can sign in through the console: an account with TEST_PASSWORD, a member of the
 * workspace with the role. The email is unique, so suites never meet an earlier run's accounts.
 */
export async function personWithPassword(prisma: PrismaClient, tenantId: string, role: Role, label: string = role): Promise<{ accountId: string; email: string; password: string }> {
  const accountId = newId('acct');
  const email = `${label}.${accountId.slice(-10)}@example.test`.toLowerCase();
  await prisma.account.create({ data: { id: accountId, email, name: label, passwordHash: await hashPassword(TEST_PASSWORD, TEST_PASSWORD_PARAMS) } });
  await prisma.membership.create({ data: { id: newId('mem'), tenantId, accountId, role } });
  return { accountId, email, password: TEST_PASSWORD };
}
