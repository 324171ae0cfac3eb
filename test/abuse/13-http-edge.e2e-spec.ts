import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Role } from '@app/tenancy';
import { queueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';
import { until } from '../support/wait.js';

/**
 * The HTTP edge, as a client (or an attacker) meets it: bodies declared too large are refused before they are sent,
 * slow clients are cut off, oversized GraphQL documents are the client's error, and each API key has a request rate.
 */

interface Exchange {
  /** Everything the server sent, as text. */
  text: string;
  /** True when the server closed the connection; false when we gave up waiting. */
  closedByServer: boolean;
}

/**
 * Writes `head` (request line and headers) on a raw socket; then `body`, but only once the server has said
 * `100 Continue`, as a client sending `Expect: 100-continue` does; returns what the server sent until it closed
 * the connection, or until `waitMs` passed.
 */
function exchange(url: string, head: string, options: { body?: string; waitMs?: number } = {}): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let text = '';
    let bodySent = false;
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer: false });
    }, options.waitMs ?? 10_000);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (options.body !== undefined && !bodySent && text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        bodySent = true;
        socket.write(options.body);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ text, closedByServer: true });
    });
    socket.write(head);
  });
}

const requestHead = (method: string, path: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

/** The JSON body of a raw response. */
const jsonBody = (text: string): any => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

const TWO_GB = 2 * 1024 ** 3;

// booting the app on a busy machine can take more than Jest's 5 s
jest.setTimeout(60_000);

describe('HTTP edge: sizes, timeouts, GraphQL document limits', () => {
  let api: TestApi;
  let owner: string;

  beforeAll(async () => {
    api = await TestApi.start({
      REQUEST_TIMEOUT_MS: '1000',
      UPLOAD_TIMEOUT_MS: '2000',
      IMPORT_MAX_BYTES: String(64 * 1024),
      GRAPHQL_MAX_DEPTH: '5',
      GRAPHQL_MAX_COST: '2000',
    });
    owner = (await api.createOrganization('Edge Org')).token;
  });
  afterAll(() => api.close());

  it('refuses a body declared larger than the route allows with 413, before `100 Continue` invites it', async () => {
    const audienceId = '00000000-0000-4000-8000-000000000000';
    for (const [path, contentType] of [
      ['/graphql', 'application/json'],
      ['/imports', 'text/csv'],
      ['/imports/interactions', 'multipart/form-data; boundary=x'],
      [`/audiences/${audienceId}/members`, 'text/csv'],
    ]) {
      const head = requestHead('POST', path, {
        authorization: `Bearer ${owner}`,
        'content-type': contentType,
        'content-length': TWO_GB,
        expect: '100-continue',
      });
      const { text, closedByServer } = await exchange(api.url, head, { waitMs: 5_000 });
      expect({ path, status: text.split('\r\n')[0] }).toEqual({ path, status: 'HTTP/1.1 413 Payload Too Large' });
      expect(text).not.toContain('100 Continue');
      // and the connection is closed: the client cannot send the body anyway
      expect(closedByServer).toBe(true);
      const body = jsonBody(text);
      if (path === '/graphql') expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      else expect(body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', field: 'file' });
    }

    // a body without a declared size is counted as it arrives: past 2 MB, 413 too
    const chunked = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: new Blob([
        JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(3 * 1024 * 1024) } }),
      ]).stream(),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);

    // bodies within the limits are invited, then served: a GraphQL request, an upload
    const query = JSON.stringify({ query: '{ __typename }' });
    const head = requestHead('POST', '/graphql', {
      authorization: `Bearer ${owner}`,
      'content-type': 'application/json',
      'content-length': query.length,
      expect: '100-continue',
      connection: 'close',
    });
    const { text } = await exchange(api.url, head, { body: query });
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(jsonBody(text.slice(text.indexOf('HTTP/1.1 200')))).toEqual({ data: { __typename: 'Query' } });

    const csv = 'email\nsomeone@example.org\n';
    const uploadHead = requestHead('POST', '/imports', {
      authorization: `Bearer ${owner}`,
      'content-type': 'text/csv',
      'content-length': csv.length,
      expect: '100-continue',
      connection: 'close',
    });
    expect((await exchange(api.url, uploadHead, { body: csv })).text).toMatch(
      /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202 Accepted\r\n/,
    );
    expect(await api.upload(owner, csv, {})).toMatchObject({ status: 202, body: { status: 'QUEUED' } });
  });

  it('cuts off a client that sends its body too slowly (408), and one that never finishes its headers', async () => {
    // 10 of the 100 bytes announced, then nothing: the server answers 408 and closes once REQUEST_TIMEOUT_MS passed
    const head = requestHead('POST', '/graphql', {
      authorization: `Bearer ${owner}`,
      'content-type': 'application/json',
      'content-length': 100,
    });
    const slowBody = await exchange(api.url, `${head}{"query":`, { waitMs: 15_000 });
    expect(slowBody.closedByServer).toBe(true);
    expect(slowBody.text).toMatch(/^HTTP\/1\.1 408 /);

    // an upload has UPLOAD_TIMEOUT_MS, and the job run it opened goes away with it
    const IMPORT_RUNS = '{ jobRuns(first: 100, filter: { kinds: [IMPORT_CONTACTS] }) { edges { node { id } } } }';
    const importRuns = async () => (await api.ok<any>(owner, IMPORT_RUNS)).jobRuns.edges.length as number;
    const runsBefore = await importRuns();
    const uploadHead = requestHead('POST', '/imports', {
      authorization: `Bearer ${owner}`,
      'content-type': 'text/csv',
      'content-length': 1000,
    });
    const slowUpload = await exchange(api.url, `${uploadHead}email\nsomeone@`, { waitMs: 15_000 });
    expect(slowUpload.closedByServer).toBe(true);
    expect(slowUpload.text).toMatch(/^HTTP\/1\.1 408 /);

    // slowloris: headers that never end
    const slowHeaders = await exchange(api.url, 'POST /graphql HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n', {
      waitMs: 15_000,
    });
    expect(slowHeaders.closedByServer).toBe(true);

    // and the API serves the next client as before
    await until(
      `the timed-out upload's run to go away (${runsBefore} import runs before it)`,
      async () => (await importRuns()) === runsBefore,
      { timeoutMs: 10_000, everyMs: 200 },
    );
  });

  it('answers a document with too many tokens, or too deep, too costly or too aliased, with 400 and a GraphQL error', async () => {
    const post = async (query: string) => {
      const response = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${owner}` },
        body: JSON.stringify({ query }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const tooManyTokens = await post(`{ ${'__typename '.repeat(6_000)}}`);
    expect(tooManyTokens.status).toBe(400);
    expect(tooManyTokens.body.errors[0].extensions.code).toMatch(
      /^(GRAPHQL_PARSE_FAILED|GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT)$/,
    );
    expect(tooManyTokens.body.errors[0].message).toMatch(/token/i);

    const deep = '{ contacts(first: 1) { edges { node { interactions(first: 1) { edges { node { id } } } } } } }';
    const aliased = `{ viewer { organization { ${Array.from({ length: 20 }, (_, i) => `a${i}: name`).join(' ')} } } }`;
    const costly = `{ ${Array.from({ length: 10 }, (_, i) => `c${i}: contacts(first: 100) { edges { node { id email tags { name } } } }`).join(' ')} }`;
    for (const [query, limit] of [
      [deep, /depth/i],
      [aliased, /aliases/i],
      [costly, /cost/i],
    ] as const) {
      const { status, body } = await post(query);
      expect({ limit: String(limit), status }).toEqual({ limit: String(limit), status: 400 });
      const error = body.errors.find((e: any) => limit.test(e.message));
      expect(error?.extensions.code).toMatch(/^(GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT)$/);
    }
  });
});

describe.each(queueBackends)('HTTP edge: request rate per API key ($backend store)', ({ backend, env, run }) => {
  let api: TestApi;
  let owner: string;
  let analyst: string;
  const LIMIT = 3;

  beforeAll(async () => {
    if (!run) return;
    api = await TestApi.start({ ...env, RATE_LIMIT_PER_MINUTE: String(LIMIT) });
    const org = await api.createOrganization('Rate Org');
    owner = org.token;
    analyst = await api.memberKey(org.organization.id, Role.ANALYST);
  });
  afterAll(async () => {
    if (run) await api.close();
  });

  const typename = (headers: Record<string, string>) =>
    fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  (run ? it : it.skip)(
    'answers 429 with Retry-After past the limit, for that key only; /health is not limited',
    async () => {
      for (let i = 0; i < LIMIT; i++) expect((await typename({ authorization: `Bearer ${owner}` })).status).toBe(200);
      const refused = await typename({ authorization: `Bearer ${owner}` });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(((await refused.json()) as any).errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
      // the same key on another route
      const upload = await api.upload(owner, 'email\na@example.org\n', {});
      expect(upload).toMatchObject({ status: 429, body: { error: { code: 'TOO_MANY_REQUESTS' } } });

      // another key (same organization) has its own allowance
      expect((await typename({ authorization: `Bearer ${analyst}` })).status).toBe(200);

      for (let i = 0; i < LIMIT + 2; i++) expect((await fetch(`${api.url}/health`)).status).toBe(200);
    },
  );

  (run ? it : it.skip)('limits requests without a key by client address', async () => {
    // the test talks to the API through loopback, a trusted proxy: X-Forwarded-For names the client
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < LIMIT; i++) expect((await typename(from('203.0.113.7'))).status).toBe(401);
    expect((await typename(from('203.0.113.7'))).status).toBe(429);
    // a made-up key does not buy a fresh allowance
    expect((await typename({ ...from('203.0.113.7'), authorization: 'Bearer not-a-key' })).status).toBe(429);
    expect((await typename(from('203.0.113.8'))).status).toBe(401);
  });

  (run && backend === 'redis' ? it : it.skip)('counts a key across API processes sharing Redis', async () => {
    const other = await TestApi.start({ ...env, RATE_LIMIT_PER_MINUTE: String(LIMIT) });
    try {
      const key = await api.memberKey((await api.createOrganization('Shared Count Org')).organization.id, Role.ANALYST);
      const at = (server: TestApi) =>
        fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
      expect((await at(api)).status).toBe(200);
      for (let i = 1; i < LIMIT; i++) expect((await at(other)).status).toBe(200);
      expect((await at(api)).status).toBe(429);
      expect((await at(other)).status).toBe(429);
    } finally {
      await other.close();
    }
  });
});
