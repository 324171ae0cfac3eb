import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestApi } from './support/test-app.js';

const PAGE = `query($first: Int) { contacts(first: $first, filter: {tagsAny: ["loader"]}) {
  edges { node { id firstName email attributes tags { name } consents { purpose state } externalIds { source } } } } }`;

/** Lists of contacts cost the same number of statements whatever their size: one for a page and what it shows. */
describe('per-request DataLoaders', () => {
  let api: TestApi;
  let token: string;
  /** Every statement sent on the application's pool, with the connection it went on. */
  const statements: { client: number; text: string }[] = [];

  beforeAll(async () => {
    api = await TestApi.start();
    token = (await api.createOrganization()).token;
    for (let i = 0; i < 50; i++) {
      await api.ok(token, `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`, {
        input: {
          firstName: `Loader${i}`,
          tags: ['loader', `t${i % 3}`],
          externalIds: [{ source: 'box', externalId: `L${i}` }],
          consents: [{ purpose: 'EMAIL_MARKETING', status: 'GRANTED', legalBasis: 'EXPRESS', source: 'test' }],
        },
      });
    }
    // record every statement sent on the application's pool, with its connection
    api.instrumentConnections((client, id) => {
      const query = client.query.bind(client);
      client.query = (...args: any[]) => {
        statements.push({ client: id, text: String(args[0]?.text ?? args[0]) });
        return query(...args);
      };
    });
  });
  afterAll(() => api.close());

  /** The statements of one request, by transaction (each begins with BEGIN), after its API key is checked. */
  const transactionsOf = async (query: string, variables: Record<string, unknown>) => {
    await api.ok(token, '{ __typename }'); // authenticated once (the key cache is off in tests)
    statements.length = 0;
    const data = await api.ok<any>(token, query, variables);
    // a transaction is a connection's statements from a BEGIN to the next (transactions run at once on several)
    const open = new Map<number, string[]>();
    const transactions: string[][] = [];
    for (const { client, text } of statements) {
      if (text.startsWith('BEGIN')) {
        open.set(client, []);
        transactions.push(open.get(client)!);
      }
      open.get(client)?.push(text);
    }
    return { data, transactions: transactions.slice(1) }; // the first checks the key
  };

  // the tag filter's ids are read first (see FilterOptions.tagIds), then the page and its relations in one statement
  it('reads a page of contacts with their tags, consents and external ids in one statement (after the ids of the tags filtered on) and one transaction', async () => {
    for (const first of [5, 50]) {
      const { data, transactions } = await transactionsOf(PAGE, { first });
      expect(data.contacts.edges).toHaveLength(first);
      expect(data.contacts.edges[0].node.tags).toHaveLength(2);
      expect(data.contacts.edges[0].node.externalIds).toEqual([{ source: 'box' }]);
      expect(data.contacts.edges[0].node.consents).toContainEqual({ purpose: 'EMAIL_MARKETING', state: 'GRANTED' });
      expect(transactions).toEqual([
        [
          expect.stringMatching(/^BEGIN;/),
          expect.stringMatching(/^SELECT n\.name, t\.id FROM unnest/),
          expect.stringMatching(/^SELECT c\.id/),
          'COMMIT',
        ],
      ]);
    }
  });

  // Contacts whose relations are read in the page's own statement are the same as their DataLoaders read.
  // (with consentHistory the page reads whole consent records; without, only what the current consents need)
  it('answers the same relations whether read with the page or by the DataLoaders', async () => {
    const CONSENTS = 'consents { purpose state since expiresAt }';
    for (const FIELDS of [
      `id tags { id name createdAt } ${CONSENTS} externalIds { source externalId } consentHistory { id status occurredAt expiresAt createdAt proof }`,
      `id ${CONSENTS}`,
    ]) {
      const page = await api.ok<any>(
        token,
        `{ contacts(first: 6, filter: {tagsAny: ["loader"]}) { edges { node { ${FIELDS} } } } }`,
      );
      const nodes = page.contacts.edges.map((edge: any) => edge.node);
      const one = await api.ok<any>(
        token,
        `{ ${nodes.map((node: any, i: number) => `c${i}: contact(id: "${node.id}") { ${FIELDS} }`).join(' ')} }`,
      );
      expect(Object.values(one)).toEqual(nodes);
    }
  });

  it('reads several contacts by id, and what they show, in the statements of one', async () => {
    const page = await api.ok<any>(
      token,
      `{ contacts(first: 6, filter: {tagsAny: ["loader"]}) { edges { node { id } } } }`,
    );
    const ids: string[] = page.contacts.edges.map((edge: any) => edge.node.id);
    const byId = (count: number) =>
      `{ ${ids
        .slice(0, count)
        .map(
          (id, i) =>
            `c${i}: contact(id: "${id}") { id tags { name } consents { purpose state } externalIds { source } }`,
        )
        .join(' ')} }`;
    const one = await transactionsOf(byId(1), {});
    const six = await transactionsOf(byId(6), {});
    expect(Object.values(six.data).map((contact: any) => contact.id)).toEqual(ids);
    // the contacts, then their tags, consent records and external ids: four transactions either way
    expect(one.transactions).toHaveLength(4);
    expect(six.transactions.flat()).toHaveLength(one.transactions.flat().length);

    const missing = await api.gql(
      token,
      `{ a: contact(id: "${ids[0]}") { id } b: contact(id: "${randomUUID()}") { id } }`,
    );
    expect(missing.errors).toHaveLength(1); // the one that is none (contact is non-null: data is null)
    expect(missing.errors?.[0]).toMatchObject({ path: ['b'], extensions: { code: 'NOT_FOUND' } });
  });

  it("reads the members (and stewards' names) of 1 or 5 pools in the same number of statements", async () => {
    const POOLS = `{ pools { id stewardName members { organizationName role } } }`;
    const countPools = async (pools: number) => {
      const owner = (await api.createOrganization()).token;
      for (let i = 0; i < pools; i++)
        await api.ok(owner, `mutation { createPool(input: { name: "P${i}", purposes: [JOINT_CAMPAIGN] }) { id } }`);
      await api.ok(owner, '{ __typename }');
      statements.length = 0;
      const data = await api.ok<any>(owner, POOLS);
      expect(data.pools).toHaveLength(pools);
      expect(data.pools[0].members).toHaveLength(1);
      return statements.length;
    };
    const one = await countPools(1);
    expect(await countPools(5)).toBe(one);
  });
});
