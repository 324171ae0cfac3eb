import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { TestApi } from './support/test-app.js';

/**
 * Three organizations driven through random pool operations over GraphQL, against a model of the memberships: after
 * every step each organization sees exactly the pools it is INVITED to or ACTIVE in (with the model's members, by
 * name), a non-member gets NOT_FOUND for a pool exactly as for an id that does not exist, and every operation
 * succeeds or fails as the rules say.
 */
type Status = 'INVITED' | 'ACTIVE' | 'DECLINED' | 'LEFT' | 'REMOVED';
type Org = 0 | 1 | 2;
type Op =
  | { kind: 'create'; org: Org }
  | { kind: 'invite' | 'remove'; org: Org; pool: number; target: Org }
  | { kind: 'accept' | 'decline' | 'leave' | 'read'; org: Org; pool: number };

interface ModelPool {
  id: string;
  steward: Org | null;
  frozen: boolean;
  status: Map<Org, Status>;
}

const org = fc.constantFrom<Org>(0, 1, 2);
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), org }),
  fc.record({ kind: fc.constantFrom('invite' as const, 'remove' as const), org, pool: fc.nat(5), target: org }),
  fc.record({
    kind: fc.constantFrom('accept' as const, 'decline' as const, 'leave' as const, 'read' as const),
    org,
    pool: fc.nat(5),
  }),
);

const live = (status: Status | undefined) => status === 'INVITED' || status === 'ACTIVE';

/** What the rules say of an operation on the model: the error code, or null (and the model is changed). */
function apply(op: Op, pools: ModelPool[], created: string | undefined): string | null {
  if (op.kind === 'create') {
    pools.push({ id: created!, steward: op.org, frozen: false, status: new Map([[op.org, 'ACTIVE']]) });
    return null;
  }
  const pool = pools[op.pool % pools.length];
  const mine = pool.status.get(op.org);
  if (!live(mine)) return 'NOT_FOUND';
  const freezeIfNoSteward = () => {
    if (pool.steward !== null && pool.status.get(pool.steward) !== 'ACTIVE') {
      pool.steward = null;
      pool.frozen = true;
    }
  };
  switch (op.kind) {
    case 'read':
      return null;
    case 'invite':
    case 'remove': {
      if (pool.frozen) return 'CONFLICT';
      if (pool.steward !== op.org || mine !== 'ACTIVE') return 'FORBIDDEN';
      const theirs = pool.status.get(op.target);
      if (op.kind === 'invite') {
        if (live(theirs)) return 'CONFLICT';
        pool.status.set(op.target, 'INVITED');
      } else {
        if (op.target === op.org) return 'BAD_USER_INPUT';
        if (!live(theirs)) return 'NOT_FOUND';
        pool.status.set(op.target, 'REMOVED');
        freezeIfNoSteward();
      }
      return null;
    }
    case 'accept':
      if (mine === 'ACTIVE' || pool.frozen) return 'CONFLICT';
      pool.status.set(op.org, 'ACTIVE');
      return null;
    case 'decline':
      if (mine === 'ACTIVE') return 'CONFLICT';
      pool.status.set(op.org, 'DECLINED');
      return null;
    case 'leave':
      if (mine === 'INVITED') return 'CONFLICT';
      pool.status.set(op.org, 'LEFT');
      freezeIfNoSteward();
      return null;
  }
}

describe('pool isolation (random pool operations, three organizations)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api.close());

  it('each organization sees exactly its pools, members by name, and nothing of the others', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 4, maxLength: 20 }), async (ops) => {
        const orgs = await Promise.all([0, 1, 2].map(() => api.createOrganization()));
        const tokens = orgs.map((o) => o.token);
        const names = orgs.map((o) => o.organization.name);
        const pools: ModelPool[] = [];
        for (const op of ops) {
          if (op.kind !== 'create' && pools.length === 0) continue;
          const token = tokens[op.org];
          const pool = op.kind === 'create' ? undefined : pools[op.pool % pools.length];
          let response;
          switch (op.kind) {
            case 'create':
              response = await api.gql<any>(
                token,
                `mutation { createPool(input: { name: "Réseau", purposes: [AUDIENCE_RESEARCH] }) { id } }`,
              );
              break;
            case 'invite':
            case 'remove':
              response = await api.gql<any>(
                token,
                `mutation($p: ID!, $o: ID!) { r: ${op.kind === 'invite' ? 'invitePoolMember' : 'removePoolMember'}(poolId: $p, organizationId: $o) { id } }`,
                { p: pool!.id, o: orgs[op.target].organization.id },
              );
              break;
            case 'read':
              response = await api.gql<any>(token, `query($p: ID!) { r: pool(id: $p) { id } }`, { p: pool!.id });
              break;
            case 'accept':
            case 'decline':
            case 'leave': {
              const name = { accept: 'acceptPoolInvitation', decline: 'declinePoolInvitation', leave: 'leavePool' }[
                op.kind
              ];
              response = await api.gql<any>(token, `mutation($p: ID!) { r: ${name}(poolId: $p) { __typename } }`, {
                p: pool!.id,
              });
            }
          }
          const expected = apply(op, pools, response.data?.createPool?.id);
          expect({ op, code: response.errors?.[0]?.extensions?.code ?? null }).toEqual({ op, code: expected });

          // every organization sees exactly its live pools, with the model's members by name
          for (const o of [0, 1, 2] as Org[]) {
            const seen = (
              await api.ok<any>(
                tokens[o],
                `{ pools { id frozen members { organizationName status } myMembership { status } } }`,
              )
            ).pools;
            const want = pools
              .filter((p) => live(p.status.get(o)))
              .map((p) => ({
                id: p.id,
                frozen: p.frozen,
                members: [...p.status]
                  .filter(([, s]) => live(s))
                  .map(([m, s]) => ({ organizationName: names[m], status: s }))
                  .sort((x, y) => x.organizationName.localeCompare(y.organizationName)),
                myMembership: { status: p.status.get(o) },
              }));
            const sorted = seen
              .map((p: any) => ({
                ...p,
                members: [...p.members].sort((x: any, y: any) => x.organizationName.localeCompare(y.organizationName)),
              }))
              .sort((x: any, y: any) => x.id.localeCompare(y.id));
            expect({ org: o, pools: sorted }).toEqual({
              org: o,
              pools: want.sort((x, y) => x.id.localeCompare(y.id)),
            });
            // a pool it is not in: NOT_FOUND, as for an id that does not exist
            for (const p of pools.filter((p) => !live(p.status.get(o)))) {
              const answer = await api.gql(tokens[o], `query($p: ID!) { pool(id: $p) { id } }`, { p: p.id });
              expect({ org: o, code: answer.errors?.[0]?.extensions?.code, data: answer.data }).toEqual({
                org: o,
                code: 'NOT_FOUND',
                data: null,
              });
            }
          }
        }
      }),
      { numRuns: 12 },
    );
  }, 300_000);
});
