import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoCampaigns, MessageEvents, type MessageEventInput } from '@app/campaigns';
import { TenantContexts, TenantDb } from '@app/database';
import { Role } from '@app/tenancy';
import { TestApi } from './support/test-app.js';

/**
 * campaignStats over real HTTP against figures worked out by hand: two campaigns of one organization, messages in
 * every status, events through MessageEvents, purchases through recordInteractions; attribution windows (click, else
 * open) and last touch between the two campaigns.
 */
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
const RECORD = `mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted rejected } }`;
const FIGURES = `group { dimension language region audienceId audienceName }
  recipients sent delivered bounced failed uniqueOpens uniqueClicks unsubscribes
  openRate clickRate clickToOpenRate bounceRate unsubscribeRate
  attributed { type count quantity amountCents } attributedCount attributedRevenueCents`;
const STATS = `query($id: ID!, $by: [CampaignStatsDimension!]) {
  campaignStats(id: $id, by: $by) { campaignId attributionDays currency totals { ${FIGURES} } rows { ${FIGURES} } } }`;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The campaigns' send time: well in the past, so every event and purchase is too. */
const T0 = Date.now() - 40 * DAY;
const at = (ms: number) => new Date(T0 + ms);

const attribution = (ticket: [number, number, number], donation: [number, number], membership: [number, number]) => [
  { type: 'TICKET_PURCHASE', count: ticket[0], quantity: ticket[1], amountCents: ticket[2] },
  { type: 'DONATION', count: donation[0], quantity: 0, amountCents: donation[1] },
  { type: 'MEMBERSHIP', count: membership[0], quantity: 0, amountCents: membership[1] },
];

describe('campaignStats', () => {
  let api: TestApi;
  let owner: string;
  let orgId: string;
  let campaignA: string;
  let campaignB: string;
  let subscribers: string;
  let everyone: string;

  const sql = <T>(work: (tx: any) => Promise<T>) =>
    TenantContexts.run({ orgId }, () => api.app.get(TenantDb).transaction(work));
  const events = (list: MessageEventInput[]) => sql((tx) => api.app.get(MessageEvents).record(tx, list));

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Théâtre des stats'));
    const contact = async (n: number) =>
      (
        await api.ok<any>(owner, CREATE_CONTACT, {
          input: { firstName: `Personne${n}`, email: `p${n}@example.org` },
        })
      ).createContact.id as string;
    const c: string[] = [];
    for (let n = 1; n <= 8; n++) c[n] = await contact(n);
    subscribers = (await api.ok<any>(owner, CREATE_AUDIENCE, { input: { name: 'Abonnés', kind: 'STATIC' } }))
      .createAudience.id;
    everyone = (await api.ok<any>(owner, CREATE_AUDIENCE, { input: { name: 'Grand public', kind: 'STATIC' } }))
      .createAudience.id;

    const m = await sql(async (tx) => {
      const [sender] = await tx.query(
        `INSERT INTO sender_identities (org_id, from_name, from_email, mailing_address, contact_line)
         VALUES (crm_current_org(), 'Théâtre', 'info@example.org', '1 rue Test, Montréal (Québec) H2X 1Y4', 'info@example.org')
         RETURNING id`,
      );
      const campaign = async (name: string) =>
        (
          await tx.query(
            `INSERT INTO campaigns (org_id, name, status, sender_id, sent_at) VALUES (crm_current_org(), $1, 'SENT', $2, $3) RETURNING id`,
            [name, sender.id, at(0)],
          )
        )[0].id as string;
      campaignA = await campaign('Saison A');
      campaignB = await campaign('Relâche B');
      const message = async (
        campaignId: string,
        contactId: string,
        language: string,
        region: string | null,
        audienceId: string | null,
        status: string,
      ) =>
        (
          await tx.query(
            `INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language, region, audience_id, status, sent_at)
             VALUES (crm_current_org(), $1, $2, 'x@example.org', $3, $4, $5, $6, CASE WHEN $6 IN ('SENT', 'FAILED') THEN $7::timestamptz END)
             RETURNING id`,
            [campaignId, contactId, language, region, audienceId, status, at(0)],
          )
        )[0].id as string;
      return {
        a1: await message(campaignA, c[1], 'fr', 'Montréal', subscribers, 'SENT'),
        a2: await message(campaignA, c[2], 'en', 'Capitale-Nationale', subscribers, 'SENT'),
        a3: await message(campaignA, c[3], 'fr', 'Montréal', everyone, 'SENT'),
        a4: await message(campaignA, c[4], 'fr', null, everyone, 'SENT'),
        a5: await message(campaignA, c[5], 'en', 'Montréal', everyone, 'FAILED'),
        a6: await message(campaignA, c[6], 'fr', 'Montréal', everyone, 'SENT'),
        a7: await message(campaignA, c[7], 'en', null, null, 'QUEUED'),
        b6: await message(campaignB, c[6], 'fr', 'Montréal', everyone, 'SENT'),
        b1: await message(campaignB, c[1], 'fr', 'Montréal', everyone, 'SENT'),
        b8: await message(campaignB, c[8], 'en', 'Montréal', everyone, 'SENT'),
      };
    });
    const delivered = (id: string): MessageEventInput => ({ messageId: id, event: 'delivered', at: at(60_000) });
    await events([
      ...[m.a1, m.a2, m.a3, m.a4, m.a6, m.b6, m.b1, m.b8].map(delivered),
      { messageId: m.a3, event: 'bounced', at: at(HOUR) },
      { messageId: m.a1, event: 'opened', at: at(HOUR) },
      { messageId: m.a1, event: 'clicked', at: at(2 * HOUR), link: 0 },
      { messageId: m.a2, event: 'opened', at: at(HOUR) },
      { messageId: m.a4, event: 'unsubscribed', at: at(3 * HOUR) },
      { messageId: m.a6, event: 'opened', at: at(HOUR) },
      { messageId: m.a6, event: 'clicked', at: at(2 * HOUR), link: 0 },
      // campaign B: a click alone (counts as an open), an open later than A's click, an open only
      { messageId: m.b6, event: 'clicked', at: at(2 * DAY), link: 0 },
      { messageId: m.b1, event: 'opened', at: at(DAY) },
      { messageId: m.b8, event: 'opened', at: at(DAY) },
    ]);
    const purchase = (n: number, ms: number, type: string, amountCents: number, extra: object = {}) => ({
      contact: { id: c[n] },
      type,
      occurredAt: at(ms).toISOString(),
      amountCents,
      ...extra,
    });
    const recorded = await api.ok<any>(owner, RECORD, {
      input: [
        // 3 days after A's click (B's later open does not outrank a click): A
        purchase(1, 2 * HOUR + 3 * DAY, 'TICKET_PURCHASE', 5000, { quantity: 2 }),
        // 10 days after A's click, 9 after B's open: neither
        purchase(1, 2 * HOUR + 10 * DAY, 'TICKET_PURCHASE', 9900, { quantity: 1 }),
        // before any open: nobody
        purchase(2, 30 * 60_000, 'DONATION', 1000),
        // 2 days after A's open (no click): A; in USD, counted without an amount
        purchase(2, HOUR + 2 * DAY, 'DONATION', 2500),
        purchase(2, HOUR + DAY, 'MEMBERSHIP', 3000, { currency: 'USD' }),
        // not an attributed type
        purchase(2, HOUR + DAY, 'ATTENDANCE', 0),
        // clicked A, then B: the latest click wins, B
        purchase(6, 3 * DAY, 'TICKET_PURCHASE', 4000, { quantity: 1 }),
        // B's open only
        purchase(8, 3 * DAY, 'TICKET_PURCHASE', 3000, { quantity: 2 }),
        // never opened A (unsubscribed without opening)
        purchase(4, 4 * HOUR, 'TICKET_PURCHASE', 7000, { quantity: 1 }),
      ],
    });
    expect(recorded.recordInteractions).toEqual({ accepted: 9, rejected: 0 });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('counts the messages, their rates and what the campaign earned, with the attribution window and last touch', async () => {
    const { campaignStats } = await api.ok<any>(owner, STATS, { id: campaignA });
    expect(campaignStats).toEqual({
      campaignId: campaignA,
      attributionDays: 7,
      currency: 'CAD',
      rows: [],
      totals: {
        group: null,
        recipients: 7,
        sent: 5,
        delivered: 4,
        bounced: 1,
        failed: 1,
        uniqueOpens: 3,
        uniqueClicks: 2,
        unsubscribes: 1,
        openRate: 3 / 4,
        clickRate: 2 / 4,
        clickToOpenRate: 2 / 3,
        bounceRate: 1 / 5,
        unsubscribeRate: 1 / 4,
        attributed: attribution([1, 2, 5000], [1, 2500], [1, 0]),
        attributedCount: 3,
        attributedRevenueCents: 7500,
      },
    });
    const b = (await api.ok<any>(owner, STATS, { id: campaignB })).campaignStats.totals;
    expect(b).toMatchObject({ recipients: 3, delivered: 3, uniqueOpens: 3, uniqueClicks: 1, openRate: 1 });
    expect(b.attributed).toEqual(attribution([2, 3, 7000], [0, 0], [0, 0]));
  });

  it('follows the campaign’s own window: with 1 day, the purchase 3 days after the click no longer counts', async () => {
    await sql((tx) => tx.query(`UPDATE campaigns SET attribution_days = 1 WHERE id = $1`, [campaignA]));
    try {
      const totals = (await api.ok<any>(owner, STATS, { id: campaignA })).campaignStats.totals;
      // the membership 1 day after the open is at the window's end (exclusive); the donation 2 days after is out
      expect(totals.attributed).toEqual(attribution([0, 0, 0], [0, 0], [0, 0]));
    } finally {
      await sql((tx) => tx.query(`UPDATE campaigns SET attribution_days = 7 WHERE id = $1`, [campaignA]));
    }
  });

  it('breaks the figures down by language, region and audience (with its name)', async () => {
    const { campaignStats } = await api.ok<any>(owner, STATS, {
      id: campaignA,
      by: ['LANGUAGE', 'AUDIENCE', 'REGION'],
    });
    const rows = campaignStats.rows.map((row: any) => ({
      group: row.group,
      recipients: row.recipients,
      sent: row.sent,
      delivered: row.delivered,
      opens: row.uniqueOpens,
      clicks: row.uniqueClicks,
      earned: row.attributedCount,
      revenue: row.attributedRevenueCents,
    }));
    const group = (dimension: string, values: object) => ({
      dimension,
      language: null,
      region: null,
      audienceId: null,
      audienceName: null,
      ...values,
    });
    const [audienceFirst, audienceSecond] = [subscribers, everyone].sort();
    const audienceRow = (id: string) =>
      id === subscribers
        ? { recipients: 2, sent: 2, delivered: 2, opens: 2, clicks: 1, earned: 3, revenue: 7500 }
        : { recipients: 4, sent: 3, delivered: 2, opens: 1, clicks: 1, earned: 0, revenue: 0 };
    expect(rows).toEqual([
      {
        group: group('LANGUAGE', { language: 'EN' }),
        ...{ recipients: 3, sent: 1, delivered: 1, opens: 1, clicks: 0, earned: 2, revenue: 2500 },
      },
      {
        group: group('LANGUAGE', { language: 'FR' }),
        ...{ recipients: 4, sent: 4, delivered: 3, opens: 2, clicks: 2, earned: 1, revenue: 5000 },
      },
      {
        group: group('AUDIENCE', {
          audienceId: audienceFirst,
          audienceName: audienceFirst === subscribers ? 'Abonnés' : 'Grand public',
        }),
        ...audienceRow(audienceFirst),
      },
      {
        group: group('AUDIENCE', {
          audienceId: audienceSecond,
          audienceName: audienceSecond === subscribers ? 'Abonnés' : 'Grand public',
        }),
        ...audienceRow(audienceSecond),
      },
      {
        group: group('AUDIENCE', {}),
        ...{ recipients: 1, sent: 0, delivered: 0, opens: 0, clicks: 0, earned: 0, revenue: 0 },
      },
      {
        group: group('REGION', { region: 'Capitale-Nationale' }),
        ...{ recipients: 1, sent: 1, delivered: 1, opens: 1, clicks: 0, earned: 2, revenue: 2500 },
      },
      {
        group: group('REGION', { region: 'Montréal' }),
        ...{ recipients: 4, sent: 3, delivered: 2, opens: 2, clicks: 2, earned: 1, revenue: 5000 },
      },
      {
        group: group('REGION', {}),
        ...{ recipients: 2, sent: 1, delivered: 1, opens: 0, clicks: 0, earned: 0, revenue: 0 },
      },
    ]);
    // the breakdowns add up to the totals
    expect(campaignStats.totals.attributedCount).toBe(3);
  });

  it('is open to the ANALYST role, and NOT_FOUND to another organization', async () => {
    const analyst = await api.memberKey(orgId, Role.ANALYST);
    const { campaignStats } = await api.ok<any>(analyst, STATS, { id: campaignA, by: ['REGION'] });
    expect(campaignStats.totals.recipients).toBe(7);

    const other = await api.createOrganization();
    const answer = await api.gql(other.token, STATS, { id: campaignA });
    expect(answer.data?.campaignStats ?? null).toBeNull();
    expect(answer.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const bad = await api.gql(owner, STATS, { id: 'not-a-uuid' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('names the campaigns of engagementStats rows grouped by campaign', async () => {
    const { engagementStats } = await api.ok<any>(
      owner,
      `query { engagementStats(filter: { types: ["EMAIL_DELIVERED"] }, groupBy: [CAMPAIGN]) {
         rows { group { campaign campaignName } interactions } } }`,
    );
    expect(engagementStats.rows).toEqual(
      expect.arrayContaining([
        { group: { campaign: campaignA, campaignName: 'Saison A' }, interactions: 5 },
        { group: { campaign: campaignB, campaignName: 'Relâche B' }, interactions: 3 },
      ]),
    );
  });

  it('seeds demo campaigns whose figures show attributed tickets and revenue at once', async () => {
    const demo = await api.createOrganization('Démo campagnes');
    const ids: string[] = [];
    for (let n = 0; n < 150; n++) {
      const input = {
        firstName: `Démo${n}`,
        email: `demo${n}@example.org`,
        preferredLanguage: n % 3 === 0 ? 'EN' : 'FR',
        postalCode: n % 2 ? 'H2X 1Y4' : 'G1R 4P5',
        consents:
          n % 10 === 9 ? [] : [{ purpose: 'EMAIL_MARKETING', status: 'GRANTED', legalBasis: 'EXPRESS', source: 'web' }],
      };
      ids.push((await api.ok<any>(demo.token, CREATE_CONTACT, { input })).createContact.id);
    }
    const audience = (await api.ok<any>(demo.token, CREATE_AUDIENCE, { input: { name: 'Infolettre', kind: 'STATIC' } }))
      .createAudience.id;
    const messages = await TenantContexts.run({ orgId: demo.organization.id }, () =>
      api.app.get(TenantDb).transaction((tx) =>
        api.app.get(DemoCampaigns).seed(tx, {
          organization: { name: 'Théâtre des Saules', ownerEmail: 'owner@theatre-des-saules.example' },
          audienceId: audience,
          contactIds: ids,
          seed: 1,
        }),
      ),
    );
    // 135 with consent; the second campaign goes to about two thirds of them
    expect(messages).toBeGreaterThan(135);
    const { campaigns } = await api.ok<any>(
      demo.token,
      `query { campaigns: engagementStats(filter: { types: ["EMAIL_DELIVERED"] }, groupBy: [CAMPAIGN]) { rows { group { campaign campaignName } } } }`,
    );
    const rows = campaigns.rows.map((row: any) => row.group);
    expect(rows.map((g: any) => g.campaignName).sort()).toEqual([
      'Dernière chance : Les Voix du fleuve',
      'Lancement de saison 2026-2027',
    ]);
    const first = rows.find((g: any) => g.campaignName.startsWith('Lancement')).campaign;
    const { campaignStats } = await api.ok<any>(demo.token, STATS, { id: first, by: ['LANGUAGE', 'AUDIENCE'] });
    expect(campaignStats.totals).toMatchObject({ recipients: 135 });
    expect(campaignStats.totals.uniqueOpens).toBeGreaterThan(campaignStats.totals.uniqueClicks);
    expect(campaignStats.totals.attributed[0].count).toBeGreaterThan(0);
    expect(campaignStats.totals.attributedRevenueCents).toBeGreaterThan(0);
    expect(campaignStats.rows.map((row: any) => row.group.language ?? row.group.audienceName)).toEqual([
      'EN',
      'FR',
      'Infolettre',
    ]);
  });
});
