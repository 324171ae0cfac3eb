import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { TenantContexts, TenantDb } from '@app/database';
import { type AuthContext, currentRole } from '../auth/auth-context.js';
import { isRole, lowerRole, Role } from '../auth/role.enum.js';
import { type ApiKeyModel, type CreatedApiKeyModel } from './api-key.model.js';
import { generateToken, hashSecret, parseToken, secretMatches } from './api-key-token.util.js';
import { TENANCY_OPTIONS, type TenancyOptions } from '../tenancy.options.js';

const KEY_COLUMNS = `k.id, k.name, k.user_id AS "userId", k.prefix, k.expires_at AS "expiresAt",
  k.revoked_at AS "revokedAt", k.last_used_at AS "lastUsedAt", k.created_at AS "createdAt"`;

/** Tokens remembered either way; past it, the oldest goes first. */
const MAX_CACHED = 10_000;

type CachedAuth = Omit<AuthContext, 'requestId'> & { until: number };

/**
 * API keys of the current organization. An ADMIN manages the keys of members below OWNER only (as it manages the
 * members themselves): it cannot create, revoke or list an OWNER's keys, and a key it creates for someone else
 * acts at most as ADMIN (role_cap), even once that member becomes an OWNER.
 */
@Injectable()
export class ApiKeysService {
  /** Verified keys, by SHA-256 of the whole token, for AUTH_CACHE_MS. */
  private readonly verified = new Map<string, CachedAuth>();
  /**
   * Refused well-formed tokens, by the same hash, until when, for AUTH_CACHE_MS: a bogus key sent again costs no
   * database transaction. A refusal cannot turn into a success (a token is 256 random bits, known once its key is
   * committed; a revoked or expired key stays so), and creating a key clears it anyway.
   */
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly db: TenantDb,
    @Inject(TENANCY_OPTIONS) private readonly options: TenancyOptions,
  ) {}

  /** Creates a key for a member of the current organization; the token is returned once. */
  async create(userId: string, name: string, expiresAt: Date | null): Promise<CreatedApiKeyModel> {
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw AppError.badInput('expiresAt', 'expiresAt must be in the future');
    if (!name.trim()) throw AppError.badInput('name', 'name must not be blank');
    const { orgId, userId: createdBy } = TenantContexts.require();
    const caller = currentRole();
    const { token, prefix, secretHash } = generateToken(orgId);
    const apiKey = await this.db.transaction(async (tx) => {
      // FOR SHARE: a role change of this member waits for the key to commit, so the role checked is the role it is made for
      const [member] = await tx.query<{ role: Role }>('SELECT role FROM memberships WHERE user_id = $1 FOR SHARE', [
        userId,
      ]);
      if (!member) throw AppError.notFound('Member');
      assertMayManage(caller, member.role, 'create API keys for');
      // whoever creates a key for someone else has seen its token: below OWNER, it never acts above its creator
      const cap = createdBy && createdBy !== userId && caller !== Role.OWNER ? caller : null;
      const [created] = await tx.query<ApiKeyModel>(
        `INSERT INTO api_keys AS k (org_id, user_id, name, prefix, secret_hash, expires_at, created_by, role_cap)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${KEY_COLUMNS}`,
        [orgId, userId, name.trim(), prefix, secretHash, expiresAt, createdBy ?? null, cap],
      );
      return created;
    });
    this.refused.clear();
    return { apiKey, token };
  }

  /** Every key an OWNER may manage; for an ADMIN, the keys of members below OWNER. */
  async list(): Promise<ApiKeyModel[]> {
    const everyKey = currentRole() === Role.OWNER;
    return this.db.transaction((tx) =>
      tx.query<ApiKeyModel>(
        `SELECT ${KEY_COLUMNS} FROM api_keys k JOIN memberships m USING (org_id, user_id)
          WHERE $1 OR m.role <> 'OWNER' ORDER BY k.created_at, k.id`,
        [everyKey],
      ),
    );
  }

  async revoke(id: string): Promise<ApiKeyModel> {
    const caller = currentRole();
    const updated = await this.db.transaction(async (tx) => {
      const [key] = await tx.query<{ role: Role }>(
        'SELECT m.role FROM api_keys k JOIN memberships m USING (org_id, user_id) WHERE k.id = $1 FOR UPDATE OF k FOR SHARE OF m',
        [id],
      );
      if (!key) throw AppError.notFound('API key');
      assertMayManage(caller, key.role, 'revoke API keys of');
      const [row] = await tx.query<ApiKeyModel>(
        `UPDATE api_keys k SET revoked_at = coalesce(k.revoked_at, now()) WHERE k.id = $1 RETURNING ${KEY_COLUMNS}`,
        [id],
      );
      return row;
    });
    this.verified.clear();
    return updated;
  }

  /**
   * The caller behind a bearer token, or UNAUTHENTICATED. The key row is read
   * inside the tenant named by the token, so row-level security applies here too.
   */
  async authenticate(token: string, requestId: string): Promise<AuthContext> {
    const cacheKey = hashSecret(token).toString('base64');
    const cached = this.verified.get(cacheKey);
    if (cached && cached.until > Date.now()) return { ...cached, requestId };
    const refusedUntil = this.refused.get(cacheKey);
    if (refusedUntil !== undefined) {
      if (refusedUntil > Date.now()) throw refusedKey();
      this.refused.delete(cacheKey);
    }

    const parsed = parseToken(token);
    if (!parsed) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid API key');
    const row = await TenantContexts.run({ orgId: parsed.orgId }, () =>
      this.db.transaction(async (tx) => {
        const [key] = await tx.query<KeyRow>(
          `SELECT k.id, k.user_id AS "userId", m.role, k.role_cap AS "roleCap", k.secret_hash AS "secretHash",
                  k.expires_at AS "expiresAt", k.revoked_at AS "revokedAt"
             FROM api_keys k JOIN memberships m USING (org_id, user_id)
            WHERE k.prefix = $1`,
          [parsed.prefix],
        );
        if (key && secretMatches(parsed.secret, key.secretHash)) {
          // last-used time, written at most once a minute per key
          await tx.query(
            `UPDATE api_keys SET last_used_at = now()
              WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
            [key.id],
          );
          return key;
        }
        return undefined;
      }),
    );
    const now = Date.now();
    if (
      !row ||
      row.revokedAt ||
      (row.expiresAt && row.expiresAt.getTime() <= now) ||
      !isRole(row.role) ||
      (row.roleCap !== null && !isRole(row.roleCap))
    ) {
      this.remember(this.refused, cacheKey, now + this.options.authCacheMs);
      throw refusedKey();
    }
    const role = row.roleCap ? lowerRole(row.role, row.roleCap) : row.role;
    const auth = { orgId: parsed.orgId, userId: row.userId, role, apiKeyId: row.id };
    const until = Math.min(now + this.options.authCacheMs, row.expiresAt?.getTime() ?? Infinity);
    this.remember(this.verified, cacheKey, { ...auth, until });
    return { ...auth, requestId };
  }

  /** Forgets every verified key (after a revocation or a role change). */
  forgetVerified(): void {
    this.verified.clear();
  }

  /** Keeps `value` (unless caching is off), dropping the oldest entry past MAX_CACHED (a Map keeps insertion order). */
  private remember<T>(cache: Map<string, T>, key: string, value: T): void {
    if (this.options.authCacheMs <= 0) return;
    cache.delete(key);
    cache.set(key, value);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }
}

/** The members' rule, applied to their keys: only an OWNER touches an OWNER's. */
function assertMayManage(caller: Role, memberRole: Role, what: string): void {
  if (memberRole === Role.OWNER && caller !== Role.OWNER) {
    throw new AppError(ErrorCode.FORBIDDEN, `Only an OWNER can ${what} an OWNER`);
  }
}

function refusedKey(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid, expired or revoked API key');
}

interface KeyRow {
  id: string;
  userId: string;
  role: string;
  roleCap: string | null;
  secretHash: Buffer;
  expiresAt: Date | null;
  revokedAt: Date | null;
}
