import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { TokenKind, TrackingTokens } from '@app/campaigns';
import { QueueName, JobsService } from '@app/jobs';
import { CountingSmtpServer } from '../bench/support/counting-smtp-server.js';
import { errorOf, poolOf, poolOrganization, type PoolOrg as Org, staticAudience } from './support/pools.js';
import { TestApi } from './support/test-app.js';
import { until } from './support/wait.js';

const SHARE = `mutation($input: ShareAudienceInput!) { shareAudience(input: $input) { id } }`;
const UNSHARE = `mutation($id: ID!) { unshareAudience(id: $id) }`;
const SENDER = `mutation($input: SenderIdentityInput!) { createSenderIdentity(input: $input) { id } }`;
const FIELDS = `id name status sharedSegmentId relayFor recipients exclusions { reason count } progress { queued sent delivered }`;
const CREATE = `mutation($input: CampaignInput!) { createCampaign(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: CampaignUpdateInput!) { updateCampaign(id: $id, input: $input) { ${FIELDS} } }`;
const SCHEDULE = `mutation($id: ID!, $at: String) { scheduleCampaign(id: $id, at: $at) { ${FIELDS} } }`;
const GET = `query($id: ID!) { campaign(id: $id) { ${FIELDS} } }`;
const LIST = `{ campaigns(first: 50) { edges { node { ${FIELDS} } } } }`;
const PREVIEW = `query($id: ID!) { previewCampaign(id: $id) { recipients excluded { reason count } samples { language recipients subject html text } } }`;
const STATS = `query($id: ID!) { campaignStats(id: $id) { totals { recipients sent } relay {
  status minGroupSize recipients sent delivered bounced uniqueOpens uniqueClicks unsubscribes } } }`;
const LEDGER = `query($poolId: ID!) { poolLedger(poolId: $poolId, first: 100) { edges { node {
  action askedBy askedByMe dataOrganizations sharedSegmentIds purpose outcome { name value } } } } }`;
const LEAVE = `mutation($poolId: ID!) { leavePool(poolId: $poolId) { status } }`;
const CONTACTS = `{ contacts(first: 100) { totalCount } }`;

const consent = (purpose: string, status = 'GRANTED') => ({
  purpose,
  status,
  legalBasis: status === 'GRANTED' ? 'EXPRESS' : null,
  source: 'billetterie',
});
const BOTH = [consent('EMAIL_MARKETING'), consent('PARTNER_SHARING')];
/** The people who get the relay: both consents at the publisher. */
const RECEIVING = 7;

/**
 * Cross-promotion through a pool (issue 16): the sender S addresses the publisher P's CROSS_PROMOTION share; P's relay
 * reaches exactly P's people with PARTNER_SHARING and EMAIL_MARKETING granted (a real SMTP server counts them); S
 * sees suppressed counts only, never an address; an unsubscribe lands at P; the ledger says it; an AUDIENCE_RESEARCH
 * share is refused; a share withdrawn or a sender gone before the hand-off stops it.
 */
describe('campaigns to a pool partner’s shared segment (relay, no transfer)', () => {
  let api: TestApi;
  let smtp: CountingSmtpServer;
  let db: pg.Client;
  let pub: Org;
  let snd: Org;
  let pool: string;
  let share: string;
  let research: string;
  let senderId: string;
  const emails: Record<string, string> = {};

  const draft = async (input: Record<string, unknown>) =>
    (
      await api.ok<any>(snd.owner, CREATE, {
        input: {
          name: 'Festival des Neiges 2027',
          senderId,
          variants: [
            {
              language: 'FR',
              subject: 'Bonjour {{firstName|ami}}',
              html: '<p>Bonjour {{firstName}}</p><a href="https://neiges.example/inscription">Inscrivez-vous</a>',
            },
            { language: 'EN', subject: 'Hello {{firstName|friend}}', html: '<p>Hello {{firstName}}</p>' },
          ],
          ...input,
        },
      })
    ).createCampaign;
  const campaignOf = async (token: string, id: string) => (await api.ok<any>(token, GET, { id })).campaign;
  const relayOf = async (senderCampaign: string) =>
    (
      await db.query(
        `SELECT id, status FROM campaigns WHERE org_id = $1 AND relay_of_org_id = $2 AND relay_of_campaign_id = $3`,
        [pub.id, snd.id, senderCampaign],
      )
    ).rows[0] as { id: string; status: string } | undefined;

  beforeAll(async () => {
    smtp = await CountingSmtpServer.start();
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true', SMTP_URL: smtp.url, PUBLIC_URL: 'http://crm.test' });
    db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
    pub = await poolOrganization(api, 'Théâtre du Lac');
    snd = await poolOrganization(api, 'Festival des Neiges');
    pool = await poolOf(api, pub, [snd], {
      name: "Réseau de l'Est",
      purposes: ['CROSS_PROMOTION', 'AUDIENCE_RESEARCH'],
      minGroupSize: 5,
    });
    const people: Record<string, unknown>[] = [];
    for (let i = 1; i <= RECEIVING; i++)
      people.push({ firstName: `Ami${i}`, email: (emails[`ok${i}`] = `ok${i}@lac.example`), consents: BOTH });
    people.push(
      { firstName: 'Infolettre', email: (emails.mail = 'mail-only@lac.example'), consents: [BOTH[0]] },
      { firstName: 'Partage', email: (emails.partner = 'partner-only@lac.example'), consents: [BOTH[1]] },
      {
        firstName: 'Retiré',
        email: (emails.withdrawn = 'withdrawn@lac.example'),
        consents: [...BOTH, { ...consent('PARTNER_SHARING', 'WITHDRAWN') }],
      },
    );
    const audience = await staticAudience(api, pub, 'Abonnés', people);
    const shareFor = async (purpose: string) =>
      (await api.ok<any>(pub.owner, SHARE, { input: { audienceId: audience.id, poolId: pool, purpose } })).shareAudience
        .id as string;
    share = await shareFor('CROSS_PROMOTION');
    research = await shareFor('AUDIENCE_RESEARCH');
    senderId = (
      await api.ok<any>(snd.owner, SENDER, {
        input: {
          fromName: 'Festival des Neiges',
          fromEmail: 'info@neiges.example',
          mailingAddress: '1 rue du Festival, Rimouski (Québec) G5L 1A1',
          contactLine: '418 555-0199 · neiges.example',
        },
      })
    ).createSenderIdentity.id;
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await api?.close();
    await smtp?.close();
  });

  it('refuses a share that is not for CROSS_PROMOTION, its own share, and audiences mixed with a share', async () => {
    const toResearch = await draft({ sharedSegmentId: research });
    expect(errorOf(await api.gql(snd.owner, SCHEDULE, { id: toResearch.id }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.sharedSegmentId',
    });
    expect((await campaignOf(snd.owner, toResearch.id)).status).toBe('DRAFT');
    // the publisher addresses its own audience, not its share
    const pubSender = (
      await api.ok<any>(pub.owner, SENDER, {
        input: { fromName: 'Lac', fromEmail: 'info@lac.example', mailingAddress: '2 rue du Lac', contactLine: '418' },
      })
    ).createSenderIdentity.id;
    const own = await api.gql<any>(pub.owner, CREATE, {
      input: {
        name: 'x',
        senderId: pubSender,
        sharedSegmentId: share,
        variants: [{ language: 'FR', subject: 's', html: '<p>x</p>' }],
      },
    });
    const ownId = own.data!.createCampaign.id;
    expect(errorOf(await api.gql(pub.owner, SCHEDULE, { id: ownId }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.sharedSegmentId',
    });
    const { createAudience } = await api.ok<any>(
      snd.owner,
      `mutation { createAudience(input: { name: "Mes abonnés", kind: STATIC }) { id } }`,
    );
    expect(
      errorOf(
        await api.gql(snd.owner, UPDATE, { id: toResearch.id, input: { includeAudienceIds: [createAudience.id] } }),
      ),
    ).toEqual({ code: 'BAD_USER_INPUT', field: 'input.sharedSegmentId' });
  });

  it("previews with a suppressed count only, and sends to exactly the publisher's consenting people", async () => {
    const campaign = await draft({ sharedSegmentId: share });
    expect(campaign).toMatchObject({ status: 'DRAFT', sharedSegmentId: share, relayFor: null });

    const preview = await api.gql<any>(snd.owner, PREVIEW, { id: campaign.id });
    expect(preview.errors).toBeUndefined();
    const { previewCampaign } = preview.data!;
    // 7 people at k = 5: shown with noise, rounded to 5, never under k
    expect(previewCampaign.recipients).toEqual(expect.any(Number));
    expect(previewCampaign.recipients % 5).toBe(0);
    expect(previewCampaign.recipients).toBeGreaterThanOrEqual(5);
    expect(previewCampaign.excluded).toEqual([]);
    expect(previewCampaign.samples.map((s: any) => s.recipients)).toEqual([null, null]);
    expect(previewCampaign.samples[0].html).toContain('partenaire de Théâtre du Lac');
    expect(JSON.stringify(preview)).not.toMatch(/lac\.example/);

    await api.ok(snd.owner, SCHEDULE, { id: campaign.id });
    await until('the hand-off', async () => (await campaignOf(snd.owner, campaign.id)).status === 'SENT');
    const relay = await until('the relay at the publisher', () => relayOf(campaign.id));
    await until('the relay sent', async () => (await relayOf(campaign.id))?.status === 'SENT');
    await until('every message received', () => smtp.total() >= RECEIVING);

    // the publisher's own records: who it went to, in its tenant
    const { rows } = await db.query(
      `SELECT email, status FROM campaign_messages WHERE org_id = $1 AND campaign_id = $2 ORDER BY email`,
      [pub.id, relay.id],
    );
    expect(rows.map((r) => r.email)).toEqual(
      Array.from({ length: RECEIVING }, (_, i) => `ok${i + 1}@lac.example`).sort(),
    );
    expect(rows.every((r) => r.status === 'DELIVERED')).toBe(true);
    expect(smtp.total()).toBe(RECEIVING);

    // the publisher sees the relay, marked, with its full figures and why the others were left out
    const ofPub = (await api.ok<any>(pub.owner, LIST)).campaigns.edges.map((e: any) => e.node);
    expect(ofPub.find((c: any) => c.id === relay.id)).toMatchObject({
      relayFor: 'Festival des Neiges',
      sharedSegmentId: share,
      status: 'SENT',
      recipients: RECEIVING,
      exclusions: expect.arrayContaining([
        { reason: 'NO_PARTNER_SHARING', count: 2 },
        { reason: 'NO_CONSENT', count: 1 },
      ]),
    });
    expect(errorOf(await api.gql(pub.owner, UPDATE, { id: relay.id, input: { name: 'x' } }))).toMatchObject({
      code: 'CONFLICT',
    });

    // the sender: suppressed counts only, no identifier anywhere
    const stats = await api.gql<any>(snd.owner, STATS, { id: campaign.id });
    expect(stats.errors).toBeUndefined();
    expect(stats.data!.campaignStats.totals).toMatchObject({ recipients: 0, sent: 0 });
    expect(stats.data!.campaignStats.relay).toMatchObject({
      status: 'SENT',
      minGroupSize: 5,
      recipients: expect.any(Number),
      delivered: expect.any(Number),
      bounced: null,
      unsubscribes: null,
    });
    expect(JSON.stringify(stats)).not.toMatch(/lac\.example|Ami\d/);
    expect(JSON.stringify(await api.ok(snd.owner, GET, { id: campaign.id }))).not.toMatch(/lac\.example/);

    // the ledger: the send, asked by the sender, on the publisher's data, read by both
    for (const org of [snd, pub]) {
      const entries = (await api.ok<any>(org.owner, LEDGER, { poolId: pool })).poolLedger.edges.map((e: any) => e.node);
      expect(entries).toContainEqual(
        expect.objectContaining({
          action: 'CROSS_PROMOTION_SEND',
          askedBy: 'Festival des Neiges',
          askedByMe: org === snd,
          dataOrganizations: ['Théâtre du Lac'],
          sharedSegmentIds: [share],
          purpose: 'CROSS_PROMOTION',
          outcome: [{ name: 'recipients', value: expect.any(Number) }],
        }),
      );
      expect(entries.map((e: any) => e.action)).toContain('CROSS_PROMOTION_PREVIEW');
    }

    // an unsubscribe through a relayed message lands at the publisher: both consents withdrawn there
    const [message] = (
      await db.query(
        `SELECT m.id, m.contact_id AS "contactId" FROM campaign_messages m WHERE m.org_id = $1 AND m.campaign_id = $2
          ORDER BY m.email LIMIT 1`,
        [pub.id, relay.id],
      )
    ).rows;
    const token = api.app
      .get(TrackingTokens)
      .sign({ kind: TokenKind.UNSUBSCRIBE, orgId: pub.id, messageId: message.id, link: 0 });
    const response = await fetch(`${api.url}/t/u/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    const { rows: consents } = await db.query(
      `SELECT purpose, status, source FROM consents WHERE org_id = $1 AND contact_id = $2 AND status = 'WITHDRAWN'
        ORDER BY purpose`,
      [pub.id, message.contactId],
    );
    expect(consents).toEqual([
      { purpose: 'EMAIL_MARKETING', status: 'WITHDRAWN', source: `campaign:${relay.id}` },
      { purpose: 'PARTNER_SHARING', status: 'WITHDRAWN', source: `campaign:${relay.id}` },
    ]);
    // nothing at the sender: no contact, no consent, no message
    expect((await api.ok<any>(snd.owner, CONTACTS)).contacts.totalCount).toBe(0);
    const { rows: atSender } = await db.query(
      `SELECT (SELECT count(*) FROM contacts WHERE org_id = $1)::int AS contacts,
              (SELECT count(*) FROM consents WHERE org_id = $1)::int AS consents,
              (SELECT count(*) FROM campaign_messages WHERE org_id = $1)::int AS messages`,
      [snd.id],
    );
    expect(atSender[0]).toEqual({ contacts: 0, consents: 0, messages: 0 });
  });

  /** A campaign of the sender scheduled for later, whose snapshot the test then runs at once. */
  const scheduledLater = async (sharedSegmentId: string) => {
    const campaign = await draft({ sharedSegmentId });
    await api.ok(snd.owner, SCHEDULE, { id: campaign.id, at: new Date(Date.now() + 3_600_000).toISOString() });
    const [{ id: run }] = (
      await db.query(
        `SELECT id FROM job_runs WHERE org_id = $1 AND kind = 'campaigns.snapshot' AND payload ->> 'campaignId' = $2`,
        [snd.id, campaign.id],
      )
    ).rows;
    // its time comes: the campaign's hour is now, and its delayed job runs
    const runNow = async () => {
      await db.query('UPDATE campaigns SET scheduled_at = now() WHERE id = $1', [campaign.id]);
      const job = await api.app.get(JobsService).queue(QueueName.CONTACTS).getJob(run);
      await job!.promote();
      return api.finishedRun(snd.owner, run);
    };
    return { campaign, runNow };
  };

  it('stops when the share is withdrawn, or the sender left the pool, before the hand-off', async () => {
    const received = smtp.total();
    const again = (
      await api.ok<any>(pub.owner, SHARE, {
        input: {
          audienceId: (await db.query('SELECT audience_id FROM shared_segments WHERE id = $1', [share])).rows[0]
            .audience_id,
          poolId: pool,
          purpose: 'CROSS_PROMOTION',
        },
      })
    ).shareAudience.id as string;
    const first = await scheduledLater(share);
    const second = await scheduledLater(again);

    await api.ok(pub.owner, UNSHARE, { id: share });
    expect((await first.runNow()).status).toBe('FAILED');
    expect((await campaignOf(snd.owner, first.campaign.id)).status).toBe('CANCELLED');
    expect(await relayOf(first.campaign.id)).toBeUndefined();

    await api.ok(snd.owner, LEAVE, { poolId: pool });
    expect((await second.runNow()).status).toBe('FAILED');
    expect((await campaignOf(snd.owner, second.campaign.id)).status).toBe('CANCELLED');
    expect(await relayOf(second.campaign.id)).toBeUndefined();
    expect(smtp.total()).toBe(received);
  });
});
