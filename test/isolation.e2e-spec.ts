import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { TestApi } from './support/test-app.js';

/**
 * Two organizations driven through random, interleaved API operations: each
 * must only ever read and change its own contacts, whatever the other does —
 * even when it uses the other's contact ids, tags and external ids.
 */
type Op =
  | { kind: 'create'; org: 0 | 1; name: string; tag: string; externalId: string }
  | { kind: 'update'; org: 0 | 1; target: number; name: string }
  | { kind: 'delete'; org: 0 | 1; target: number }
  | { kind: 'tag'; org: 0 | 1; target: number; tag: string }
  | { kind: 'read'; org: 0 | 1; target: number }
  | { kind: 'byExternalId'; org: 0 | 1; externalId: string }
  | { kind: 'interact'; org: 0 | 1; target: number }
  | { kind: 'listAdd'; org: 0 | 1; target: number }
  | { kind: 'preview'; org: 0 | 1; tag: string }
  | { kind: 'otherAudience'; org: 0 | 1 };

const org = fc.constantFrom<0 | 1>(0, 1);
const word = fc.constantFrom('Hélène', 'Côté', 'Tremblay', 'Smith', 'Gagnon', 'Roy');
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    org,
    name: word,
    tag: fc.constantFrom('a', 'b', 'shared'),
    externalId: fc.constantFrom('1', '2', '3', '4'),
  }),
  fc.record({ kind: fc.constant('update' as const), org, target: fc.nat(20), name: word }),
  fc.record({ kind: fc.constant('delete' as const), org, target: fc.nat(20) }),
  fc.record({ kind: fc.constant('tag' as const), org, target: fc.nat(20), tag: fc.constantFrom('a', 'b', 'shared') }),
  fc.record({ kind: fc.constant('read' as const), org, target: fc.nat(20) }),
  fc.record({ kind: fc.constant('byExternalId' as const), org, externalId: fc.constantFrom('1', '2', '3', '4') }),
  fc.record({ kind: fc.constant('interact' as const), org, target: fc.nat(20) }),
  fc.record({ kind: fc.constant('listAdd' as const), org, target: fc.nat(20) }),
  fc.record({ kind: fc.constant('preview' as const), org, tag: fc.constantFrom('a', 'b', 'shared') }),
  fc.record({ kind: fc.constant('otherAudience' as const), org }),
);

describe('tenant isolation (random interleaved API operations)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api.close());

  it('neither organization ever reads or changes the other one’s data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 5, maxLength: 25 }), async (ops) => {
        const tokens = [(await api.createOrganization()).token, (await api.createOrganization()).token];
        const owned: [Set<string>, Set<string>] = [new Set(), new Set()]; // ids each org created and did not delete
        const interactions: [Map<string, number>, Map<string, number>] = [new Map(), new Map()]; // recorded per owned contact
        const tagsOf: [Map<string, Set<string>>, Map<string, Set<string>>] = [new Map(), new Map()]; // per owned contact
        const lists: [string | null, string | null] = [null, null]; // each org's static audience, created when first used
        const listed: [Set<string>, Set<string>] = [new Set(), new Set()]; // contacts each org put on its list
        const everyId: string[] = [];
        const pick = (target: number) => everyId[target % Math.max(everyId.length, 1)];

        for (const op of ops) {
          const token = tokens[op.org];
          const mine = owned[op.org];
          switch (op.kind) {
            case 'create': {
              const result = await api.gql<any>(
                token,
                `mutation($i: CreateContactInput!) { createContact(input: $i) { id } }`,
                {
                  i: {
                    firstName: op.name,
                    lastName: 'Iso',
                    tags: [op.tag],
                    externalIds: [{ source: 'box', externalId: op.externalId }],
                  },
                },
              );
              if (result.data?.createContact) {
                mine.add(result.data.createContact.id);
                tagsOf[op.org].set(result.data.createContact.id, new Set([op.tag]));
                everyId.push(result.data.createContact.id);
              } else {
                // only a duplicate external id *in the same organization* may refuse it
                expect(result.errors?.[0].extensions?.code).toBe('CONFLICT');
              }
              break;
            }
            case 'update':
            case 'delete':
            case 'read':
            case 'tag': {
              const id = pick(op.target);
              if (!id) break;
              const query = {
                update: `mutation($id: ID!) { r: updateContact(id: $id, input: {firstName: "${op.kind === 'update' ? op.name : ''}"}) { id } }`,
                delete: `mutation($id: ID!) { r: deleteContact(id: $id) }`,
                read: `query($id: ID!) { r: contact(id: $id) { id } }`,
                tag: `mutation($id: ID!) { r: tagContacts(target: {ids: [$id]}, tags: ["${op.kind === 'tag' ? op.tag : ''}"]) { affected } }`,
              }[op.kind];
              const result = await api.gql<any>(token, query, { id });
              if (mine.has(id)) {
                expect(result.errors).toBeUndefined();
                if (op.kind === 'delete') mine.delete(id);
                if (op.kind === 'tag') tagsOf[op.org].get(id)!.add(op.tag);
              } else if (op.kind === 'tag') {
                expect(result.data?.r.affected).toBe(0);
              } else {
                expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
              }
              break;
            }
            case 'interact': {
              const id = pick(op.target);
              if (!id) break;
              const result = await api.ok<any>(
                token,
                `mutation($id: ID!) { recordInteractions(input: [{ contact: { id: $id }, type: "DONATION",
                occurredAt: "2025-01-01T00:00:00Z", amountCents: 100 }]) { accepted rejected } }`,
                { id },
              );
              expect(result.recordInteractions).toEqual(
                mine.has(id) ? { accepted: 1, rejected: 0 } : { accepted: 0, rejected: 1 },
              );
              if (mine.has(id)) interactions[op.org].set(id, (interactions[op.org].get(id) ?? 0) + 1);
              break;
            }
            case 'listAdd': {
              const id = pick(op.target);
              if (!id) break;
              if (!lists[op.org]) {
                const created = await api.ok<any>(
                  token,
                  `mutation { createAudience(input: { name: "Liste", kind: STATIC }) { id } }`,
                );
                lists[op.org] = created.createAudience.id;
              }
              const result = await api.ok<any>(
                token,
                `mutation($list: ID!, $id: ID!) { addAudienceMembers(id: $list, target: { ids: [$id] }) { affected } }`,
                { list: lists[op.org], id },
              );
              const adds = mine.has(id) && !listed[op.org].has(id);
              expect(result.addAudienceMembers.affected).toBe(adds ? 1 : 0);
              if (adds) listed[op.org].add(id);
              break;
            }
            case 'preview': {
              const result = await api.ok<any>(
                token,
                `query($tag: String!) { previewAudience(rule: { tags: { any: [$tag] } }) { count sample { id } } }`,
                { tag: op.tag },
              );
              const tagged = [...mine].filter((id) => tagsOf[op.org].get(id)?.has(op.tag));
              expect(result.previewAudience.count).toBe(tagged.length);
              for (const { id } of result.previewAudience.sample) expect(mine.has(id)).toBe(true);
              break;
            }
            case 'otherAudience': {
              // the other organization's list can be neither read nor named in a rule
              const theirs = lists[1 - op.org];
              if (!theirs) break;
              const read = await api.gql<any>(token, `query($id: ID!) { audience(id: $id) { id } }`, { id: theirs });
              expect(read.errors?.[0].extensions?.code).toBe('NOT_FOUND');
              const named = await api.gql<any>(
                token,
                `query($id: ID!) { previewAudience(rule: { inAudience: $id }) { count } }`,
                { id: theirs },
              );
              expect(named.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rule.inAudience' });
              break;
            }
            case 'byExternalId': {
              const result = await api.gql<any>(
                token,
                `{ contactByExternalId(source: "box", externalId: "${op.externalId}") { id } }`,
              );
              if (result.data?.contactByExternalId) expect(mine.has(result.data.contactByExternalId.id)).toBe(true);
              else expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
              break;
            }
          }
        }
        // each organization lists exactly its own contacts, by every tag the other used too
        for (const side of [0, 1] as const) {
          const list = await api.ok<any>(
            tokens[side],
            `{ contacts(first: 100) { totalCount edges { node { id } } } tags { name } }`,
          );
          expect(new Set(list.contacts.edges.map((e: any) => e.node.id))).toEqual(owned[side]);
          expect(list.contacts.totalCount).toBe(owned[side].size);
          // and counts exactly the interactions of its contacts still there
          const stats = await api.ok<any>(
            tokens[side],
            `{ engagementStats(filter: {}) { totals { interactions uniqueContacts } } }`,
          );
          const kept = [...interactions[side]].filter(([id]) => owned[side].has(id));
          expect(stats.engagementStats.totals).toEqual({
            interactions: kept.reduce((sum, [, n]) => sum + n, 0),
            uniqueContacts: kept.length,
          });
          // its list holds exactly the contacts it put there and did not delete, and the other's list is not a filter it can use
          const ownList = lists[side];
          if (ownList) {
            const members = await api.ok<any>(
              tokens[side],
              `query($id: ID!) { audience(id: $id) { size members(first: 100) { edges { node { id } } } } }`,
              { id: ownList },
            );
            const onList = [...listed[side]].filter((id) => owned[side].has(id));
            expect(new Set(members.audience.members.edges.map((e: any) => e.node.id))).toEqual(new Set(onList));
            expect(members.audience.size).toBe(onList.length);
          }
          const theirs = lists[1 - side];
          if (theirs) {
            const filtered = await api.ok<any>(
              tokens[side],
              `query($id: ID!) { contacts(filter: { audiences: [$id] }) { totalCount } }`,
              { id: theirs },
            );
            expect(filtered.contacts.totalCount).toBe(0);
          }
        }
      }),
      { numRuns: 15 },
    );
  }, 60_000);
});
