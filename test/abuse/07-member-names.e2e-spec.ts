import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TestApi } from '../support/test-app.js';

/**
 * A member's name belongs to the organization that gave it: another organization adding the same person (by email)
 * learns nothing from the first, and keeps the name it gives itself. Adding a known email answers exactly as
 * adding an unknown one.
 */
const ADD_MEMBER = `mutation($input: AddMemberInput!) { addMember(input: $input) { userId email name role } }`;
const MEMBERS = `{ members { userId email name role } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { token } }`;
const ME = `{ me { member { email name role } } }`;

jest.setTimeout(30_000);

describe('member names across organizations (issue 13, item 7)', () => {
  let api: TestApi;
  let orgA: string;
  let orgB: string;
  let orgC: string;
  const shared = `alice-${Math.random().toString(36).slice(2, 10)}@example.org`;

  beforeAll(async () => {
    api = await TestApi.start();
    [orgA, orgB, orgC] = await Promise.all(
      ['A', 'B', 'C'].map(async (name) => (await api.createOrganization(`Names ${name}`)).token),
    );
  });
  afterAll(() => api.close());

  it('shows organization B none of the name organization A gave the same person', async () => {
    const inA = (await api.ok(orgA, ADD_MEMBER, { input: { email: shared, name: 'Alice Secret', role: 'EDITOR' } }))
      .addMember;
    expect(inA.name).toBe('Alice Secret');

    const inB = (await api.ok(orgB, ADD_MEMBER, { input: { email: shared.toUpperCase(), role: 'VIEWER' } })).addMember;
    expect(inB).toEqual({ userId: expect.any(String), email: shared, name: null, role: 'VIEWER' });
    const listedInB = (await api.ok(orgB, MEMBERS)).members.find((m: { email: string }) => m.email === shared);
    expect(listedInB.name).toBeNull();
    expect(JSON.stringify(await api.ok(orgB, MEMBERS))).not.toContain('Alice Secret');

    // the person, signed in with B's key, sees B's (absent) name too
    const keyInB = (await api.ok(orgB, CREATE_KEY, { input: { userId: inB.userId, name: 'alice' } })).createApiKey
      .token;
    expect((await api.ok(keyInB, ME)).me.member).toEqual({ email: shared, name: null, role: 'VIEWER' });
  });

  it("keeps each organization's own name for the person", async () => {
    const inC = (await api.ok(orgC, ADD_MEMBER, { input: { email: shared, name: 'Alice de C', role: 'EDITOR' } }))
      .addMember;
    expect(inC.name).toBe('Alice de C');
    const nameIn = async (token: string) =>
      (await api.ok(token, MEMBERS)).members.find((m: { email: string }) => m.email === shared).name;
    expect(await nameIn(orgA)).toBe('Alice Secret');
    expect(await nameIn(orgB)).toBeNull();
    expect(await nameIn(orgC)).toBe('Alice de C');
  });

  it('answers a known email as an unknown one: nothing says the person belongs to another organization', async () => {
    const org = (await api.createOrganization('Names D')).token;
    const unknown = `nobody-${Math.random().toString(36).slice(2, 10)}@example.org`;
    const known = await api.gql(org, ADD_MEMBER, { input: { email: shared, role: 'ANALYST' } });
    const fresh = await api.gql(org, ADD_MEMBER, { input: { email: unknown, role: 'ANALYST' } });
    expect(known.errors).toBeUndefined();
    expect(fresh.errors).toBeUndefined();
    const shape = (member: Record<string, unknown>) => ({
      ...member,
      userId: typeof member.userId,
      email: typeof member.email,
    });
    expect(shape(known.data!.addMember)).toEqual(shape(fresh.data!.addMember));
  });
});
