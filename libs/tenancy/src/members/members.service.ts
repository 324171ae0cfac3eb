import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { PgErrorCode, pgErrorCode, TenantDb, type Tx } from '@app/database';
import { currentRole } from '../auth/auth-context.js';
import { Role } from '../auth/role.enum.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { MemberModel } from './member.model.js';

// the name is the membership's: each organization names its members itself (a user may belong to several)
const MEMBER_COLUMNS = `m.user_id AS "userId", u.email::text AS email, m.name, m.role, m.created_at AS "createdAt"`;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Members of the current organization. Only an OWNER grants, changes or removes OWNER. */
@Injectable()
export class MembersService {
  constructor(
    private readonly db: TenantDb,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async list(): Promise<MemberModel[]> {
    return this.db.transaction((tx) =>
      tx.query<MemberModel>(
        `SELECT ${MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id ORDER BY u.email`,
      ),
    );
  }

  async get(userId: string): Promise<MemberModel> {
    return this.db.transaction((tx) => this.find(tx, userId));
  }

  async add(email: string, name: string | null, role: Role): Promise<MemberModel> {
    const normalized = email.trim().toLowerCase();
    if (!EMAIL.test(normalized)) throw AppError.badInput('email', 'email is not a valid email address');
    this.assertMayGrant(role);
    return this.db.transaction(async (tx) => {
      // the id only, whether the user existed in another organization or not
      const [{ id }] = await tx.query<{ id: string }>('SELECT crm_ensure_user($1) AS id', [normalized]);
      try {
        await tx.query(`INSERT INTO memberships (org_id, user_id, role, name) VALUES (crm_current_org(), $1, $2, $3)`, [
          id,
          role,
          name?.trim() || null,
        ]);
      } catch (error) {
        if (pgErrorCode(error) === PgErrorCode.UNIQUE_VIOLATION) {
          throw new AppError(ErrorCode.CONFLICT, `${normalized} is already a member`, 'email');
        }
        throw error;
      }
      return this.find(tx, id);
    });
  }

  async changeRole(userId: string, role: Role): Promise<MemberModel> {
    this.assertMayGrant(role);
    const member = await this.db.transaction(async (tx) => {
      const before = await this.find(tx, userId, true);
      this.assertMayGrant(before.role);
      if (before.role === Role.OWNER && role !== Role.OWNER) await this.assertAnotherOwner(tx, userId);
      await tx.execute('UPDATE memberships SET role = $2, updated_at = now() WHERE user_id = $1', [userId, role]);
      return this.find(tx, userId);
    });
    this.apiKeys.forgetVerified();
    return member;
  }

  /** Removes the member and their API keys. */
  async remove(userId: string): Promise<MemberModel> {
    const member = await this.db.transaction(async (tx) => {
      const before = await this.find(tx, userId, true);
      this.assertMayGrant(before.role);
      if (before.role === Role.OWNER) await this.assertAnotherOwner(tx, userId);
      await tx.execute('DELETE FROM memberships WHERE user_id = $1', [userId]);
      return before;
    });
    this.apiKeys.forgetVerified();
    return member;
  }

  private async find(tx: Tx, userId: string, forUpdate = false): Promise<MemberModel> {
    const [member] = await tx.query<MemberModel>(
      `SELECT ${MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.user_id = $1 ${forUpdate ? 'FOR UPDATE OF m' : ''}`,
      [userId],
    );
    if (!member) throw AppError.notFound('Member');
    return member;
  }

  private assertMayGrant(role: Role): void {
    if (role === Role.OWNER && currentRole() !== Role.OWNER) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Only an OWNER can grant, change or remove the OWNER role');
    }
  }

  private async assertAnotherOwner(tx: Tx, userId: string): Promise<void> {
    const owners = await tx.query<{ userId: string }>(
      `SELECT user_id AS "userId" FROM memberships WHERE role = 'OWNER' AND user_id <> $1 FOR UPDATE`,
      [userId],
    );
    if (owners.length === 0) throw new AppError(ErrorCode.CONFLICT, 'An organization keeps at least one OWNER');
  }
}
