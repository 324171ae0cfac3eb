import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobName, JobsService, QueueName } from '@app/jobs';
import { type BuiltProcess, startBuiltProcess, stopAllBuiltProcesses } from './support/child-process.js';
import { TestApi } from './support/test-app.js';

/**
 * The queue dashboard (bull-board) at /admin/queues. On, it runs in the BUILT API
 * as a child process: bull-board cannot load in Jest's ESM VM on Node 20, so the
 * API imports it only when QUEUE_DASHBOARD_PASSWORD is set. Off is checked in-process.
 */
const USER = 'admin';
const PASSWORD = 'correct horse battery staple';
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('queue dashboard', () => {
  let dashboard: BuiltProcess; // password set
  let plain: TestApi; // no password (in-process)
  // a job only the test database's queue holds: the dashboard must show it
  const probeId = `dashboard-probe-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    const queues = { QUEUE_PREFIX: `dash${process.pid}` }; // one set of queues for both
    [dashboard, plain] = await Promise.all([
      startBuiltProcess('api', { QUEUE_DASHBOARD_PASSWORD: PASSWORD, ...queues }),
      TestApi.start(queues),
    ]);
    // delayed an hour: no processor of a concurrent test file runs it before it is removed
    await plain.app
      .get(JobsService)
      .queue(QueueName.CONTACTS)
      .add(JobName.EXPORT_CONTACTS, { probe: true }, { jobId: probeId, delay: 3_600_000 });
  }, 60_000);
  afterAll(async () => {
    await plain?.app.get(JobsService).queue(QueueName.CONTACTS).remove(probeId);
    await plain?.close();
    await stopAllBuiltProcesses();
  });

  it('is not mounted without a password', async () => {
    expect((await fetch(`${plain.url}/admin/queues`)).status).toBe(404);
    expect((await fetch(`${plain.url}/admin/queues/api/queues`, { headers: basic(USER, PASSWORD) })).status).toBe(404);
  });

  it('asks for credentials, and refuses wrong ones', async () => {
    for (const headers of [
      {},
      basic(USER, 'wrong password here'),
      basic('root', PASSWORD),
      basic(USER, `${PASSWORD}x`),
      { authorization: `Bearer ${PASSWORD}` },
    ]) {
      const response = await fetch(`${dashboard.url}/admin/queues`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="queues"');
    }
    const apiCall = await fetch(`${dashboard.url}/admin/queues/api/queues`);
    expect(apiCall.status).toBe(401);
    expect(await apiCall.text()).not.toContain(QueueName.CONTACTS);
  });

  it('serves the dashboard and its API with the right credentials', async () => {
    const page = await fetch(`${dashboard.url}/admin/queues`, { headers: basic(USER, PASSWORD) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"'); // the UI's assets and API calls are under it
    const script = /src="(static\/js\/[^"]+\.js)"/.exec(html)![1];
    expect((await fetch(`${dashboard.url}/admin/queues/${script}`)).status).toBe(401);
    const asset = await fetch(`${dashboard.url}/admin/queues/${script}`, { headers: basic(USER, PASSWORD) });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    const response = await fetch(
      `${dashboard.url}/admin/queues/api/queues?activeQueue=${QueueName.CONTACTS}&status=delayed&page=1&jobsPerPage=50`,
      {
        headers: basic(USER, PASSWORD),
      },
    );
    expect(response.status).toBe(200);
    const { queues } = (await response.json()) as { queues: { name: string; jobs: { id: string; name: string }[] }[] };
    expect(queues.map((queue) => queue.name)).toEqual(Object.values(QueueName));
    const contacts = queues.find((queue) => queue.name === String(QueueName.CONTACTS))!;
    expect(contacts.jobs).toContainEqual(expect.objectContaining({ id: probeId, name: JobName.EXPORT_CONTACTS }));
  });

  it('leaves the other routes to their own authentication', async () => {
    expect((await fetch(`${dashboard.url}/health`)).status).toBe(200);
    const graphql = await fetch(`${dashboard.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(graphql.headers.get('www-authenticate')).toBeNull();
    expect(JSON.stringify(await graphql.json())).toContain('UNAUTHENTICATED');
    // the dashboard's credentials open nothing else
    for (const path of ['/exports/00000000-0000-4000-8000-000000000000', '/imports']) {
      const response = await fetch(`${dashboard.url}${path}`, { headers: basic(USER, PASSWORD) });
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect(response.status).not.toBe(200);
    }
  });
});
