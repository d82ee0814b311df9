import type { ApiKey, Prisma, PrismaClient } from '@weft/activities';
import type { Role } from '@weft/domain';
import type { AuthContext } from '../auth/auth-context';
import { mintApiKey, newId } from '../auth/api-keys';
import type { AuditLog, AuditActor } from '../audit/audit-log';
import { ApiKeyExpiredError, ApiKeyExpiryInvalidError, ApiKeyNotFoundError, ApiKeyRevokedError } from './api-key.errors';
import { apiKeyDto, type ApiKeyDto, type NewApiKeyDto } from './api-keys.dto';
import { MAX_KEY_DAYS, type CreateKeyBody } from './api-keys.schemas';
import { checkGrant } from './key-grants';
import type { KeyRevocations } from './key-revocations';

const DAY_MS = 86_400_000;

/** Who asks, for the rules (role and scope ceiling) and the audit entry. */
export interface KeyCaller {
  auth: AuthContext;
  actor: AuditActor;
  requestId?: string;
}

export interface ApiKeysDeps {
  prisma: PrismaClient;
  audit: AuditLog;
  revocations: KeyRevocations;
  now?: () => Date;
}

type KeyState = 'active' | 'revoked' | 'all';

/**
 * API keys of a workspace, managed by its admins: create (the key shown once, only its sha256
 * stored), list, rotate, revoke. A caller never grants more than it holds (key-grants.ts), and a
 * revocation reaches every API process before the request that makes it is answered
 * (key-revocations.ts). Rotation revokes the old key at once: no grace period, so a leaked key
 * rotated away stops at the same moment (a client that needs overlap creates a second key first).
 */
export class ApiKeysService {
  private readonly now: () => Date;

  constructor(private readonly deps: ApiKeysDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async list(tenantId: string, window: { skip: number; take: number; orderBy: { createdAt: 'asc' | 'desc' } }, state: KeyState): Promise<{ items: ApiKeyDto[]; total: number }> {
    const now = this.now();
    const where: Prisma.ApiKeyWhereInput = {
      tenantId,
      ...(state === 'revoked' ? { revokedAt: { not: null } } : {}),
      ...(state === 'active' ? { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } : {}),
    };
    const [rows, total] = await this.deps.prisma.$transaction([
      this.deps.prisma.apiKey.findMany({ where, ...window, orderBy: [window.orderBy, { id: window.orderBy.createdAt }] }),
      this.deps.prisma.apiKey.count({ where }),
    ]);
    return { items: rows.map(apiKeyDto), total };
  }

  async create(caller: KeyCaller, body: CreateKeyBody): Promise<NewApiKeyDto> {
    const scopes = checkGrant(caller.auth, body.role, body.scopes ?? []);
    const now = this.now();
    const expiresAt = this.expiry(body, now);
    const { key, hash, prefix } = mintApiKey();
    return this.deps.prisma.$transaction(async (tx) => {
      const row = await tx.apiKey.create({
        data: { id: newId('key'), tenantId: caller.auth.tenantId, hash, prefix, name: body.name, role: body.role, scopes, createdBy: caller.auth.principal.id, expiresAt, createdAt: now },
      });
      const dto = apiKeyDto(row);
      await this.deps.audit.record({ ...this.entry(caller, 'api_key.create', row.id), after: dto }, tx);
      return { ...dto, key };
    });
  }

  /** A new key with the old one's name, role, scopes and expiry; the old one is revoked at once. */
  async rotate(caller: KeyCaller, id: string): Promise<NewApiKeyDto> {
    const now = this.now();
    const old = await this.find(caller.auth.tenantId, id);
    if (old.revokedAt) throw new ApiKeyRevokedError(id);
    if (old.expiresAt && old.expiresAt <= now) throw new ApiKeyExpiredError(id);
    // Rotating hands the caller a working copy of the key: only a caller that could make it may.
    checkGrant(caller.auth, old.role as Role, old.scopes);
    const { key, hash, prefix } = mintApiKey();
    const made = await this.deps.prisma.$transaction(async (tx) => {
      // Only one of two concurrent rotations (or a rotation and a revocation) wins.
      const revoked = await tx.apiKey.updateMany({ where: { id, tenantId: caller.auth.tenantId, revokedAt: null }, data: { revokedAt: now } });
      if (revoked.count === 0) throw new ApiKeyRevokedError(id);
      const row = await tx.apiKey.create({
        data: {
          id: newId('key'),
          tenantId: caller.auth.tenantId,
          hash,
          prefix,
          name: old.name,
          role: old.role,
          scopes: old.scopes,
          createdBy: caller.auth.principal.id,
          rotatedFrom: old.id,
          expiresAt: old.expiresAt,
          createdAt: now,
        },
      });
      const dto = apiKeyDto(row);
      await this.deps.audit.record({ ...this.entry(caller, 'api_key.rotate', old.id), before: apiKeyDto(old), after: { revokedAt: now.toISOString(), rotatedTo: dto } }, tx);
      return { ...dto, key };
    });
    // After the commit: every process sees the revocation from now on (key-revocations.ts).
    await this.deps.revocations.revoked([old.id]);
    return made;
  }

  /**
   * Revokes the key. Idempotent: revoking a revoked key answers it as it is (its first revocation
   * time, no second audit entry), and marks it revoked for every process again, which is how a
   * revocation whose marker could not be set (503) is completed.
   */
  async revoke(caller: KeyCaller, id: string): Promise<ApiKeyDto> {
    const now = this.now();
    const key = await this.find(caller.auth.tenantId, id);
    checkGrant(caller.auth, key.role as Role, key.scopes);
    const row = await this.deps.prisma.$transaction(async (tx) => {
      const changed = await tx.apiKey.updateMany({ where: { id, tenantId: caller.auth.tenantId, revokedAt: null }, data: { revokedAt: now } });
      const after = await tx.apiKey.findUniqueOrThrow({ where: { id } });
      if (changed.count === 1) await this.deps.audit.record({ ...this.entry(caller, 'api_key.revoke', id), before: apiKeyDto(key), after: apiKeyDto(after) }, tx);
      return after;
    });
    await this.deps.revocations.revoked([id]);
    return apiKeyDto(row);
  }

  private async find(tenantId: string, id: string): Promise<ApiKey> {
    // Another workspace's key is answered as a key that does not exist.
    const row = await this.deps.prisma.apiKey.findFirst({ where: { id, tenantId } });
    if (!row) throw new ApiKeyNotFoundError(id);
    return row;
  }

  private expiry(body: CreateKeyBody, now: Date): Date | null {
    if (body.expiresInDays !== undefined) return new Date(now.getTime() + body.expiresInDays * DAY_MS);
    if (body.expiresAt === undefined) return null;
    const at = new Date(body.expiresAt);
    if (at <= now || at.getTime() - now.getTime() > MAX_KEY_DAYS * DAY_MS) throw new ApiKeyExpiryInvalidError(MAX_KEY_DAYS);
    return at;
  }

  private entry(caller: KeyCaller, action: string, objectId: string) {
    return { tenantId: caller.auth.tenantId, actor: caller.actor, ...(caller.requestId !== undefined ? { requestId: caller.requestId } : {}), action, objectType: 'api_key', objectId };
  }
}
