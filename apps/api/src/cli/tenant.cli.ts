import { createPrismaClient } from '@weft/activities';
import { isRole, ROLES } from '@weft/domain';
import { createTenantKey } from '../auth/api-keys';
import { apiConfigSchema } from '../config';
import { AuditLog } from '../audit/audit-log';
import { QuotasService } from '../quotas/quotas.service';
import { QUOTA_FIELDS, QUOTA_MAXIMA, QUOTA_MINIMA, quotaDefaultsOf, type QuotaField, type QuotaSettings } from '../quotas/quota-fields';
import { createOwner, readPassword } from './create-owner';

const USAGE = `usage: npm run tenant -- create <name> [--role ${ROLES.join('|')}]
         Creates the tenant if it does not exist, adds an API key with the role (default admin)
         and prints only the key on stdout.
       npm run tenant -- create-owner <workspace> <email>
         Creates the workspace, an account with that email as its owner, and an owner API key,
         printed alone on stdout. The password is read from WEFT_OWNER_PASSWORD or, when unset,
         from the first line of stdin (never from the command line).
       npm run tenant -- set-quota <workspace> <field>=<number|default> ...
         The operator sets a workspace's quotas and rate limits, above the deployment's defaults
         too (a workspace's owner may only lower them, or raise them up to the defaults).
         Fields: ${QUOTA_FIELDS.join(', ')}.`;

async function main(argv: string[]): Promise<number> {
  const [command, name, ...rest] = argv;
  if (command === 'create-owner') return createOwnerCommand(name, rest);
  if (command === 'set-quota') return setQuotaCommand(name, rest);
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

async function setQuotaCommand(workspace: string | undefined, rest: string[]): Promise<number> {
  if (!workspace || rest.length === 0) return fail('');
  const change: Partial<QuotaSettings> = {};
  for (const arg of rest) {
    const [field, value] = arg.split('=', 2) as [string, string | undefined];
    if (!(QUOTA_FIELDS as readonly string[]).includes(field) || value === undefined) return fail(`'${arg}' is not <field>=<number|default>`);
    const f = field as QuotaField;
    if (value === 'default') change[f] = null;
    else if (/^\d{1,16}$/.test(value) && Number(value) >= QUOTA_MINIMA[f] && Number(value) <= QUOTA_MAXIMA[f]) change[f] = Number(value);
    else return fail(`${f} is a whole number from ${QUOTA_MINIMA[f]} to ${QUOTA_MAXIMA[f]}, or default`, false);
  }
  const config = apiConfigSchema
    .pick({
      DATABASE_URL: true,
      WEFT_QUOTA_CONCURRENT_RUNS: true,
      WEFT_QUOTA_RUNS_PER_DAY: true,
      WEFT_QUOTA_LLM_TOKENS_PER_MONTH: true,
      WEFT_QUOTA_STORED_DOCUMENTS: true,
      WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE: true,
      WEFT_RATE_LIMIT_KEY_PER_MINUTE: true,
    })
    .parse(process.env);
  const prisma = createPrismaClient(config.DATABASE_URL, 1);
  try {
    const tenant = await prisma.tenant.findUnique({ where: { name: workspace } });
    if (!tenant) return fail(`no workspace named '${workspace}'`, false);
    const quotas = new QuotasService(prisma, quotaDefaultsOf(config), new AuditLog(prisma));
    const effective = await quotas.update(change, { tenantId: tenant.id, actor: { type: 'system', id: 'tenant-cli' } }, { operator: true });
    process.stdout.write(`${JSON.stringify(effective)}\n`);
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
