import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TenantContexts, TenantDb } from '@app/database';
import { generateToken } from '@app/tenancy';
import { TestApi } from '../support/test-app.js';

/**
 * A well-formed but bogus API key costs one database transaction, not one per request: the refusal is remembered
 * (AUTH_CACHE_MS). A key created afterwards works at once.
 *
 * The transactions are counted by the organization each one is opened for, on the app's one TenantDb (every tenant
 * transaction goes through it; the count is exact whatever else runs).
 */
const ORGANIZATION = '{ organization { name } }';
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { token apiKey { id } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`;

jest.setTimeout(30_000);

describe('refused API keys are remembered (issue 13, negative auth cache)', () => {
  let api: TestApi;
  let db: TenantDb;
  let original: TenantDb['transaction'];
  const transactionsFor = new Map<string, number>();

  beforeAll(async () => {
    api = await TestApi.start({ AUTH_CACHE_MS: '60000' });
    db = api.app.get(TenantDb);
    original = db.transaction.bind(db);
    db.transaction = (work) => {
      const orgId = TenantContexts.current()?.orgId ?? '';
      transactionsFor.set(orgId, (transactionsFor.get(orgId) ?? 0) + 1);
      return original(work);
    };
  });
  afterAll(async () => {
    if (db) db.transaction = original;
    await api?.close();
  });

  const refused = async (token: string) => (await api.gql(token, ORGANIZATION)).errors?.[0].extensions?.code;

  it('spends one transaction on a bogus key, however often it is sent', async () => {
    const nowhere = randomUUID();
    const { token } = generateToken(nowhere);
    expect(await refused(token)).toBe('UNAUTHENTICATED');
    expect(transactionsFor.get(nowhere)).toBe(1);
    for (let i = 0; i < 10; i++) expect(await refused(token)).toBe('UNAUTHENTICATED');
    expect(transactionsFor.get(nowhere)).toBe(1);
  });

  it('does so too for a bogus key naming a real organization, whose own keys keep working', async () => {
    const org = await api.createOrganization('Negative cache');
    const orgId = org.organization.id;
    const { token } = generateToken(orgId);
    const before = transactionsFor.get(orgId) ?? 0;
    expect(await refused(token)).toBe('UNAUTHENTICATED');
    const afterFirst = transactionsFor.get(orgId) ?? 0;
    expect(afterFirst).toBe(before + 1);
    for (let i = 0; i < 10; i++) expect(await refused(token)).toBe('UNAUTHENTICATED');
    expect(transactionsFor.get(orgId)).toBe(afterFirst);
    expect((await api.ok(org.token, ORGANIZATION)).organization.name).toBe('Negative cache');
  });

  it('accepts a key created after bogus ones were refused at once, and still refuses it once revoked', async () => {
    const org = await api.createOrganization('Fresh key');
    for (let i = 0; i < 3; i++) expect(await refused(generateToken(org.organization.id).token)).toBe('UNAUTHENTICATED');
    const created = (await api.ok(org.token, CREATE_KEY, { input: { userId: org.owner.userId, name: 'fresh' } }))
      .createApiKey;
    expect((await api.ok(created.token, ORGANIZATION)).organization.name).toBe('Fresh key');
    await api.ok(org.token, REVOKE_KEY, { id: created.apiKey.id });
    expect(await refused(created.token)).toBe('UNAUTHENTICATED');
  });
});
