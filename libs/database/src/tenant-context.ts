import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting, for which organization. Set by the API's auth or by a job processor. */
export interface TenantContext {
  readonly orgId: string;
  /** The member acting; absent for system work (bootstrap, seeding). */
  readonly userId?: string;
  readonly role?: string;
  readonly requestId?: string;
  /** A queued job's work: its transactions get the longer JOB_STATEMENT_TIMEOUT_MS. */
  readonly job?: boolean;
}

const storage = new AsyncLocalStorage<TenantContext>();

export class MissingTenantError extends Error {
  constructor() {
    super('No tenant is set: tenant data can only be read or written inside TenantContexts.run()');
    this.name = 'MissingTenantError';
  }
}

export const TenantContexts = {
  /** Runs `work` with `context` as the current tenant. */
  run<T>(context: TenantContext, work: () => T): T {
    return storage.run(context, work);
  },
  current(): TenantContext | undefined {
    return storage.getStore();
  },
  require(): TenantContext {
    const context = storage.getStore();
    if (!context) throw new MissingTenantError();
    return context;
  },
};
