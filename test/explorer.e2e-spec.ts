import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getIntrospectionQuery } from 'graphql';
import { GraphqlExplorer } from '../apps/api/src/graphql/explorer.js';
import { TestApi } from './support/test-app.js';

/**
 * The GraphQL explorer a browser gets at GET /graphql (GRAPHQL_EXPLORER, on by default with the embedded database
 * only): the page for a browser, the shared demo key for this machine's browser only, and Apollo's CSRF prevention
 * unchanged for every other request.
 */

// booting the app on a busy machine can take more than Jest's 5 s
jest.setTimeout(60_000);

const browserGet = (api: TestApi, headers: Record<string, string> = {}) =>
  fetch(`${api.url}/graphql`, {
    headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', ...headers },
  });

describe('GraphQL explorer on (GRAPHQL_EXPLORER=true)', () => {
  let api: TestApi;
  let token: string;
  beforeAll(async () => {
    // the rate limit on, as in production: the page and its introspection go through it
    api = await TestApi.start({ GRAPHQL_EXPLORER: 'true', RATE_LIMIT_PER_MINUTE: '600' });
    ({ token } = await api.createOrganization());
  });
  afterAll(() => api?.close());

  it('answers a browser with the explorer page, without an API key', async () => {
    const response = await browserGet(api);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<!DOCTYPE html>');
    expect(html).toContain('EmbeddedSandbox');
    expect(html).not.toContain('authorization');
  });

  it('writes the shared headers into the page for a browser on this machine only', async () => {
    api.app.get(GraphqlExplorer).shareHeaders({ authorization: `Bearer ${token}` });
    try {
      expect(await (await browserGet(api)).text()).toContain(`Bearer ${token}`);
      // a client elsewhere, through a trusted proxy on this machine (TRUST_PROXY's default trusts loopback)
      const remote = await browserGet(api, { 'x-forwarded-for': '203.0.113.7' });
      expect(remote.status).toBe(200);
      expect(await remote.text()).not.toContain(token);
    } finally {
      api.app.get(GraphqlExplorer).shareHeaders({});
    }
  });

  it('keeps the CSRF prevention for requests that are not a browser asking for the page', async () => {
    const get = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
    const simplePost = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(simplePost.status).toBe(400);
    expect(await simplePost.text()).toMatch(/CSRF/);
  });

  it('serves the introspection the explorer sends (with a key; within the query limits)', async () => {
    expect((await api.gql(null, '{ __schema { queryType { name } } }')).errors?.[0].extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    const data = await api.ok<{ __schema: { types: unknown[] } }>(
      token,
      getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
    );
    expect(data.__schema.types.length).toBeGreaterThan(10);
  });
});

describe('GraphQL explorer off (default outside the embedded database, or GRAPHQL_EXPLORER=false)', () => {
  for (const env of [{}, { GRAPHQL_EXPLORER: 'false' }] as Record<string, string>[]) {
    it(`answers a browser as any request without a preflight header: ${JSON.stringify(env)}`, async () => {
      const api = await TestApi.start(env);
      try {
        const response = await browserGet(api);
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).not.toMatch(/text\/html/);
        expect(await response.text()).toMatch(/CSRF/);
      } finally {
        await api.close();
      }
    });
  }
});
