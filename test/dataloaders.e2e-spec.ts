import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { TestApi } from './support/test-app.js';

const PAGE = `query($first: Int) { contacts(first: $first, filter: {tagsAny: ["loader"]}) {
  edges { node { id firstName email attributes tags { name } consents { purpose state } externalIds { source } } } } }`;

/** Listing contacts with their tags, consents and attributes costs the same number of statements whatever the page size. */
describe('per-request DataLoaders', () => {
  let api: TestApi;
  let token: string;
  const statements: string[] = [];

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
    // count every statement sent on the application's pool
    const pool = (api.app.get(DataSource).driver as unknown as { master: { connect: () => Promise<any> } }).master;
    const connect = pool.connect.bind(pool);
    pool.connect = async () => {
      const client = await connect();
      if (!client.countedQuery) {
        const query = client.query.bind(client);
        client.countedQuery = true;
        client.query = (...args: any[]) => {
          statements.push(String(args[0]?.text ?? args[0]));
          return query(...args);
        };
      }
      return client;
    };
  });
  afterAll(() => api.close());

  const countFor = async (first: number) => {
    await api.ok(token, '{ __typename }'); // authenticated once (the key cache is off in tests)
    statements.length = 0;
    const data = await api.ok<any>(token, PAGE, { first });
    expect(data.contacts.edges).toHaveLength(first);
    expect(data.contacts.edges[0].node.tags.length).toBe(2);
    return statements.length;
  };

  it('runs a fixed number of statements for 5 or 50 contacts', async () => {
    const five = await countFor(5);
    const fifty = await countFor(50);
    expect(five).toBeGreaterThan(0);
    expect(fifty).toBe(five);
    // five transactions (key check, page, tags, consents, external ids) of BEGIN+tenant, statement(s), COMMIT
    expect(fifty).toBeLessThanOrEqual(16);
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
