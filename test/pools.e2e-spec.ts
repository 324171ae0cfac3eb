import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@app/tenancy';
import { type GraphqlResponse, TestApi } from './support/test-app.js';

const POOL_FIELDS = `id name description purposes minGroupSize termsVersion frozen frozenAt stewardName
  members { organizationName role status since isMine }
  myMembership { poolId role status invitedAt ownMinGroupSize leftAt
    agreement { purposes minGroupSize termsVersion acceptedAt acceptedBy } }`;
const CREATE = `mutation($input: CreatePoolInput!) { createPool(input: $input) { ${POOL_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdatePoolInput!) { updatePool(id: $id, input: $input) { ${POOL_FIELDS} } }`;
const POOL = `query($id: ID!) { pool(id: $id) { ${POOL_FIELDS} } }`;
const POOLS = `{ pools { id name myMembership { status role } } }`;
const INVITE = `mutation($poolId: ID!, $organizationId: ID!) { invitePoolMember(poolId: $poolId, organizationId: $organizationId) { ${POOL_FIELDS} } }`;
const REMOVE = `mutation($poolId: ID!, $organizationId: ID!) { removePoolMember(poolId: $poolId, organizationId: $organizationId) { ${POOL_FIELDS} } }`;
const ACCEPT = `mutation($poolId: ID!) { acceptPoolInvitation(poolId: $poolId) { ${POOL_FIELDS} } }`;
const ACCEPT_TERMS = `mutation($poolId: ID!, $termsVersion: Int) { acceptPoolInvitation(poolId: $poolId, termsVersion: $termsVersion) { ${POOL_FIELDS} } }`;
const DECLINE = `mutation($poolId: ID!) { declinePoolInvitation(poolId: $poolId) { poolId status } }`;
const LEAVE = `mutation($poolId: ID!) { leavePool(poolId: $poolId) { poolId status leftAt } }`;
const OWN_K = `mutation($poolId: ID!, $k: Int) { setPoolMinGroupSize(poolId: $poolId, minGroupSize: $k) { ${POOL_FIELDS} } }`;

interface Org {
  id: string;
  name: string;
  owner: string;
  ownerUserId: string;
}

const errorOf = (response: GraphqlResponse) => ({
  code: response.errors?.[0]?.extensions?.code,
  field: response.errors?.[0]?.extensions?.field,
});

describe('pools (issue 15: pools, invitations, agreements, memberships)', () => {
  let api: TestApi;
  let a: Org;
  let b: Org;
  let c: Org;

  beforeAll(async () => {
    api = await TestApi.start();
    const make = async (name: string): Promise<Org> => {
      const created = await api.createOrganization(name);
      return {
        id: created.organization.id,
        name: created.organization.name,
        owner: created.token,
        ownerUserId: created.owner.userId,
      };
    };
    a = await make('Théâtre du Lac');
    b = await make('Salle Desjardins');
    c = await make('Festival des Neiges');
  });
  afterAll(async () => {
    await api.close();
  });

  const create = async (org: Org, input: Record<string, unknown> = {}) =>
    (
      await api.ok<any>(org.owner, CREATE, {
        input: { name: 'Réseau des diffuseurs de l’Est', purposes: ['AUDIENCE_RESEARCH'], ...input },
      })
    ).createPool;

  it('runs the whole lifecycle: create, invite, accept with its agreement, members by name, leave, remove, freeze', async () => {
    const created = await create(a, {
      description: 'Diffuseurs de l’Est',
      purposes: ['CROSS_PROMOTION', 'AUDIENCE_RESEARCH'],
      minGroupSize: 12,
    });
    expect(created).toMatchObject({
      name: 'Réseau des diffuseurs de l’Est',
      purposes: ['AUDIENCE_RESEARCH', 'CROSS_PROMOTION'],
      minGroupSize: 12,
      termsVersion: 1,
      frozen: false,
      stewardName: a.name,
      members: [{ organizationName: a.name, role: 'STEWARD', status: 'ACTIVE', isMine: true }],
      myMembership: {
        role: 'STEWARD',
        status: 'ACTIVE',
        ownMinGroupSize: null,
        agreement: {
          purposes: ['AUDIENCE_RESEARCH', 'CROSS_PROMOTION'],
          minGroupSize: 12,
          termsVersion: 1,
          acceptedBy: a.ownerUserId,
        },
      },
    });
    const id = created.id as string;
    // k defaults to 10
    expect((await create(a)).minGroupSize).toBe(10);

    // invitations: B and C; B sees the pool (and its own INVITED status), C not yet
    expect((await api.gql(c.owner, POOL, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const invited = (await api.ok<any>(a.owner, INVITE, { poolId: id, organizationId: b.id })).invitePoolMember;
    expect(invited.members.map((m: any) => [m.organizationName, m.status])).toEqual([
      [a.name, 'ACTIVE'],
      [b.name, 'INVITED'],
    ]);
    await api.ok(a.owner, INVITE, { poolId: id, organizationId: c.id });
    const seenByB = (await api.ok<any>(b.owner, POOL, { id })).pool;
    expect(seenByB).toMatchObject({
      stewardName: a.name,
      myMembership: { role: 'MEMBER', status: 'INVITED', agreement: null },
    });
    expect((await api.ok<any>(b.owner, POOLS)).pools).toEqual([
      { id, name: created.name, myMembership: { status: 'INVITED', role: 'MEMBER' } },
    ]);

    // the steward changes the terms before B accepts: B agrees to version 2
    const updated = (await api.ok<any>(a.owner, UPDATE, { id, input: { purposes: ['JOINT_CAMPAIGN'] } })).updatePool;
    expect(updated).toMatchObject({ purposes: ['JOINT_CAMPAIGN'], termsVersion: 2 });
    // a description alone is not a change of terms
    expect((await api.ok<any>(a.owner, UPDATE, { id, input: { description: 'Autre' } })).updatePool.termsVersion).toBe(
      2,
    );
    // accepting the terms B read before the change is refused: B accepts the current ones
    const stale = await api.gql(b.owner, ACCEPT_TERMS, { poolId: id, termsVersion: 1 });
    expect(errorOf(stale)).toEqual({ code: 'CONFLICT', field: 'termsVersion' });
    const accepted = (await api.ok<any>(b.owner, ACCEPT_TERMS, { poolId: id, termsVersion: 2 })).acceptPoolInvitation;
    expect(accepted.myMembership).toMatchObject({
      status: 'ACTIVE',
      agreement: { purposes: ['JOINT_CAMPAIGN'], minGroupSize: 12, termsVersion: 2, acceptedBy: b.ownerUserId },
    });
    expect(Date.parse(accepted.myMembership.agreement.acceptedAt)).toBeGreaterThan(Date.now() - 60_000);
    // members: names, roles, statuses only (no ids anywhere in the type)
    expect(accepted.members).toEqual(
      [
        { organizationName: a.name, role: 'STEWARD', status: 'ACTIVE', since: expect.any(String), isMine: false },
        { organizationName: c.name, role: 'MEMBER', status: 'INVITED', since: expect.any(String), isMine: false },
        { organizationName: b.name, role: 'MEMBER', status: 'ACTIVE', since: expect.any(String), isMine: true },
      ].sort((x, y) =>
        x.role === y.role ? x.organizationName.localeCompare(y.organizationName) : x.role === 'STEWARD' ? -1 : 1,
      ),
    );

    // a member raises k for its own data: at least the pool's
    expect(errorOf(await api.gql(b.owner, OWN_K, { poolId: id, k: 11 }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'minGroupSize',
    });
    expect(errorOf(await api.gql(b.owner, OWN_K, { poolId: id, k: 4 }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'minGroupSize',
    });
    expect((await api.ok<any>(b.owner, OWN_K, { poolId: id, k: 25 })).setPoolMinGroupSize.myMembership).toMatchObject({
      ownMinGroupSize: 25,
    });

    // C accepts, then leaves: the pool disappears for it
    await api.ok(c.owner, ACCEPT, { poolId: id });
    const left = (await api.ok<any>(c.owner, LEAVE, { poolId: id })).leavePool;
    expect(left).toMatchObject({ poolId: id, status: 'LEFT' });
    expect(errorOf(await api.gql(c.owner, POOL, { id }))).toEqual({ code: 'NOT_FOUND', field: undefined });
    expect((await api.ok<any>(c.owner, POOLS)).pools).toEqual([]);
    // ... and can be invited again, then the steward withdraws the invitation
    await api.ok(a.owner, INVITE, { poolId: id, organizationId: c.id });
    const withdrawn = (await api.ok<any>(a.owner, REMOVE, { poolId: id, organizationId: c.id })).removePoolMember;
    expect(withdrawn.members.map((m: any) => m.organizationName)).toEqual([a.name, b.name]);

    // the steward removes B, invites it again; B declines
    await api.ok(a.owner, REMOVE, { poolId: id, organizationId: b.id });
    expect(errorOf(await api.gql(b.owner, POOL, { id }))).toEqual({ code: 'NOT_FOUND', field: undefined });
    await api.ok(a.owner, INVITE, { poolId: id, organizationId: b.id });
    expect((await api.ok<any>(b.owner, DECLINE, { poolId: id })).declinePoolInvitation).toEqual({
      poolId: id,
      status: 'DECLINED',
    });

    // B is invited and accepts once more; then the last steward leaves: the pool is frozen, not orphaned
    await api.ok(a.owner, INVITE, { poolId: id, organizationId: b.id });
    await api.ok(b.owner, ACCEPT, { poolId: id });
    expect((await api.ok<any>(a.owner, LEAVE, { poolId: id })).leavePool.status).toBe('LEFT');
    const frozen = (await api.ok<any>(b.owner, POOL, { id })).pool;
    expect(frozen).toMatchObject({ frozen: true, stewardName: null });
    expect(frozen.frozenAt).not.toBeNull();
    expect(frozen.members.map((m: any) => m.organizationName)).toEqual([b.name]);
    // a frozen pool takes no change; its members may still leave
    expect(errorOf(await api.gql(b.owner, INVITE, { poolId: id, organizationId: c.id })).code).toBe('CONFLICT');
    expect(errorOf(await api.gql(b.owner, UPDATE, { id, input: { name: 'Repris' } })).code).toBe('CONFLICT');
    expect(errorOf(await api.gql(a.owner, INVITE, { poolId: id, organizationId: c.id })).code).toBe('NOT_FOUND');
    expect((await api.ok<any>(b.owner, LEAVE, { poolId: id })).leavePool.status).toBe('LEFT');
  }, 60_000);

  it('applies the role rules: OWNER and ADMIN manage, EDITOR cannot, ANALYST and VIEWER read', async () => {
    const id = (await create(a)).id as string;
    const admin = await api.memberKey(a.id, Role.ADMIN);
    const editorA = await api.memberKey(a.id, Role.EDITOR);
    const editorB = await api.memberKey(b.id, Role.EDITOR);
    const analystB = await api.memberKey(b.id, Role.ANALYST);
    const viewerB = await api.memberKey(b.id, Role.VIEWER);
    const adminB = await api.memberKey(b.id, Role.ADMIN);
    expect(errorOf(await api.gql(editorA, INVITE, { poolId: id, organizationId: b.id })).code).toBe('FORBIDDEN');
    expect(errorOf(await api.gql(editorA, CREATE, { input: { name: 'X', purposes: ['JOINT_CAMPAIGN'] } })).code).toBe(
      'FORBIDDEN',
    );
    await api.ok(admin, INVITE, { poolId: id, organizationId: b.id });
    expect(errorOf(await api.gql(editorB, ACCEPT, { poolId: id })).code).toBe('FORBIDDEN');
    expect(errorOf(await api.gql(analystB, ACCEPT, { poolId: id })).code).toBe('FORBIDDEN');
    expect((await api.ok<any>(analystB, POOL, { id })).pool.myMembership.status).toBe('INVITED');
    expect((await api.ok<any>(viewerB, POOLS)).pools.map((p: any) => p.id)).toContain(id);
    const accepted = (await api.ok<any>(adminB, ACCEPT, { poolId: id })).acceptPoolInvitation;
    expect(accepted.myMembership.status).toBe('ACTIVE');
    expect(errorOf(await api.gql(editorB, LEAVE, { poolId: id })).code).toBe('FORBIDDEN');
    expect(errorOf(await api.gql(analystB, OWN_K, { poolId: id, k: 50 })).code).toBe('FORBIDDEN');
  }, 60_000);

  it('refuses bad input with clear errors, changing nothing', async () => {
    const bad = async (input: Record<string, unknown>) =>
      errorOf(
        await api.gql(a.owner, CREATE, { input: { name: 'Mauvais', purposes: ['AUDIENCE_RESEARCH'], ...input } }),
      );
    expect(await bad({ minGroupSize: 4 })).toEqual({ code: 'BAD_USER_INPUT', field: 'input.minGroupSize' });
    expect(await bad({ purposes: [] })).toEqual({ code: 'BAD_USER_INPUT', field: 'input.purposes' });
    expect(await bad({ purposes: ['AUDIENCE_RESEARCH', 'AUDIENCE_RESEARCH'] })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.purposes',
    });
    expect(await bad({ name: '   ' })).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    // an unknown purpose is not in the enum: GraphQL refuses the variables
    expect((await bad({ purposes: ['SELLING_LISTS'] })).code).toBe('BAD_USER_INPUT');
    expect((await api.ok<any>(a.owner, POOLS)).pools.map((p: any) => p.name)).not.toContain('Mauvais');

    const id = (await create(a, { name: 'Erreurs' })).id as string;
    expect(errorOf(await api.gql(a.owner, UPDATE, { id, input: { minGroupSize: 3 } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.minGroupSize',
    });
    // accepting an invitation that does not exist, then twice
    expect(errorOf(await api.gql(b.owner, ACCEPT, { poolId: id })).code).toBe('NOT_FOUND');
    await api.ok(a.owner, INVITE, { poolId: id, organizationId: b.id });
    expect(errorOf(await api.gql(a.owner, INVITE, { poolId: id, organizationId: b.id })).code).toBe('CONFLICT');
    await api.ok(b.owner, ACCEPT, { poolId: id });
    expect(errorOf(await api.gql(b.owner, ACCEPT, { poolId: id })).code).toBe('CONFLICT');
    // inviting as a member that is not the steward
    expect(errorOf(await api.gql(b.owner, INVITE, { poolId: id, organizationId: c.id })).code).toBe('FORBIDDEN');
    expect(errorOf(await api.gql(b.owner, REMOVE, { poolId: id, organizationId: a.id })).code).toBe('FORBIDDEN');
    // the steward does not remove itself: it leaves
    expect(errorOf(await api.gql(a.owner, REMOVE, { poolId: id, organizationId: a.id }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'organizationId',
    });
    // inviting an organization that does not exist
    expect(errorOf(await api.gql(a.owner, INVITE, { poolId: id, organizationId: randomUUID() }))).toEqual({
      code: 'NOT_FOUND',
      field: 'organizationId',
    });
    // a non-member gets exactly what a nonexistent id gets
    const asNonMember = await api.gql(c.owner, POOL, { id });
    const asNothing = await api.gql(c.owner, POOL, { id: randomUUID() });
    expect(asNonMember.errors?.map((e) => [e.message, e.extensions])).toEqual(
      asNothing.errors?.map((e) => [e.message, e.extensions]),
    );
    expect(errorOf(asNonMember).code).toBe('NOT_FOUND');
    for (const query of [INVITE, REMOVE]) {
      const real = await api.gql(c.owner, query, { poolId: id, organizationId: c.id });
      const none = await api.gql(c.owner, query, { poolId: randomUUID(), organizationId: c.id });
      expect(real.errors?.map((e) => [e.message, e.extensions])).toEqual(
        none.errors?.map((e) => [e.message, e.extensions]),
      );
    }
    expect(errorOf(await api.gql(c.owner, LEAVE, { poolId: id })).code).toBe('NOT_FOUND');
    expect(errorOf(await api.gql(c.owner, POOL, { id: 'not-a-uuid' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  }, 60_000);
});
