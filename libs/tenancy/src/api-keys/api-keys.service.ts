import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { PgErrorCode, pgErrorCode, TenantContexts, TenantDb } from '@app/database';
import type { AuthContext } from '../auth/auth-context.js';
import { isRole } from '../auth/role.enum.js';
import { type ApiKeyModel, type CreatedApiKeyModel } from './api-key.model.js';
import { generateToken, hashSecret, parseToken, secretMatches } from './api-key-token.util.js';
import { TENANCY_OPTIONS, type TenancyOptions } from '../tenancy.options.js';

const KEY_COLUMNS = `id, name, user_id AS "userId", prefix, expires_at AS "expiresAt",
  revoked_at AS "revokedAt", last_used_at AS "lastUsedAt", created_at AS "createdAt"`;

type CachedAuth = Omit<AuthContext, 'requestId'> & { until: number };

@Injectable()
export class ApiKeysService {
  /** Verified keys, by SHA-256 of the whole token, for AUTH_CACHE_MS. */
  private readonly verified = new Map<string, CachedAuth>();

  constructor(
    private readonly db: TenantDb,
    @Inject(TENANCY_OPTIONS) private readonly options: TenancyOptions,
  ) {}

  /** Creates a key for a member of the current organization; the token is returned once. */
  async create(userId: string, name: string, expiresAt: Date | null): Promise<CreatedApiKeyModel> {
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw AppError.badInput('expiresAt', 'expiresAt must be in the future');
    if (!name.trim()) throw AppError.badInput('name', 'name must not be blank');
    const { orgId, userId: createdBy } = TenantContexts.require();
    const { token, prefix, secretHash } = generateToken(orgId);
    try {
      const [apiKey] = await this.db.transaction((tx) =>
        tx.query<ApiKeyModel>(
          `INSERT INTO api_keys (org_id, user_id, name, prefix, secret_hash, expires_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${KEY_COLUMNS}`,
          [orgId, userId, name.trim(), prefix, secretHash, expiresAt, createdBy ?? null],
        ),
      );
      return { apiKey, token };
    } catch (error) {
      if (pgErrorCode(error) === PgErrorCode.FOREIGN_KEY_VIOLATION) throw AppError.notFound('Member');
      throw error;
    }
  }

  async list(): Promise<ApiKeyModel[]> {
    return this.db.transaction((tx) => tx.query<ApiKeyModel>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`));
  }

  async revoke(id: string): Promise<ApiKeyModel> {
    const rows = await this.db.transaction((tx) =>
      tx.query<ApiKeyModel>(
        `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${KEY_COLUMNS}`,
        [id],
      ),
    );
    const [updated] = rows;
    if (!updated) throw AppError.notFound('API key');
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

    const parsed = parseToken(token);
    if (!parsed) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid API key');
    const row = await TenantContexts.run({ orgId: parsed.orgId }, () =>
      this.db.transaction(async (tx) => {
        const [key] = await tx.query<KeyRow>(
          `SELECT k.id, k.user_id AS "userId", m.role, k.secret_hash AS "secretHash",
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
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now) || !isRole(row.role)) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid, expired or revoked API key');
    }
    const auth = { orgId: parsed.orgId, userId: row.userId, role: row.role, apiKeyId: row.id };
    const until = Math.min(now + this.options.authCacheMs, row.expiresAt?.getTime() ?? Infinity);
    if (this.options.authCacheMs > 0) this.verified.set(cacheKey, { ...auth, until });
    if (this.verified.size > 10_000) this.verified.clear();
    return { ...auth, requestId };
  }

  /** Forgets every verified key (after a revocation or a role change). */
  forgetVerified(): void {
    this.verified.clear();
  }
}

interface KeyRow {
  id: string;
  userId: string;
  role: string;
  secretHash: Buffer;
  expiresAt: Date | null;
  revokedAt: Date | null;
}
