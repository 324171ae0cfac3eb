import { type TenantContext, TenantContexts } from '@app/database';
import { hasRole, Role } from './role.enum.js';

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
 * operation's tenant context (`@Caller() caller`: caller.role); else the current unit of work's.
 */
export function mayReadIdentifiers(role: string = currentRole()): boolean {
  return role !== (Role.ANALYST as string);
}

/**
 * The tenant context of an authenticated request: the operation's (TenantInterceptor), and its field
 * resolvers' and DataLoaders' (RequestCaller).
 */
export function callerOf(request: { crmAuth?: AuthContext }): TenantContext {
  const auth = request.crmAuth;
  if (!auth) throw new Error('No authenticated caller on this request');
  return { orgId: auth.orgId, userId: auth.userId, role: auth.role, requestId: auth.requestId };
}

/** Whether the current caller started `run`, or is an ADMIN: who may download a run's file (it holds what its creator could see). */
export function isCreatorOrAdmin(run: { createdBy: string | null }): boolean {
  const { userId, role } = TenantContexts.require();
  return run.createdBy === userId || hasRole(role as Role, Role.ADMIN);
}
