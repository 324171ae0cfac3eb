import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { TenantContexts, TenantDb } from '@app/database';
import { JobName, JobRunsService, JobsService, QueueName } from '@app/jobs';
import { Role } from '@app/tenancy';
import { describeOnQueueBackends } from './support/queue-backends.js';
import { TestApi } from './support/test-app.js';
import { finishedQueueJob } from './support/wait.js';

/**
 * The job contract, run against each queue backend: BullMQ on PostgreSQL (the
 * embedded default) and on Redis. The jobs under test are real ones (exports).
 */
const START = `mutation($format: ExportFormat!, $filter: ContactFilterInput, $options: ExportOptionsInput) {
  startExport(format: $format, filter: $filter, options: $options) { id status kind } }`;
const RUN = `query($id: ID!) { jobRun(id: $id) { id kind status processed total counts attempts errors { message } downloadPath createdBy } }`;

describeOnQueueBackends(
  (backend) => `jobs on the ${backend} backend`,
  (env) => {
    let api: TestApi;
    let owner: string;
    let orgId: string;

    beforeAll(async () => {
      ({ api, owner, orgId } = await TestApi.withOrganization('Jobs Org', { ...env, RUN_JOBS_IN_API: 'true' }));
      for (const [firstName, lastName, email] of [
        ['Hélène', 'Côté', 'helene@example.org'],
        ['Jean-François', 'Tremblay', 'jf@example.org'],
        ['Mary', "O'Neil; Jr", 'mary@example.org'],
      ]) {
        await api.ok(owner, `mutation($i: CreateContactInput!) { createContact(input: $i) { id } }`, {
          i: {
            firstName,
            lastName,
            email,
            tags: ['export'],
            consents: [{ purpose: 'EMAIL_MARKETING', status: 'GRANTED', legalBasis: 'EXPRESS', source: 'test' }],
          },
        });
      }
    }, 60_000); // booting the app on a busy machine can take more than Jest's 5 s
    afterAll(() => api.close());

    const waitFor = (token: string, id: string) => api.finishedRun(token, id);
    const download = (token: string, path: string) =>
      fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

    it('exports contacts as CSV, visible as a job run with progress and counts', async () => {
      const { startExport } = await api.ok<any>(owner, START, { format: 'CSV', filter: { tagsAny: ['export'] } });
      expect(startExport).toMatchObject({ kind: 'EXPORT_CONTACTS', status: 'QUEUED' });
      const done = await waitFor(owner, startExport.id);
      expect(done).toMatchObject({
        status: 'SUCCEEDED',
        processed: 3,
        total: 3,
        counts: { exported: 3 },
        attempts: 1,
        errors: [],
      });
      const response = await download(owner, done.downloadPath);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/csv/);
      const lines = (await response.text()).trim().split('\n');
      expect(lines[0]).toMatch(/^id,first_name,last_name,email,phone/);
      expect(lines).toHaveLength(4);
      expect(lines.find((l) => l.includes('Hélène'))).toContain('helene@example.org');
      expect(lines.find((l) => l.includes('Mary'))).toContain("O'Neil; Jr");
      const runs = await api.ok<any>(
        owner,
        `{ jobRuns(first: 5, filter: {kinds: [EXPORT_CONTACTS]}) { edges { node { id } } } }`,
      );
      expect(runs.jobRuns.edges.map((e: any) => e.node.id)).toContain(startExport.id);
    });

    it('exports for Excel (BOM, semicolons) and as NDJSON', async () => {
      const excel = await waitFor(
        owner,
        (await api.ok<any>(owner, START, { format: 'CSV', options: { excel: true } })).startExport.id,
      );
      const bytes = Buffer.from(await (await download(owner, excel.downloadPath)).arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.toString('utf8')).toContain('id;first_name;last_name');
      expect(bytes.toString('utf8')).toContain('"O\'Neil; Jr"');

      const ndjson = await waitFor(
        owner,
        (await api.ok<any>(owner, START, { format: 'NDJSON', filter: { search: 'tremblay' } })).startExport.id,
      );
      const text = await (await download(owner, ndjson.downloadPath)).text();
      const rows = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(rows).toEqual([
        expect.objectContaining({
          firstName: 'Jean-François',
          email: 'jf@example.org',
          tags: ['export'],
          consents: expect.objectContaining({ EMAIL_MARKETING: 'GRANTED' }),
        }),
      ]);
    });

    it('gives ANALYST exports without direct identifiers, and keeps a file to who asked for it (or an ADMIN)', async () => {
      const analyst = await api.memberKey(orgId, Role.ANALYST);
      const editor = await api.memberKey(orgId, Role.EDITOR);
      const done = await waitFor(analyst, (await api.ok<any>(analyst, START, { format: 'NDJSON' })).startExport.id);
      const rows = (await (await download(analyst, done.downloadPath)).text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row).toMatchObject({ email: null, phone: null, birthDate: null });
      expect((await download(owner, done.downloadPath)).status).toBe(200);
      const refused = await download(editor, done.downloadPath);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect((await download(owner, '/exports/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await fetch(`${api.url}${done.downloadPath}`)).status).toBe(401);
    });

    it('queues a run once whatever the number of enqueues, and a cancelled run never runs', async () => {
      const db = api.app.get(TenantDb);
      const runs = api.app.get(JobRunsService);
      const jobs = api.app.get(JobsService);
      const payload = (id: string) => ({
        orgId,
        jobRunId: id,
        userId: null,
        role: null,
        params: { filter: null, format: 'CSV', excel: false },
      });

      const done = await waitFor(owner, (await api.ok<any>(owner, START, { format: 'CSV' })).startExport.id);
      const queue = jobs.queue(QueueName.CONTACTS);
      await TenantContexts.run({ orgId }, () => jobs.enqueue(JobName.EXPORT_CONTACTS, payload(done.id)));
      // the job of that id is done (the queue kept the first one, or ran the second): the run ran once all the same
      await finishedQueueJob(queue, done.id);
      expect((await api.ok<any>(owner, RUN, { id: done.id })).jobRun).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 1,
      });

      const queued = await TenantContexts.run({ orgId }, () =>
        db.transaction((tx) => runs.create(tx, JobName.EXPORT_CONTACTS, payload('').params)),
      );
      const cancelled = await api.ok<any>(owner, `mutation($id: ID!) { cancelJobRun(id: $id) { status } }`, {
        id: queued.id,
      });
      expect(cancelled.cancelJobRun.status).toBe('CANCELLED');
      await TenantContexts.run({ orgId }, () => jobs.enqueue(JobName.EXPORT_CONTACTS, payload(queued.id)));
      await finishedQueueJob(queue, queued.id); // the processor took the job and left the run as it was
      expect((await api.ok<any>(owner, RUN, { id: queued.id })).jobRun).toMatchObject({
        status: 'CANCELLED',
        attempts: 0,
        downloadPath: null,
      });
      const again = await api.gql(owner, `mutation($id: ID!) { cancelJobRun(id: $id) { status } }`, { id: done.id });
      expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
    });
  },
);
