import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { type BuiltProcess, startBuiltProcess, stopAllBuiltProcesses } from './support/child-process.js';
import { describeOnQueueBackends } from './support/queue-backends.js';
import { TestApi } from './support/test-app.js';
import { until } from './support/wait.js';

/**
 * Crash safety, on each queue backend: a worker process killed with SIGKILL in
 * the middle of an import, then a new worker that retries the job, must leave
 * exactly the contacts that a clean run of the same file leaves. And a worker
 * stopped with SIGTERM finishes the job it is running before it exits.
 */
const ROWS = 40_000;
const PEOPLE = 30_000;
const LOCK_MS = '1500';

/** A deterministic file: people on several rows (same customer number), a bad email every 97 rows (imported without it), some tags. */
function boxOfficeFile(): string {
  const lines = ['No client;Prénom;Nom;Courriel;Téléphone;Code postal;Étiquettes'];
  for (let i = 0; i < ROWS; i++) {
    const person = i % PEOPLE;
    const email = i % 97 === 0 ? 'pas-un-courriel' : `p${person}@exemple.qc.ca`;
    lines.push(
      `C${person};Élise${person % 300};Côté-${person % 1000};${email};514-555-${String(person % 10_000).padStart(4, '0')};H2X 1Y4;${i % 7 === 0 ? 'danse|théâtre' : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Ticket sales of the same people, one row per order, a bad date every 89 rows: imported with createContacts. */
function ticketSalesFile(): string {
  const lines = ['No transaction;No client;Courriel;Prénom;Type;Date;Spectacle;Montant;Quantité'];
  for (let i = 0; i < ROWS; i++) {
    const person = (i * 7) % PEOPLE;
    const date =
      i % 89 === 0
        ? '2025-02-30 20:00'
        : `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')} 20:00`;
    lines.push(
      `T${i};C${person};p${person}@exemple.qc.ca;Élise;Achat de billets;${date};Spectacle ${i % 40};${10 + (i % 50)},50;${1 + (i % 4)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** An organization's interactions, with their contacts' customer numbers, without ids and times of recording. */
async function interactionsSnapshot(orgId: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    // fresh statistics: with the estimates of nearly empty tables, the join below can take minutes
    await client.query('ANALYZE interactions, contacts, contact_external_ids');
    return (
      await client.query(
        `SELECT i.external_id, x.external_id AS customer, c.email, c.first_name, i.type, i.occurred_at, i.offering_name, i.amount_cents, i.quantity
         FROM interactions i JOIN contacts c ON c.org_id = i.org_id AND c.id = i.contact_id
         JOIN contact_external_ids x ON x.org_id = c.org_id AND x.contact_id = c.id
        WHERE i.org_id = $1 ORDER BY i.external_id`,
        [orgId],
      )
    ).rows;
  } finally {
    await client.end();
  }
}

/** What an organization's contacts are, without ids and times. */
async function snapshot(orgId: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    // fresh statistics: with the estimates of nearly empty tables, the joins below can take minutes
    await client.query('ANALYZE contacts, contact_external_ids, contact_tags, contact_search_tokens');
    const query = async (sql: string) => (await client.query(sql, [orgId])).rows;
    return {
      contacts:
        await query(`SELECT x.external_id, c.first_name, c.last_name, c.email, c.phone, c.postal_code, c.region, c.entered
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

describeOnQueueBackends(
  (backend) => `an import whose worker is killed, on the ${backend} backend`,
  (env) => {
    let api: TestApi;
    const workers: BuiltProcess[] = [];
    const startWorker = async () => {
      const worker = await startBuiltProcess('worker', { ...env, JOB_LOCK_MS: LOCK_MS });
      workers.push(worker);
      return worker;
    };

    /** Waits until the run is RUNNING and has reported some rows. */
    const runningWithProgress = (token: string, id: string) =>
      until(
        `run ${id} to be RUNNING with rows processed`,
        async () => {
          const { jobRun } = await api.ok<any>(token, `query($id: ID!) { jobRun(id: $id) { status processed } }`, {
            id,
          });
          expect(['QUEUED', 'RUNNING']).toContain(jobRun.status);
          return jobRun.status === 'RUNNING' && jobRun.processed > 0;
        },
        { everyMs: 20 },
      );

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
      expect(((await snapshot(crashed.organization.id)) as any).counts[0].contacts).toBe('0');

      await startWorker();
      const retried = await api.finishedRun(crashed.token, upload.body.jobRunId, 120_000);
      expect(retried).toMatchObject({ status: 'SUCCEEDED' });

      const cleanUpload = await api.upload(clean.token, file, options);
      const cleanRun = await api.finishedRun(clean.token, cleanUpload.body.jobRunId, 120_000);
      expect(cleanRun).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });

      expect(retried.counts).toEqual(cleanRun.counts);
      // every person is created: a row with the bad email is imported without it (invalidFields=CLEAR, the default)
      expect(cleanRun.counts).toMatchObject({
        rows: ROWS,
        invalid: 0,
        fieldsCleared: Math.ceil(ROWS / 97),
        created: PEOPLE,
      });
      expect(await snapshot(crashed.organization.id)).toEqual(await snapshot(clean.organization.id));
    }, 240_000);

    it('an interactions import (creating its contacts) ends, after the retry, with exactly the interactions of a clean run', async () => {
      await stopAllBuiltProcesses();
      const file = ticketSalesFile();
      const options = { source: 'billetterie', createContacts: 'true', dedup: 'false' };
      const crashed = await api.createOrganization('Crashed sales');
      const clean = await api.createOrganization('Clean sales');
      const upload = (token: string) => api.upload(token, file, options, '/imports/interactions');

      const first = await startWorker();
      const started = await upload(crashed.token);
      await runningWithProgress(crashed.token, started.body.jobRunId);
      expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
      expect(await interactionsSnapshot(crashed.organization.id)).toEqual([]);

      await startWorker();
      const retried = await api.finishedRun(crashed.token, started.body.jobRunId, 120_000);
      const cleanRun = await api.finishedRun(clean.token, (await upload(clean.token)).body.jobRunId, 120_000);
      expect(retried).toMatchObject({ status: 'SUCCEEDED' });
      expect(retried.counts).toEqual(cleanRun.counts);
      // a person is created unless every row of theirs has the bad date
      const people = new Set(
        Array.from({ length: ROWS }, (_, i) => i)
          .filter((i) => i % 89 !== 0)
          .map((i) => (i * 7) % PEOPLE),
      );
      expect(cleanRun.counts).toMatchObject({
        rows: ROWS,
        invalid: Math.ceil(ROWS / 89),
        recorded: ROWS - Math.ceil(ROWS / 89),
        contactsCreated: people.size,
      });
      const crashedRows = await interactionsSnapshot(crashed.organization.id);
      expect(crashedRows).toHaveLength(ROWS - Math.ceil(ROWS / 89));
      expect(crashedRows).toEqual(await interactionsSnapshot(clean.organization.id));
    }, 240_000);

    it('drains on SIGTERM: the worker finishes the import it is running, then exits', async () => {
      await stopAllBuiltProcesses(); // the one worker is this test's
      const org = await api.createOrganization('Drained');
      const worker = await startWorker();
      const upload = await api.upload(org.token, boxOfficeFile(), {
        strategy: 'UPSERT_BY_EXTERNAL_ID',
        source: 'billetterie',
      });
      await runningWithProgress(org.token, upload.body.jobRunId);
      expect(await worker.stop('SIGTERM')).toMatchObject({ signal: 'SIGTERM' });
      const { jobRun } = await api.ok<any>(
        org.token,
        `query($id: ID!) { jobRun(id: $id) { status attempts counts } }`,
        { id: upload.body.jobRunId },
      );
      expect(jobRun).toMatchObject({ status: 'SUCCEEDED', attempts: 1, counts: { rows: ROWS, dedupRunQueued: 0 } });
    }, 120_000);
  },
);
