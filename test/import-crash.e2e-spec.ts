import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type BuiltProcess, startBuiltProcess, stopAllBuiltProcesses } from './support/child-process.js';
import { queueBackends } from './support/queue-backends.js';
import { TestApi } from './support/test-app.js';

/**
 * Crash safety, on each queue backend: a worker process killed with SIGKILL in
 * the middle of an import, then a new worker that retries the job, must leave
 * exactly the contacts that a clean run of the same file leaves. And a worker
 * stopped with SIGTERM finishes the job it is running before it exits.
 */
const ROWS = 40_000;
const PEOPLE = 30_000;
const LOCK_MS = '1500';

/** A deterministic file: people on several rows (same customer number), a bad email every 97 rows, some tags. */
function boxOfficeFile(): string {
  const lines = ['No client;Prénom;Nom;Courriel;Téléphone;Code postal;Étiquettes'];
  for (let i = 0; i < ROWS; i++) {
    const person = i % PEOPLE;
    const email = i % 97 === 0 ? 'pas-un-courriel' : `p${person}@exemple.qc.ca`;
    lines.push(`C${person};Élise${person % 300};Côté-${person % 1000};${email};514-555-${String(person % 10_000).padStart(4, '0')};H2X 1Y4;${i % 7 === 0 ? 'danse|théâtre' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What an organization's contacts are, without ids and times. */
async function snapshot(orgId: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    const query = async (sql: string) => (await client.query(sql, [orgId])).rows;
    return {
      contacts: await query(`SELECT x.external_id, c.first_name, c.last_name, c.email, c.phone, c.postal_code, c.region, c.entered
                               FROM contacts c JOIN contact_external_ids x ON x.org_id = c.org_id AND x.contact_id = c.id
                              WHERE c.org_id = $1 ORDER BY x.external_id`),
      counts: await query(`SELECT (SELECT count(*) FROM contacts WHERE org_id = $1) AS contacts,
                                  (SELECT count(*) FROM contact_external_ids WHERE org_id = $1) AS external_ids,
                                  (SELECT count(*) FROM contact_tags WHERE org_id = $1) AS tag_links,
                                  (SELECT count(*) FROM contact_search_tokens WHERE org_id = $1) AS search_tokens`),
    };
  } finally {
    await client.end();
  }
}

for (const { backend, env, run } of queueBackends) {
  (run ? describe : describe.skip)(`an import whose worker is killed, on the ${backend} backend`, () => {
    let api: TestApi;
    const workers: BuiltProcess[] = [];
    const startWorker = async () => {
      const worker = await startBuiltProcess('worker', { ...env, JOB_LOCK_MS: LOCK_MS });
      workers.push(worker);
      return worker;
    };

    /** Waits until the run is RUNNING and has reported some rows. */
    const runningWithProgress = async (token: string, id: string) => {
      for (;;) {
        const { jobRun } = await api.ok<any>(token, `query($id: ID!) { jobRun(id: $id) { status processed } }`, { id });
        expect(['QUEUED', 'RUNNING']).toContain(jobRun.status);
        if (jobRun.status === 'RUNNING' && jobRun.processed > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    beforeAll(async () => {
      api = await TestApi.start(env); // no processors in the API: the child workers run the jobs
    }, 60_000);
    afterAll(async () => {
      await stopAllBuiltProcesses('SIGKILL');
      await api.close();
    });

    it('ends, after the retry, with exactly the contacts of a clean run', async () => {
      const file = boxOfficeFile();
      // no dedup run after it: this compares imports, and a queued run would delay the next test's drain
      const options = { strategy: 'UPSERT_BY_EXTERNAL_ID', source: 'billetterie', dedup: 'false' };
      const crashed = await api.createOrganization('Crashed');
      const clean = await api.createOrganization('Clean');

      const first = await startWorker();
      const upload = await api.upload(crashed.token, file, options);
      expect(upload.status).toBe(202);
      // kill it mid-way: running, some rows read, far from all
      await runningWithProgress(crashed.token, upload.body.jobRunId);
      expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
      const runQuery = `query($id: ID!) { jobRun(id: $id) { status processed } }`;
      const { jobRun: killedAt } = await api.ok<any>(crashed.token, runQuery, { id: upload.body.jobRunId });
      expect(killedAt).toMatchObject({ status: 'RUNNING' });
      expect(killedAt.processed).toBeLessThan(ROWS);
      expect((await snapshot(crashed.organization.id) as any).counts[0].contacts).toBe('0');

      await startWorker();
      const retried = await api.finishedRun(crashed.token, upload.body.jobRunId, 120_000);
      expect(retried).toMatchObject({ status: 'SUCCEEDED' });

      const cleanUpload = await api.upload(clean.token, file, options);
      const cleanRun = await api.finishedRun(clean.token, cleanUpload.body.jobRunId, 120_000);
      expect(cleanRun).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });

      expect(retried.counts).toEqual(cleanRun.counts);
      // a person is created unless every row of theirs has the bad email
      const people = new Set(Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 97 !== 0).map((i) => i % PEOPLE));
      expect(cleanRun.counts).toMatchObject({ rows: ROWS, invalid: Math.ceil(ROWS / 97), created: people.size });
      expect(await snapshot(crashed.organization.id)).toEqual(await snapshot(clean.organization.id));
    }, 240_000);

    it('drains on SIGTERM: the worker finishes the import it is running, then exits', async () => {
      await stopAllBuiltProcesses(); // the one worker is this test's
      const org = await api.createOrganization('Drained');
      const worker = await startWorker();
      const upload = await api.upload(org.token, boxOfficeFile(), { strategy: 'UPSERT_BY_EXTERNAL_ID', source: 'billetterie' });
      await runningWithProgress(org.token, upload.body.jobRunId);
      expect(await worker.stop('SIGTERM')).toMatchObject({ signal: 'SIGTERM' });
      const { jobRun } = await api.ok<any>(org.token, `query($id: ID!) { jobRun(id: $id) { status attempts counts } }`, { id: upload.body.jobRunId });
      expect(jobRun).toMatchObject({ status: 'SUCCEEDED', attempts: 1, counts: { rows: ROWS, dedupRunQueued: 0 } });
    }, 120_000);
  });
}
