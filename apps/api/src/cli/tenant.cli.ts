import { createPrismaClient } from '@weft/activities';
import { isRole, ROLES } from '@weft/domain';
import { createTenantKey } from '../auth/api-keys';
import { apiConfigSchema } from '../config';

const USAGE = `usage: npm run tenant -- create <name> [--role ${ROLES.join('|')}]
Creates the tenant if it does not exist, adds an API key with the role (default admin)
and prints only the key on stdout.`;

async function main(argv: string[]): Promise<number> {
  const [command, name, ...rest] = argv;
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

function fail(message: string): number {
  if (message) process.stderr.write(`error: ${message}\n`);
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
