import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type GraphqlResponse, TestApi } from './support/test-app.js';

const SEGMENT_FIELDS = `id poolId publisherName audienceName purpose description expiresAt isMine size sizeSuppressed`;
const SHARE = `mutation($input: ShareAudienceInput!) { shareAudience(input: $input) { ${SEGMENT_FIELDS} } }`;
const UNSHARE = `mutation($id: ID!) { unshareAudience(id: $id) }`;
const CATALOGUE = `query($id: ID!) { pool(id: $id) { sharedSegments { ${SEGMENT_FIELDS} } } }`;
const CREATE_POOL = `mutation($input: CreatePoolInput!) { createPool(input: $input) { id } }`;
const INVITE = `mutation($poolId: ID!, $organizationId: ID!) { invitePoolMember(poolId: $poolId, organizationId: $organizationId) { id } }`;
const ACCEPT = `mutation($poolId: ID!) { acceptPoolInvitation(poolId: $poolId) { id } }`;
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
const ADD = `mutation($id: ID!, $target: AudienceMembersTargetInput!) { addAudienceMembers(id: $id, target: $target) { size } }`;
const REMOVE = `mutation($id: ID!, $target: AudienceMembersTargetInput!) { removeAudienceMembers(id: $id, target: $target) { size } }`;

interface Org {
  id: string;
  name: string;
  owner: string;
}

const errorOf = (response: GraphqlResponse) => ({
  code: response.errors?.[0]?.extensions?.code,
  field: response.errors?.[0]?.extensions?.field,
});

describe('shared segments (issue 15, step 2a: shareAudience, unshareAudience, the catalogue)', () => {
  let api: TestApi;
  let a: Org;
  let b: Org;
  let c: Org;
  let pool: string;
  let big: string;
  let small: string;
  let bAudience: string;

  const audience = async (org: Org, name: string, people: number) => {
    const ids: string[] = [];
    for (let i = 0; i < people; i++)
      ids.push(
        (
          await api.ok<any>(org.owner, CREATE_CONTACT, {
            input: { firstName: `P${i}`, lastName: name, email: `${name.replace(/\W/g, '')}${i}@example.org` },
          })
        ).createContact.id,
      );
    const { createAudience } = await api.ok<any>(org.owner, CREATE_AUDIENCE, { input: { name, kind: 'STATIC' } });
    await api.ok<any>(org.owner, ADD, { id: createAudience.id, target: { ids } });
    return createAudience.id as string;
  };
  const share = (org: Org, input: Record<string, unknown>) =>
    api.gql<any>(org.owner, SHARE, { input: { poolId: pool, purpose: 'AUDIENCE_RESEARCH', ...input } });
  const catalogue = async (org: Org) => (await api.ok<any>(org.owner, CATALOGUE, { id: pool })).pool.sharedSegments;

  beforeAll(async () => {
    api = await TestApi.start();
    const make = async (name: string): Promise<Org> => {
      const created = await api.createOrganization(name);
      return { id: created.organization.id, name: created.organization.name, owner: created.token };
    };
    a = await make('Théâtre du Lac');
    b = await make('Salle Desjardins');
    c = await make('Festival des Neiges');
    pool = (
      await api.ok<any>(a.owner, CREATE_POOL, {
        input: { name: 'Réseau', purposes: ['AUDIENCE_RESEARCH'], minGroupSize: 5 },
      })
    ).createPool.id;
    await api.ok(a.owner, INVITE, { poolId: pool, organizationId: b.id });
    await api.ok(b.owner, ACCEPT, { poolId: pool });
    big = await audience(a, 'Abonnés', 6);
    small = await audience(a, 'Mécènes', 2);
    bAudience = await audience(b, 'Public B', 1);
  });
  afterAll(async () => {
    await api.close();
  });

  it('shares an audience: the catalogue shows it to members, sizes under k suppressed (null, never 0)', async () => {
    const shared = await share(a, { audienceId: big, description: 'Nos abonnés' });
    expect(shared.errors).toBeUndefined();
    expect(shared.data.shareAudience).toMatchObject({
      poolId: pool,
      publisherName: a.name,
      audienceName: 'Abonnés',
      purpose: 'AUDIENCE_RESEARCH',
      description: 'Nos abonnés',
      isMine: true,
      size: 6,
      sizeSuppressed: false,
    });
    expect((await share(a, { audienceId: small })).errors).toBeUndefined();
    const seen = await catalogue(b);
    expect(seen).toEqual([
      expect.objectContaining({ audienceName: 'Abonnés', publisherName: a.name, isMine: false, size: 6 }),
      expect.objectContaining({ audienceName: 'Mécènes', size: null, sizeSuppressed: true }),
    ]);
  });

  it('follows its audience: members entering or leaving change the fingerprints, so the size', async () => {
    const more: string[] = [];
    for (let i = 0; i < 4; i++)
      more.push(
        (
          await api.ok<any>(a.owner, CREATE_CONTACT, {
            input: { firstName: `M${i}`, lastName: 'Mécène', email: `mecene-more${i}@example.org` },
          })
        ).createContact.id,
      );
    await api.ok(a.owner, ADD, { id: small, target: { ids: more } });
    expect((await catalogue(b)).find((s: any) => s.audienceName === 'Mécènes')).toMatchObject({
      size: 6,
      sizeSuppressed: false,
    });
    await api.ok(a.owner, REMOVE, { id: small, target: { ids: more.slice(0, 2) } });
    expect((await catalogue(b)).find((s: any) => s.audienceName === 'Mécènes')).toMatchObject({
      size: null,
      sizeSuppressed: true,
    });
  });

  it('refuses bad input: another org’s audience, a purpose the pool does not allow, an expired expiresAt, a non-member', async () => {
    expect(errorOf(await share(b, { audienceId: big }))).toEqual({ code: 'NOT_FOUND', field: 'input.audienceId' });
    expect(errorOf(await share(a, { audienceId: bAudience }))).toEqual({
      code: 'NOT_FOUND',
      field: 'input.audienceId',
    });
    expect(errorOf(await share(a, { audienceId: big, purpose: 'JOINT_CAMPAIGN' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.purpose',
    });
    expect(errorOf(await share(a, { audienceId: big, expiresAt: '2020-01-01T00:00:00.000Z' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.expiresAt',
    });
    const cAudience = await audience(c, 'Public C', 1);
    expect(errorOf(await share(c, { audienceId: cAudience }))).toEqual({ code: 'NOT_FOUND', field: 'input.poolId' });
    // a non-member does not see the pool at all
    expect(errorOf(await api.gql(c.owner, CATALOGUE, { id: pool }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('unshares at once; an expired share behaves as withdrawn', async () => {
    const [first] = await catalogue(a);
    expect((await api.ok<any>(a.owner, UNSHARE, { id: first.id })).unshareAudience).toBe(true);
    expect((await catalogue(b)).map((s: any) => s.audienceName)).toEqual(['Mécènes']);
    expect(errorOf(await api.gql(a.owner, UNSHARE, { id: first.id }))).toMatchObject({ code: 'NOT_FOUND' });
    // only the publisher withdraws its share
    const [second] = await catalogue(b);
    expect(errorOf(await api.gql(b.owner, UNSHARE, { id: second.id }))).toMatchObject({ code: 'NOT_FOUND' });

    const soon = await share(a, { audienceId: big, expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect(soon.errors).toBeUndefined();
    expect((await catalogue(b)).map((s: any) => s.audienceName)).toEqual(['Mécènes', 'Abonnés']);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await catalogue(b)).map((s: any) => s.audienceName)).toEqual(['Mécènes']);
  });
});
