import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TestApi } from '../support/test-app.js';

/**
 * An ADMIN manages members below OWNER, and so their API keys, never an OWNER's: it cannot create a key for an
 * OWNER (and act as one with it), revoke an OWNER's key, or see an OWNER's keys. A key it made for someone else
 * never acts above ADMIN, even once that member is promoted to OWNER.
 */
const ADD_MEMBER = `mutation($input: AddMemberInput!) { addMember(input: $input) { userId role } }`;
const CHANGE_ROLE = `mutation($userId: ID!, $role: Role!) { changeMemberRole(userId: $userId, role: $role) { userId role } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { token apiKey { id userId } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
const KEYS = `{ apiKeys { id userId revokedAt } }`;
const RENAME = `mutation($name: String!) { renameOrganization(name: $name) { name } }`;

jest.setTimeout(30_000);

describe('ADMIN and the API keys of OWNERs (issue 13, item 5)', () => {
  let api: TestApi;
  let owner: string;
  let ownerUserId: string;
  let ownerKeyId: string;
  let admin: string;
  let adminUserId: string;

  const email = (who: string) => `${who}-${Math.random().toString(36).slice(2, 10)}@example.org`;
  const addMember = async (role: string) =>
    (await api.ok(owner, ADD_MEMBER, { input: { email: email(role.toLowerCase()), role } })).addMember.userId as string;
  const createKey = (token: string, userId: string) => api.gql(token, CREATE_KEY, { input: { userId, name: 'k' } });

  beforeAll(async () => {
    api = await TestApi.start();
    const org = await api.createOrganization('Keys Org');
    owner = org.token;
    ownerUserId = org.owner.userId;
    ownerKeyId = (await api.ok(owner, KEYS)).apiKeys[0].id;
    adminUserId = await addMember('ADMIN');
    admin = (await api.ok(owner, CREATE_KEY, { input: { userId: adminUserId, name: 'admin' } })).createApiKey.token;
  });
  afterAll(() => api.close());

  it('refuses an ADMIN a key for an OWNER, and creates none', async () => {
    const before = (await api.ok(owner, KEYS)).apiKeys.length;
    const result = await createKey(admin, ownerUserId);
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0].message).toMatch(/OWNER/);
    expect(result.data).toBeNull();
    expect((await api.ok(owner, KEYS)).apiKeys).toHaveLength(before);
  });

  it("refuses an ADMIN the revocation of an OWNER's key, which keeps working", async () => {
    const result = await api.gql(admin, REVOKE_KEY, { id: ownerKeyId });
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await api.ok(owner, RENAME, { name: 'Keys Org' })).renameOrganization.name).toBe('Keys Org');
  });

  it("shows an ADMIN no OWNER's key; an OWNER sees every key", async () => {
    const seenByAdmin = (await api.ok(admin, KEYS)).apiKeys as { userId: string }[];
    expect(seenByAdmin.map((k) => k.userId)).toContain(adminUserId);
    expect(seenByAdmin.map((k) => k.userId)).not.toContain(ownerUserId);
    expect(((await api.ok(owner, KEYS)).apiKeys as { userId: string }[]).map((k) => k.userId)).toContain(ownerUserId);
  });

  it('lets an ADMIN create, list and revoke the keys of an EDITOR', async () => {
    const editorUserId = await addMember('EDITOR');
    const created = (await api.ok(admin, CREATE_KEY, { input: { userId: editorUserId, name: 'editor' } })).createApiKey;
    expect((await api.ok(created.token, '{ organization { name } }')).organization.name).toBe('Keys Org');
    expect(((await api.ok(admin, KEYS)).apiKeys as { id: string }[]).map((k) => k.id)).toContain(created.apiKey.id);
    expect((await api.ok(admin, REVOKE_KEY, { id: created.apiKey.id })).revokeApiKey.revokedAt).not.toBeNull();
    expect((await api.gql(created.token, '{ organization { name } }')).errors?.[0].extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('never lets a key an ADMIN made act as OWNER, even when its member is promoted (before or during the creation)', async () => {
    // promoted after the key was made: the key still acts as ADMIN at most
    const promoted = await addMember('EDITOR');
    const madeByAdmin = (await api.ok(admin, CREATE_KEY, { input: { userId: promoted, name: 'by admin' } }))
      .createApiKey.token;
    await api.ok(owner, CHANGE_ROLE, { userId: promoted, role: 'OWNER' });
    expect((await api.gql(madeByAdmin, RENAME, { name: 'Taken over' })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // ...while a key an OWNER makes for the new OWNER acts as OWNER
    const madeByOwner = (await api.ok(owner, CREATE_KEY, { input: { userId: promoted, name: 'by owner' } }))
      .createApiKey.token;
    expect((await api.ok(madeByOwner, RENAME, { name: 'Keys Org' })).renameOrganization.name).toBe('Keys Org');

    // promoted while the ADMIN creates keys: whichever comes first, no key of the ADMIN's renames the organization
    for (let round = 0; round < 5; round++) {
      const target = await addMember('EDITOR');
      const [created] = await Promise.all([
        createKey(admin, target),
        api.gql(owner, CHANGE_ROLE, { userId: target, role: 'OWNER' }),
      ]);
      const token = (created.data as { createApiKey?: { token: string } } | null)?.createApiKey?.token;
      if (!token) {
        expect(created.errors?.[0].extensions?.code).toBe('FORBIDDEN');
        continue;
      }
      expect((await api.gql(token, RENAME, { name: 'Taken over' })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await api.ok(owner, '{ organization { name } }')).organization.name).toBe('Keys Org');
  });
});
