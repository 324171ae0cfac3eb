import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import DataLoader from 'dataloader';
import { type TenantContext, TenantContexts } from '@app/database';
import { type AuthenticatedRequest, requestOf } from './api-key.guard.js';
import { callerOf } from './auth-context.js';
import type { Role } from './role.enum.js';

/**
 * The caller of a GraphQL request, as its field resolvers and DataLoaders see it. They run outside the operation's
 * TenantInterceptor (wrapping each field resolver in it, GraphQLModule's `fieldResolverEnhancers`, made bench:api's
 * page of 50 contacts cost about 50% more API CPU per request), so this is their one way into the caller's tenant
 * context: `run()`, and `loader()` whose batches run in it. One per request, from `@Caller()`.
 */
export class RequestCaller {
  readonly tenant: TenantContext;
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  constructor(request: AuthenticatedRequest) {
    this.tenant = callerOf(request);
  }

  get role(): Role {
    return this.tenant.role as Role;
  }

  /** Runs `work` in the caller's tenant context. */
  run<T>(work: () => T): T {
    return TenantContexts.run(this.tenant, work);
  }

  /**
   * The request's DataLoader named `key` (one statement for a whole page), created on first use; its batches run in
   * the caller's tenant context. `batch` answers one value per key, in the keys' order (an Error fails that key alone).
   */
  loader<K, V>(key: string, batch: (keys: readonly K[]) => Promise<readonly (V | Error)[]>): DataLoader<K, V> {
    let loader = this.loaders.get(key) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>((keys) => this.run(() => batch(keys)));
      this.loaders.set(key, loader);
    }
    return loader;
  }
}

const callers = new WeakMap<AuthenticatedRequest, RequestCaller>();

/** The request's caller (created once per request). */
export function requestCaller(request: AuthenticatedRequest): RequestCaller {
  let caller = callers.get(request);
  if (!caller) {
    caller = new RequestCaller(request);
    callers.set(request, caller);
  }
  return caller;
}

/** The context Apollo gives every resolver (graphql.config.ts). */
export interface GraphqlContext {
  req: AuthenticatedRequest;
}

/**
 * The request's caller, for a field resolver written without parameter decorators: `(parent, args, context)`. Nest
 * calls such a method as it is, where a decorated one goes through its per-call wrapper, which a page of 50
 * contacts pays 50 times per field.
 */
export function callerIn(context: GraphqlContext): RequestCaller {
  return requestCaller(context.req);
}

/** A field resolver's parameter: the request's RequestCaller. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): RequestCaller =>
  requestCaller(requestOf(context)),
);
