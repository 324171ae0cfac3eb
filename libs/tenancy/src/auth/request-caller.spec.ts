import { describe, expect, it } from '@jest/globals';
import { TenantContexts } from '@app/database';
import type { AuthenticatedRequest } from './api-key.guard.js';
import { requestCaller } from './request-caller.js';
import { Role, runRole } from './role.enum.js';

const request = (role: Role): AuthenticatedRequest => ({
  headers: {},
  crmAuth: {
    orgId: '00000000-0000-4000-8000-000000000001',
    userId: '00000000-0000-4000-8000-000000000002',
    role,
    apiKeyId: 'k',
    requestId: 'r',
  },
});

describe('RequestCaller (field resolvers and DataLoaders in the caller’s tenant)', () => {
  it('is one per request, with its role', () => {
    const req = request(Role.ANALYST);
    expect(requestCaller(req)).toBe(requestCaller(req));
    expect(requestCaller(req).role).toBe(Role.ANALYST);
    expect(requestCaller(request(Role.ANALYST))).not.toBe(requestCaller(req));
  });

  it('runs work in the caller’s tenant context', () => {
    const caller = requestCaller(request(Role.EDITOR));
    expect(TenantContexts.current()).toBeUndefined();
    expect(caller.run(() => TenantContexts.require())).toEqual({ ...caller.tenant });
    expect(caller.tenant).toMatchObject({
      orgId: '00000000-0000-4000-8000-000000000001',
      role: Role.EDITOR,
      requestId: 'r',
    });
  });

  it('gives one DataLoader per request and key, whose batches run in the caller’s tenant context', async () => {
    const caller = requestCaller(request(Role.OWNER));
    const batches: { keys: readonly string[]; orgId: string | undefined }[] = [];
    const batch = (keys: readonly string[]) => {
      batches.push({ keys, orgId: TenantContexts.current()?.orgId });
      return Promise.resolve(keys.map((key) => key.length));
    };
    const loader = caller.loader('test.lengths', batch);
    expect(caller.loader('test.lengths', batch)).toBe(loader);
    expect(caller.loader('test.other', batch)).not.toBe(loader);
    expect(requestCaller(request(Role.OWNER)).loader('test.lengths', batch)).not.toBe(loader);
    await expect(
      Promise.all([loader.load('a'), loader.load('bb'), caller.loader('test.lengths', batch).load('ccc')]),
    ).resolves.toEqual([1, 2, 3]);
    expect(batches).toEqual([{ keys: ['a', 'bb', 'ccc'], orgId: '00000000-0000-4000-8000-000000000001' }]);
  });
});

describe('runRole (the role a queued run acts with)', () => {
  it('is the role it was started with, capped by the creator’s role now', () => {
    expect(runRole(Role.ADMIN, Role.EDITOR)).toBe(Role.EDITOR);
    expect(runRole(Role.ANALYST, Role.OWNER)).toBe(Role.ANALYST);
    expect(runRole(null, Role.VIEWER)).toBe(Role.VIEWER);
    expect(runRole('UNKNOWN', Role.VIEWER)).toBe(Role.VIEWER);
  });

  it('is null once the creator left the organization (or holds no known role)', () => {
    expect(runRole(Role.ADMIN, null)).toBeNull();
    expect(runRole(Role.ADMIN, 'UNKNOWN')).toBeNull();
  });
});
