import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { TenantContexts, TenantDb } from '@app/database';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { Role } from '../auth/role.enum.js';
import { MembersService } from '../members/members.service.js';
import type { MemberModel } from '../members/member.model.js';
import type { OrganizationModel } from './organization.model.js';

const ORG_COLUMNS = `id, name, created_at AS "createdAt"`;

export interface CreatedOrganization {
  organization: OrganizationModel;
  owner: MemberModel;
  /** The owner's first API key, shown once. */
  token: string;
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly db: TenantDb,
    private readonly members: MembersService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /** Bootstraps an organization with its owner and the owner's first API key. */
  async create(name: string, ownerEmail: string, ownerName: string | null = null): Promise<CreatedOrganization> {
    if (!name.trim()) throw AppError.badInput('name', 'name must not be blank');
    const orgId = randomUUID();
    return TenantContexts.run({ orgId }, () =>
      this.db.transaction(async (tx) => {
        const [organization] = await tx.query<OrganizationModel>(
          `INSERT INTO organizations (id, name) VALUES ($1, $2) RETURNING ${ORG_COLUMNS}`,
          [orgId, name.trim()],
        );
        const owner = await this.members.add(ownerEmail, ownerName, Role.OWNER);
        const { token } = await this.apiKeys.create(owner.userId, 'Owner key', null);
        return { organization, owner, token };
      }),
    );
  }

  async current(): Promise<OrganizationModel> {
    const [organization] = await this.db.transaction((tx) =>
      tx.query<OrganizationModel>(`SELECT ${ORG_COLUMNS} FROM organizations`),
    );
    if (!organization) throw AppError.notFound('Organization');
    return organization;
  }

  async rename(name: string): Promise<OrganizationModel> {
    if (!name.trim()) throw AppError.badInput('name', 'name must not be blank');
    const [organization] = await this.db.transaction((tx) =>
      tx.query<OrganizationModel>(`UPDATE organizations SET name = $1, updated_at = now() RETURNING ${ORG_COLUMNS}`, [
        name.trim(),
      ]),
    );
    return organization;
  }
}
