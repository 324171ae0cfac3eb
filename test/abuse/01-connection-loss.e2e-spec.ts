import { afterAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { startBuiltProcess, stopAllBuiltProcesses } from '../support/child-process.js';
import { createOrganizationWithCli, type PrivatePostgres, startPrivatePostgres } from '../support/private-services.js';
import { sleep } from '../support/wait.js';

/**
 * Item 1: a connection lost in the middle of a transaction fails that unit of work, never the process. Every
 * backend of the application is terminated while an import streams into its transaction (the API runs the jobs
 * itself, as `npm start` does): the API stays up, the attempt fails, and its retry ends as a clean run would.
 * On a PostgreSQL of the test's own: terminating the shared server's backends would hit other test files.
 */
jest.setTimeout(400_000);
const ROWS = 30_000;

describe('a connection lost mid-transaction', () => {
  let postgres: PrivatePostgres | null = null;

  afterAll(async () => {
    await stopAllBuiltProcesses('SIGKILL');
    await postgres?.destroy();
  });

  it('fails the unit of work, keeps the process, and the retried import ends as a clean run', async () => {
    postgres = await startPrivatePostgres();
    const env = {
      DATABASE_URL: postgres.ownerUrl,
      DATABASE_APP_URL: postgres.appUrl,
      QUEUE_PREFIX: `lost${process.pid}`,
      JOB_LOCK_MS: '2000',
    };
    const token = await createOrganizationWithCli(env, 'Connexions', 'lost@example.org');
    const api = await startBuiltProcess('api', { ...env, RUN_JOBS_IN_API: 'true' });

    const lines = ['no client;prénom;nom;courriel'];
    for (let i = 0; i < ROWS; i++) lines.push(`C${i};Marie${i % 50};Tremblay-${i};m${i}@exemple.qc.ca`);
    const response = await fetch(`${api.url}/imports?strategy=UPSERT_BY_EXTERNAL_ID&source=billetterie&dedup=false`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: `${lines.join('\n')}\n`,
    });
    expect(response.status).toBe(202);
    const { jobRunId } = (await response.json()) as { jobRunId: string };

    const owner = new pg.Client({ connectionString: postgres.ownerUrl });
    owner.on('error', () => undefined);
    await owner.connect();
    try {
      const status = async () =>
        (
          await owner.query<{ status: string; processed: number }>(
            'SELECT status, processed::int AS processed FROM job_runs WHERE id = $1',
            [jobRunId],
          )
        ).rows[0];
      // the import's transaction is open and streaming rows
      for (const started = Date.now(); ; await sleep(20)) {
        const now = await status();
        if (now?.status === 'RUNNING' && now.processed > 0) break;
        if (Date.now() - started > 60_000) throw new Error(`the import never ran: ${JSON.stringify(now)}`);
      }
      const { rowCount } = await owner.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'crm_app'`,
      );
      expect(rowCount).toBeGreaterThan(0);

      let final: { status: string } | undefined;
      for (const started = Date.now(); Date.now() - started < 180_000; await sleep(250)) {
        final = await status();
        if (['SUCCEEDED', 'FAILED'].includes(final.status)) break;
      }
      // the process is still there (its output tells why when it is not)
      expect({
        exitCode: api.process.exitCode,
        signal: api.process.signalCode,
        output: api.process.exitCode === null ? '' : api.output(),
      }).toEqual({ exitCode: null, signal: null, output: '' });
      const after = (
        await owner.query<{ status: string; attempts: number; counts: Record<string, number> }>(
          'SELECT status, attempts, counts FROM job_runs WHERE id = $1',
          [jobRunId],
        )
      ).rows[0];
      expect(after).toMatchObject({
        status: 'SUCCEEDED',
        counts: expect.objectContaining({ rows: ROWS, created: ROWS }),
      });
      expect(after.attempts).toBeGreaterThanOrEqual(2);
      const contacts = await owner.query<{ n: number; distinct: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT email)::int AS distinct FROM contacts',
      );
      expect(contacts.rows[0]).toEqual({ n: ROWS, distinct: ROWS });
      // and the API answers
      const health = await fetch(`${api.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      await owner.end();
    }
  });
});
