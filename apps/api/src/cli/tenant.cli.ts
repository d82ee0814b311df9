import { createPrismaClient } from '@weft/activities';
import { isRole, ROLES } from '@weft/domain';
import { createTenantKey } from '../auth/api-keys';
import { apiConfigSchema } from '../config';
import { createOwner, readPassword } from './create-owner';

const USAGE = `usage: npm run tenant -- create <name> [--role ${ROLES.join('|')}]
         Creates the tenant if it does not exist, adds an API key with the role (default admin)
         and prints only the key on stdout.
       npm run tenant -- create-owner <workspace> <email>
         Creates the workspace, an account with that email as its owner, and an owner API key,
         printed alone on stdout. The password is read from WEFT_OWNER_PASSWORD or, when unset,
         from the first line of stdin (never from the command line).`;

async function main(argv: string[]): Promise<number> {
  const [command, name, ...rest] = argv;
  if (command === 'create-owner') return createOwnerCommand(name, rest);
  let role = 'admin';
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--role' && rest[i + 1]) role = rest[++i]!;
    else if (rest[i]?.startsWith('--role=')) role = rest[i]!.slice('--role='.length);
    else return fail(`unknown argument '${rest[i]}'`);
  }
  if (command !== 'create' || !name) return fail('');
  if (!isRole(role)) return fail(`role must be one of ${ROLES.join(', ')}`);
  const prisma = createPrismaClient(apiConfigSchema.pick({ DATABASE_URL: true }).parse(process.env).DATABASE_URL, 1);
  try {
    const { tenantId, key } = await createTenantKey(prisma, name, role);
    process.stdout.write(`${key}\n`);
    process.stderr.write(`tenant '${name}' (${tenantId}): new ${role} key\n`);
    return 0;
  } finally {
    await prisma.$disconnect();
  }
}

async function createOwnerCommand(workspace: string | undefined, rest: string[]): Promise<number> {
  const [email, ...extra] = rest;
  if (!workspace || !email) return fail('');
  if (extra.length) return fail(`unknown argument '${extra[0]}' (the password is read from WEFT_OWNER_PASSWORD or stdin, never the command line)`);
  const config = apiConfigSchema.pick({ DATABASE_URL: true, WEFT_PASSWORD_HASH_LOG_N: true }).parse(process.env);
  const password = process.env.WEFT_OWNER_PASSWORD ?? (await readPassword(process.stdin));
  const prisma = createPrismaClient(config.DATABASE_URL, 1);
  try {
    const created = await createOwner(prisma, { workspace, email, password, logN: config.WEFT_PASSWORD_HASH_LOG_N });
    if (!created.ok) return fail(created.problem, false);
    process.stdout.write(`${created.key}\n`);
    process.stderr.write(`workspace '${workspace}' (${created.tenantId}): owner ${created.email} (${created.accountId}), new owner key\n`);
    return 0;
  } finally {
    await prisma.$disconnect();
  }
}

function fail(message: string, usage = true): number {
  if (message) process.stderr.write(`error: ${message}\n`);
  if (usage) process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
