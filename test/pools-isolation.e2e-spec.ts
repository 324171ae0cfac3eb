import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { TestApi } from './support/test-app.js';

/**
 * Three organizations driven through random pool operations over GraphQL, against a model of the memberships and
 * shares: after every step each organization sees exactly the pools it is INVITED to or ACTIVE in (with the model's
 * members, by name), a non-member gets NOT_FOUND for a pool exactly as for an id that does not exist, an ACTIVE
 * member sees exactly the pool's live shares (an INVITED one none: it learns not even that a segment exists), sizes
 * under k are suppressed, no answer carries another organization's contact, and every operation succeeds or fails as
 * the rules say.
 */
type Status = 'INVITED' | 'ACTIVE' | 'DECLINED' | 'LEFT' | 'REMOVED';
type Org = 0 | 1 | 2;
type Op =
  | { kind: 'create'; org: Org }
  | { kind: 'invite' | 'remove'; org: Org; pool: number; target: Org }
  | { kind: 'accept' | 'decline' | 'leave' | 'read'; org: Org; pool: number }
  | { kind: 'share'; org: Org; pool: number; audience: 0 | 1 }
  | { kind: 'unshare'; org: Org; segment: number };

/** Each organization's two audiences: one at the pool's k (10) and one under it. */
const AUDIENCE_SIZES = [10, 4] as const;

interface ModelSegment {
  id: string;
  pool: ModelPool;
  publisher: Org;
  audience: 0 | 1;
  live: boolean;
}

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
  fc.record({ kind: fc.constant('share' as const), org, pool: fc.nat(5), audience: fc.constantFrom<0 | 1>(0, 1) }),
  fc.record({ kind: fc.constant('unshare' as const), org, segment: fc.nat(5) }),
);

const live = (status: Status | undefined) => status === 'INVITED' || status === 'ACTIVE';

/** What the rules say of an operation on the model: the error code, or null (and the model is changed). */
function apply(op: Op, pools: ModelPool[], segments: ModelSegment[], created: string | undefined): string | null {
  if (op.kind === 'create') {
    pools.push({ id: created!, steward: op.org, frozen: false, status: new Map([[op.org, 'ACTIVE']]) });
    return null;
  }
  if (op.kind === 'unshare') {
    const segment = segments[op.segment % segments.length];
    if (segment.publisher !== op.org || !segment.live) return 'NOT_FOUND';
    segment.live = false;
    return null;
  }
  const pool = pools[op.pool % pools.length];
  const mine = pool.status.get(op.org);
  if (op.kind === 'share') {
    if (mine !== 'ACTIVE') return 'NOT_FOUND';
    if (pool.frozen) return 'CONFLICT';
    segments.push({ id: created!, pool, publisher: op.org, audience: op.audience, live: true });
    return null;
  }
  if (!live(mine)) return 'NOT_FOUND';
  // leaving, or being removed, withdraws the organization's shares in the pool
  const withdrawShares = (of: Org) => {
    for (const segment of segments) if (segment.pool === pool && segment.publisher === of) segment.live = false;
  };
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
        if (theirs === 'ACTIVE') withdrawShares(op.target);
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
      withdrawShares(op.org);
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

  /** An organization's two static audiences (AUDIENCE_SIZES people, emails unique to it), and their emails. */
  const ownAudiences = async (token: string) => {
    const tag = Math.random().toString(36).slice(2, 10);
    const ids: string[] = [];
    const emails: string[] = [];
    for (const [n, size] of AUDIENCE_SIZES.entries()) {
      const people: string[] = [];
      for (let i = 0; i < size; i++) {
        const email = `p${n}-${i}-${tag}@example.org`;
        emails.push(email);
        const { createContact } = await api.ok<any>(
          token,
          `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
          { input: { firstName: 'P', lastName: `${n}-${i}`, email } },
        );
        people.push(createContact.id);
      }
      const { createAudience } = await api.ok<any>(
        token,
        `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`,
        { input: { name: `Public ${n}`, kind: 'STATIC' } },
      );
      await api.ok(
        token,
        `mutation($id: ID!, $target: AudienceMembersTargetInput!) { addAudienceMembers(id: $id, target: $target) { size } }`,
        { id: createAudience.id, target: { ids: people } },
      );
      ids.push(createAudience.id as string);
    }
    return { ids, emails };
  };

  it('each organization sees exactly its pools, members by name, and nothing of the others', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 4, maxLength: 20 }), async (ops) => {
        const orgs = await Promise.all([0, 1, 2].map(() => api.createOrganization()));
        const tokens = orgs.map((o) => o.token);
        const names = orgs.map((o) => o.organization.name);
        const audiences = await Promise.all(tokens.map((token) => ownAudiences(token)));
        const emails = audiences.map((own) => own.emails);
        const pools: ModelPool[] = [];
        const segments: ModelSegment[] = [];
        for (const op of ops) {
          if (op.kind !== 'create' && pools.length === 0) continue;
          if (op.kind === 'unshare' && segments.length === 0) continue;
          const token = tokens[op.org];
          const pool = op.kind === 'create' || op.kind === 'unshare' ? undefined : pools[op.pool % pools.length];
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
            case 'share':
              response = await api.gql<any>(
                token,
                `mutation($input: ShareAudienceInput!) { r: shareAudience(input: $input) { id } }`,
                {
                  input: {
                    audienceId: audiences[op.org].ids[op.audience],
                    poolId: pool!.id,
                    purpose: 'AUDIENCE_RESEARCH',
                  },
                },
              );
              break;
            case 'unshare':
              response = await api.gql<any>(token, `mutation($id: ID!) { r: unshareAudience(id: $id) }`, {
                id: segments[op.segment % segments.length].id,
              });
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
          const expected = apply(op, pools, segments, response.data?.createPool?.id ?? response.data?.r?.id);
          expect({ op, code: response.errors?.[0]?.extensions?.code ?? null }).toEqual({ op, code: expected });

          // every organization sees exactly its live pools, with the model's members by name
          for (const o of [0, 1, 2] as Org[]) {
            const seen = (
              await api.ok<any>(
                tokens[o],
                `{ pools { id frozen members { organizationName status } myMembership { status }
                           sharedSegments { id publisherName isMine size sizeSuppressed } } }`,
              )
            ).pools;
            // no answer carries a contact of another organization
            const text = JSON.stringify(seen);
            for (const other of ([0, 1, 2] as Org[]).filter((x) => x !== o))
              for (const email of emails[other]) expect(text.includes(email)).toBe(false);
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
                sharedSegments:
                  p.status.get(o) === 'ACTIVE'
                    ? segments
                        .filter((segment) => segment.pool === p && segment.live)
                        .map((segment) => {
                          const size = AUDIENCE_SIZES[segment.audience];
                          const shown = size >= 10;
                          return {
                            id: segment.id,
                            publisherName: names[segment.publisher],
                            isMine: segment.publisher === o,
                            size: shown ? size : null,
                            sizeSuppressed: !shown,
                          };
                        })
                    : [],
              }));
            const sorted = seen
              .map((p: any) => ({
                ...p,
                members: [...p.members].sort((x: any, y: any) => x.organizationName.localeCompare(y.organizationName)),
                sharedSegments: [...p.sharedSegments].sort((x: any, y: any) => x.id.localeCompare(y.id)),
              }))
              .sort((x: any, y: any) => x.id.localeCompare(y.id));
            expect({ org: o, pools: sorted }).toEqual({
              org: o,
              pools: want
                .map((p) => ({ ...p, sharedSegments: p.sharedSegments.sort((x, y) => x.id.localeCompare(y.id)) }))
                .sort((x, y) => x.id.localeCompare(y.id)),
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
