import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { TokenKind, TrackingTokens } from '@app/campaigns';
import { TenantContexts } from '@app/database';
import { JobName, JobsService } from '@app/jobs';
import { type BuiltProcess, startBuiltProcess, stopAllBuiltProcesses } from './support/child-process.js';
import { CountingSmtpServer } from '../bench/support/counting-smtp-server.js';
import { describeOnQueueBackends } from './support/queue-backends.js';
import { TestApi, testClaimKey } from './support/test-app.js';
import { until } from './support/wait.js';

/**
 * Campaign dispatch against a real SMTP server that counts what it receives: every message exactly once, though the
 * worker is killed (SIGKILL) with messages in flight; a recipient refused at RCPT bounces; a paused campaign stops.
 * The campaigns and their QUEUED messages are written with SQL (as the snapshot job leaves them).
 */
const MESSAGES = 2_000;
const BOUNCES = 3;

describeOnQueueBackends(
  (backend) => `campaign dispatch over SMTP (${backend} queues)`,
  (env) => {
    let api: TestApi;
    let smtp: CountingSmtpServer;
    let owner: pg.Client;
    let orgId: string;
    let token: string;
    const tokens = new TrackingTokens(testClaimKey());
    const workers: BuiltProcess[] = [];
    const startWorker = async () => {
      const worker = await startBuiltProcess('worker', {
        ...env,
        JOB_LOCK_MS: '1500',
        SMTP_URL: smtp.url,
        PUBLIC_URL: 'http://crm.test',
      });
      workers.push(worker);
      return worker;
    };

    /** The message a received Message-ID names (its BOUNCE token). */
    const messageOf = (messageIdHeader: string) =>
      tokens.verify(/^<([^@]+)@crm\.test>$/.exec(messageIdHeader)?.[1], TokenKind.BOUNCE)?.messageId ?? 'unknown';

    /** A SENDING campaign of `count` QUEUED messages to new contacts with EMAIL_MARKETING consent; `bounces` refused. */
    async function campaignOf(count: number, bounces: number, sendRate: number): Promise<string> {
      const tag = Math.random().toString(36).slice(2, 8);
      await owner.query(
        `INSERT INTO contacts (org_id, first_name, last_name, email, city, preferred_language)
       SELECT $1, 'Élise' || i, 'Côté', CASE WHEN i <= $3 THEN 'bounce' ELSE 'p' END || i || '-' || $2 || '@example.org',
              'Québec', CASE WHEN i % 2 = 0 THEN 'en' ELSE 'fr' END
         FROM generate_series(1, $4) AS i`,
        [orgId, tag, bounces, count],
      );
      await owner.query(
        `INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, source, occurred_at)
       SELECT org_id, id, 'EMAIL_MARKETING', 'GRANTED', 'EXPRESS', 'test', now() FROM contacts
        WHERE org_id = $1 AND email LIKE '%-' || $2 || '@example.org'`,
        [orgId, tag],
      );
      const [{ id: senderId }] = (
        await owner.query(
          `INSERT INTO sender_identities (org_id, from_name, from_email, mailing_address, contact_line)
         VALUES ($1, 'Théâtre du Nord', 'info@theatre.example', '123 rue Principale, Montréal', '514-555-0100')
         RETURNING id`,
          [orgId],
        )
      ).rows;
      const variants = ['fr', 'en'].map((language) => ({
        language,
        subject: `${language} {{firstName|ami}}`,
        html: `<p>Bonjour {{firstName}} de {{city}}</p><a href="https://show.example/${language}">Billets</a>`,
        text: null,
      }));
      const [{ id: campaignId }] = (
        await owner.query(
          `INSERT INTO campaigns (org_id, name, status, sender_id, variants, send_rate, sending_at)
         VALUES ($1, $2, 'SENDING', $3, $4, $5, now()) RETURNING id`,
          [orgId, `Campagne ${tag}`, senderId, JSON.stringify(variants), sendRate],
        )
      ).rows;
      await owner.query(
        `INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language)
       SELECT org_id, $2, id, email, preferred_language FROM contacts
        WHERE org_id = $1 AND email LIKE '%-' || $3 || '@example.org' ORDER BY email`,
        [orgId, campaignId, tag],
      );
      return campaignId as string;
    }

    const startDispatch = (campaignId: string) =>
      TenantContexts.run({ orgId }, () => api.app.get(JobsService).start(JobName.CAMPAIGN_DISPATCH, { campaignId }));

    const statuses = async (campaignId: string) =>
      Object.fromEntries(
        (
          await owner.query(
            `SELECT status, count(*)::int AS n FROM campaign_messages WHERE campaign_id = $1 GROUP BY status`,
            [campaignId],
          )
        ).rows.map((r) => [r.status, r.n]),
      ) as Record<string, number>;

    const campaignStatus = async (campaignId: string) =>
      (await owner.query('SELECT status FROM campaigns WHERE id = $1', [campaignId])).rows[0].status as string;

    beforeAll(async () => {
      smtp = await CountingSmtpServer.start();
      api = await TestApi.start(env); // no processors in the API: the child workers send
      const org = await api.createOrganization('Dispatch');
      orgId = org.organization.id;
      token = org.token;
      owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await owner.connect();
    }, 60_000);
    afterAll(async () => {
      await stopAllBuiltProcesses('SIGKILL');
      await owner?.end();
      await api?.close();
      await smtp?.close();
    });

    it('sends every message exactly once though the worker is killed mid-send', async () => {
      const campaignId = await campaignOf(MESSAGES, BOUNCES, 100_000);
      const first = await startWorker();
      await startDispatch(campaignId);
      // mid-send: some received, then the server holds its replies until every connection waits on one (their SENT
      // marks committed, their final dots received): the kill finds messages in flight
      await until('some messages received', () => smtp.total() >= 300, { everyMs: 20 });
      smtp.stall();
      await until('every connection in flight', () => smtp.connections > 0 && smtp.held.length >= smtp.connections, {
        everyMs: 10,
      });
      expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
      smtp.held.splice(0); // their connections are gone
      smtp.resume();
      const atKill = smtp.total();
      expect(atKill).toBeLessThan(MESSAGES - BOUNCES);

      await startWorker();
      await until('the campaign to be SENT', async () => (await campaignStatus(campaignId)) === 'SENT', {
        timeoutMs: 180_000,
        everyMs: 250,
      });

      const ids = (await owner.query('SELECT id FROM campaign_messages WHERE campaign_id = $1', [campaignId])).rows.map(
        (r) => r.id as string,
      );
      const perMessage = new Map<string, number>();
      for (const [header, times] of smtp.received) {
        const id = messageOf(header);
        perMessage.set(id, (perMessage.get(id) ?? 0) + times);
      }
      const byStatus = await statuses(campaignId);
      expect(byStatus.QUEUED ?? 0).toBe(0);
      expect((byStatus.SENT ?? 0) + (byStatus.DELIVERED ?? 0)).toBe(MESSAGES - BOUNCES);
      expect(byStatus.BOUNCED).toBe(BOUNCES);
      const bounced = new Set(
        (
          await owner.query(`SELECT id FROM campaign_messages WHERE campaign_id = $1 AND status = 'BOUNCED'`, [
            campaignId,
          ])
        ).rows.map((r) => r.id as string),
      );
      expect(perMessage.get('unknown')).toBeUndefined();
      expect([...perMessage.values()].filter((n) => n !== 1)).toEqual([]); // nothing twice
      expect(ids.filter((id) => !bounced.has(id) && perMessage.get(id) !== 1)).toEqual([]); // nothing skipped
      expect(perMessage.size).toBe(MESSAGES - BOUNCES);
    }, 300_000);

    it('bounces a recipient refused at RCPT: the message BOUNCED, the contact undeliverable', async () => {
      const rows = (
        await owner.query(
          `SELECT m.status, m.failure, m.bounced_at, c.bounced_email = c.email AS undeliverable
           FROM campaign_messages m JOIN contacts c ON c.org_id = m.org_id AND c.id = m.contact_id
          WHERE m.org_id = $1 AND m.email LIKE 'bounce%'`,
          [orgId],
        )
      ).rows;
      expect(rows).toHaveLength(BOUNCES);
      for (const row of rows)
        expect(row).toMatchObject({
          status: 'BOUNCED',
          failure: 'SMTP 550 5.1.1 at RCPT TO',
          bounced_at: expect.any(Date),
          undeliverable: true,
        });
    });

    it('stops sending when the campaign is paused', async () => {
      const campaignId = await campaignOf(400, 0, 1_200); // 20 a second: time to pause it
      const before = smtp.total();
      const run = await startDispatch(campaignId);
      await until('some messages received', () => smtp.total() - before >= 10, { everyMs: 20 });
      await owner.query(`UPDATE campaigns SET status = 'PAUSED' WHERE id = $1`, [campaignId]);
      const finished = await api.finishedRun(token, run.id, 120_000);
      expect(finished).toMatchObject({ status: 'SUCCEEDED', counts: expect.objectContaining({ stoppedByStatus: 1 }) });
      const byStatus = await statuses(campaignId);
      expect(byStatus.QUEUED).toBeGreaterThan(0);
      expect(await campaignStatus(campaignId)).toBe('PAUSED');
      // what was handed over is what the server received, and nothing more comes: the run is over, no other queued
      expect(smtp.total() - before).toBe(400 - byStatus.QUEUED);
    }, 180_000);

    it('cancels a campaign while it is sending: what was not handed over never is', async () => {
      const campaignId = await campaignOf(3_000, 0, 100_000);
      const before = smtp.total();
      const run = await startDispatch(campaignId);
      await until('some messages received', () => smtp.total() - before >= 100, { everyMs: 10 });
      const cancelled = await api.gql<any>(token, `mutation($id: ID!) { cancelCampaign(id: $id) { status } }`, {
        id: campaignId,
      });
      expect(cancelled.errors).toBeUndefined();
      expect(cancelled.data.cancelCampaign.status).toBe('CANCELLED');
      const finished = await api.finishedRun(token, run.id, 120_000);
      expect(finished).toMatchObject({ status: 'SUCCEEDED', counts: expect.objectContaining({ stoppedByStatus: 1 }) });
      const byStatus = await statuses(campaignId);
      expect(byStatus.QUEUED ?? 0).toBe(0);
      expect(byStatus.CANCELLED).toBeGreaterThan(0);
      expect(smtp.total() - before).toBe(3_000 - byStatus.CANCELLED);
    }, 180_000);
  },
);
