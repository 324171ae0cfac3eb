export const TENANCY_OPTIONS = Symbol('TENANCY_OPTIONS');

export interface TenancyOptions {
  /** How long a verified API key is trusted without a database read (AUTH_CACHE_MS). */
  authCacheMs: number;
}
