import { registerEnumType } from '@nestjs/graphql';

/** Member roles, from most to least powerful. See the role matrix in README.md. */
export enum Role {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  EDITOR = 'EDITOR',
  VIEWER = 'VIEWER',
  /** Reads aggregates and contacts without direct identifiers. */
  ANALYST = 'ANALYST',
}
registerEnumType(Role, { name: 'Role' });

const RANK: Record<Role, number> = {
  [Role.OWNER]: 5,
  [Role.ADMIN]: 4,
  [Role.EDITOR]: 3,
  [Role.VIEWER]: 2,
  [Role.ANALYST]: 1,
};

export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

export function isRole(value: string): value is Role {
  return value in RANK;
}

/** The less powerful of two roles (a key's member role under its cap). */
export function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * The role a queued run acts with: the role its creator started it with, capped by their role now. Null when they
 * are no longer a member (or a role is unknown): the run must not act.
 */
export function runRole(createdRole: string | null, memberRole: string | null): Role | null {
  if (memberRole === null || !isRole(memberRole)) return null;
  return createdRole && isRole(createdRole) ? lowerRole(createdRole, memberRole) : memberRole;
}
