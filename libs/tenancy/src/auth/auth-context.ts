import { type TenantContext, TenantContexts } from '@app/database';
import { Role } from './role.enum.js';

/** The authenticated caller, as the guard puts it on the GraphQL context. */
export interface AuthContext {
  readonly orgId: string;
  readonly userId: string;
  readonly role: Role;
  readonly apiKeyId: string;
  readonly requestId: string;
}

/** The role of whoever runs the current unit of work (system work counts as OWNER). */
export function currentRole(): Role {
  const role = TenantContexts.require().role;
  return role ? (role as Role) : Role.OWNER;
}

/**
 * ANALYST reads contacts without direct identifiers. `role` for field resolvers, which run outside the
 * operation's tenant context (callerOf(request).role); else the current unit of work's.
 */
export function mayReadIdentifiers(role: string = currentRole()): boolean {
  return role !== (Role.ANALYST as string);
}

/**
 * The tenant context of an authenticated request, for work that runs outside
 * the operation's interceptor (GraphQL field resolvers, DataLoader batches).
 */
export function callerOf(request: { crmAuth?: AuthContext }): TenantContext {
  const auth = request.crmAuth;
  if (!auth) throw new Error('No authenticated caller on this request');
  return { orgId: auth.orgId, userId: auth.userId, role: auth.role, requestId: auth.requestId };
}
