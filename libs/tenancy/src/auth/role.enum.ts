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
registerEnumType(Role, {
  name: 'Role',
  description: 'What a member may do in an organization, from most to least powerful (the role table in the README).',
  valuesMap: {
    OWNER: { description: 'Everything, including granting OWNER and renaming the organization.' },
    ADMIN: {
      description:
        "Members, API keys (not an OWNER's), custom attributes, interaction terms and dedup thresholds, and what EDITOR does.",
    },
    EDITOR: {
      description:
        'Writes contacts, consent, tags, interactions, audiences, imports and merges, and reads what VIEWER does.',
    },
    VIEWER: {
      description:
        'Reads contacts with their identifiers, consent, job runs, audiences and analytics, and starts exports; changes nothing.',
    },
    ANALYST: {
      description:
        'Reads aggregates and contacts without direct identifiers: email, phone, address lines, birth date, entered values and consent proof are null.',
    },
  },
});

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
