import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { JobsService, QueueName } from '@app/jobs';
import { TestApi } from './support/test-app.js';
import { until } from './support/wait.js';

/**
 * Campaigns over GraphQL: drafts and their lifecycle, the recipients a preview counts (each left-out contact under its
 * first reason), and the snapshot a schedule takes (one message per recipient, the campaign SENDING).
 */
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
const ADD_MEMBERS = `mutation($id: ID!, $ids: [ID!]!) { addAudienceMembers(id: $id, target: { ids: $ids }) { affected } }`;
const SENDER = `mutation($input: SenderIdentityInput!) { createSenderIdentity(input: $input) { id fromEmail } }`;
const CAMPAIGN_FIELDS = `id name status defaultLanguage sendRate attributionDays recipients scheduledAt duplicatedFrom
  exclusions { reason count } variants { language subject } includeAudiences { id name } excludeAudiences { id }
  progress { queued sent delivered }`;
const CREATE = `mutation($input: CampaignInput!) { createCampaign(input: $input) { ${CAMPAIGN_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: CampaignUpdateInput!) { updateCampaign(id: $id, input: $input) { ${CAMPAIGN_FIELDS} } }`;
const GET = `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;
const PREVIEW = `query($id: ID!) { previewCampaign(id: $id) { recipients excluded { reason count } samples { language recipients subject html text } } }`;
const command = (name: string, extra = '') =>
  `mutation($id: ID!${extra ? `, ${extra}` : ''}) { ${name}(id: $id${extra ? ', at: $at' : ''}) { ${CAMPAIGN_FIELDS} } }`;

const YEAR = 365 * 24 * 3600_000;
const grant = (at = new Date()) => ({
  purpose: 'EMAIL_MARKETING',
  status: 'GRANTED',
  legalBasis: 'EXPRESS',
  source: 'newsletter-form',
  occurredAt: at.toISOString(),
});

describe('campaigns', () => {
  let api: TestApi;
  let token: string;
  let senderId: string;
  let audienceId: string;
  let excludedAudienceId: string;
  const people: Record<string, string> = {};
  let outbox: string;

  beforeAll(async () => {
    outbox = await mkdtemp(join(tmpdir(), 'campaigns-outbox-'));
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true', MAIL_OUTBOX_DIR: outbox });
    token = (await api.createOrganization('Campagnes')).token;
    senderId = (
      await api.ok<any>(token, SENDER, {
        input: {
          fromName: 'Théâtre des Saules',
          fromEmail: 'Infolettre@Saules.example',
          mailingAddress: '123, rue Principale, Rimouski (Québec) G5L 1A1',
          contactLine: '418 555-0100 · saules.example',
        },
      })
    ).createSenderIdentity.id;
    const contact = async (key: string, input: Record<string, unknown>) => {
      people[key] = (await api.ok<any>(token, CREATE_CONTACT, { input })).createContact.id;
    };
    await contact('fr', {
      firstName: 'Élise',
      email: 'elise@example.org',
      preferredLanguage: 'FR',
      consents: [grant()],
    });
    await contact('en', { firstName: 'Sam', email: 'sam@example.org', preferredLanguage: 'EN', consents: [grant()] });
    await contact('none', { firstName: 'Nul', email: 'nul@example.org', consents: [] });
    await contact('lapsed', {
      firstName: 'Ancien',
      email: 'ancien@example.org',
      consents: [
        {
          ...grant(new Date(Date.now() - 3 * YEAR)),
          legalBasis: 'IMPLIED',
          impliedReason: 'PURCHASE',
          source: 'box-office',
        },
      ],
    });
    await contact('withdrawn', {
      firstName: 'Parti',
      email: 'parti@example.org',
      consents: [grant(new Date(Date.now() - YEAR)), { ...grant(), status: 'WITHDRAWN', legalBasis: null }],
    });
    await contact('noEmail', { firstName: 'Sans', phone: '514 555 0101', consents: [grant()] });
    await contact('twin', { firstName: 'Élise bis', email: 'ELISE@example.org', consents: [grant()] });
    await contact('excluded', { firstName: 'Exclu', email: 'exclu@example.org', consents: [grant()] });

    const audience = async (name: string, ids: string[]) => {
      const { createAudience } = await api.ok<any>(token, CREATE_AUDIENCE, { input: { name, kind: 'STATIC' } });
      await api.ok(token, ADD_MEMBERS, { id: createAudience.id, ids });
      return createAudience.id as string;
    };
    audienceId = await audience('Abonnés', Object.values(people));
    excludedAudienceId = await audience('Exclus', [people.excluded]);
  });
  afterAll(async () => {
    await api.close();
    await rm(outbox, { recursive: true, force: true });
  });
  const sentFiles = async (campaignId: string) =>
    Promise.all(
      (await readdir(join(outbox, campaignId)).catch(() => [])).map((name) =>
        readFile(join(outbox, campaignId, name), 'utf8'),
      ),
    );

  const draft = async (extra: Record<string, unknown> = {}) =>
    (
      await api.ok<any>(token, CREATE, {
        input: {
          name: 'Saison 2027',
          senderId,
          variants: [
            { language: 'FR', subject: 'Bonjour {{firstName|ami}}', html: '<p>Bonjour {{firstName}}</p>' },
            { language: 'EN', subject: 'Hello {{firstName|friend}}', html: '<p>Hello {{firstName}}</p>' },
          ],
          includeAudienceIds: [audienceId],
          excludeAudienceIds: [excludedAudienceId],
          ...extra,
        },
      })
    ).createCampaign;

  it('creates a draft with its audiences and defaults, and edits it while it is one', async () => {
    const campaign = await draft();
    expect(campaign).toMatchObject({
      status: 'DRAFT',
      defaultLanguage: 'FR',
      sendRate: 600,
      attributionDays: 7,
      recipients: null,
      includeAudiences: [{ id: audienceId, name: 'Abonnés' }],
      excludeAudiences: [{ id: excludedAudienceId }],
    });
    const { updateCampaign } = await api.ok<any>(token, UPDATE, {
      id: campaign.id,
      input: { name: 'Saison 2027 — lancement', sendRate: 120 },
    });
    expect(updateCampaign).toMatchObject({ name: 'Saison 2027 — lancement', sendRate: 120, variants: [{}, {}] });
    expect(updateCampaign.includeAudiences).toEqual([{ id: audienceId, name: 'Abonnés' }]);
  });

  it('refuses bad input naming the field', async () => {
    const twice = await api.gql(token, CREATE, {
      input: {
        name: 'x',
        variants: [
          { language: 'FR', subject: 'a', html: 'b' },
          { language: 'FR', subject: 'c', html: 'd' },
        ],
      },
    });
    expect(twice.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.variants.1.language' });
    const both = await api.gql(token, CREATE, {
      input: { name: 'x', includeAudienceIds: [audienceId], excludeAudienceIds: [audienceId] },
    });
    expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.excludeAudienceIds' });
    const unknownSender = await api.gql(token, CREATE, {
      input: { name: 'x', senderId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknownSender.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.senderId' });
    const { createCampaign } = await api.ok<any>(token, CREATE, { input: { name: 'Incomplete' } });
    const early = await api.gql(token, command('scheduleCampaign'), { id: createCampaign.id });
    expect(early.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.senderId' });
  });

  it('previews who would receive it, each left-out contact under its first reason', async () => {
    const campaign = await draft();
    const { previewCampaign } = await api.ok<any>(token, PREVIEW, { id: campaign.id });
    expect(previewCampaign.recipients).toBe(2);
    expect(previewCampaign.excluded).toEqual([
      { reason: 'EXCLUDED_AUDIENCE', count: 1 },
      { reason: 'NO_VALID_EMAIL', count: 1 },
      { reason: 'UNSUBSCRIBED', count: 1 },
      { reason: 'NO_CONSENT', count: 2 },
      { reason: 'DUPLICATE_EMAIL', count: 1 },
    ]);
    expect(previewCampaign.samples.map((s: any) => [s.language, s.recipients])).toEqual([
      ['FR', 1],
      ['EN', 1],
    ]);
  });

  it('takes its recipients when scheduled, and no longer lets it be edited', async () => {
    const campaign = await draft();
    const { scheduleCampaign } = await api.ok<any>(token, command('scheduleCampaign'), { id: campaign.id });
    expect(['SCHEDULED', 'SENDING', 'SENT']).toContain(scheduleCampaign.status);
    const sending = await waitForCampaign(campaign.id, (c) => c.recipients !== null);
    expect(sending.recipients).toBe(2);
    expect(sending.exclusions).toContainEqual({ reason: 'DUPLICATE_EMAIL', count: 1 });
    const edit = await api.gql(token, UPDATE, { id: campaign.id, input: { name: 'late' } });
    expect(edit.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT' });

    // without SMTP_URL the messages land in the outbox folder, one .eml each, and the campaign ends SENT
    const sent = await waitForCampaign(campaign.id, (c) => c.status === 'SENT');
    expect(sent.progress).toMatchObject({ queued: 0, delivered: 2 });
    const files = await sentFiles(campaign.id);
    expect(files).toHaveLength(2);
    // Élise or her twin (same address: one of them), each in their language
    const subjects = (await Promise.all(files.map((f) => simpleParser(f)))).map((m) => m.subject).sort();
    expect(subjects).toEqual([expect.stringMatching(/^Bonjour Élise( bis)?$/), 'Hello Sam']);
    for (const folded of files) {
      const file = folded.replace(/\r?\n[ \t]+/g, ' '); // headers unfolded
      expect(file).toMatch(/^List-Unsubscribe: <http:\/\/localhost:\d+\/t\/u\/[\w-]{68}>/m);
      expect(file).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
      expect(file).toMatch(/^From: =?.*infolettre@saules\.example>?/im);
    }
  });

  it('sends a test of a variant to a few addresses, marked as a test', async () => {
    const campaign = await draft();
    const { sendTestCampaign } = await api.ok<any>(
      token,
      `mutation($id: ID!) { sendTestCampaign(id: $id, addresses: ["Moi@Example.org", "autre@example.org"]) { address delivered failure } }`,
      { id: campaign.id },
    );
    expect(sendTestCampaign).toEqual([
      { address: 'moi@example.org', delivered: true, failure: null },
      { address: 'autre@example.org', delivered: true, failure: null },
    ]);
    const files = await until('the test messages', async () => {
      const found = await sentFiles(campaign.id);
      return found.length === 2 && found;
    });
    for (const file of files) expect(/^Subject: .*$/m.exec(file)?.[0]).toBe('Subject: [ESSAI] Bonjour Camille');
    const tooMany = await api.gql(
      token,
      `mutation($id: ID!) { sendTestCampaign(id: $id, addresses: ["a@x.org","b@x.org","c@x.org","d@x.org","e@x.org","f@x.org"]) { address } }`,
      { id: campaign.id },
    );
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'addresses' });
  });

  it('schedules for later, unschedules back to a draft, duplicates and cancels', async () => {
    const campaign = await draft();
    const at = new Date(Date.now() + 3600_000).toISOString();
    const schedule = (when: string) =>
      api.gql<any>(token, command('scheduleCampaign', '$at: String'), { id: campaign.id, at: when });
    expect((await schedule(at)).data.scheduleCampaign).toMatchObject({ status: 'SCHEDULED', scheduledAt: at });
    const { unscheduleCampaign } = await api.ok<any>(token, command('unscheduleCampaign'), { id: campaign.id });
    expect(unscheduleCampaign).toMatchObject({ status: 'DRAFT', scheduledAt: null });
    // a time without offset is Quebec's: 9:00 on the next January 15 is 14:00 UTC (EST, UTC-5)
    const now = new Date();
    const year = now.getUTCMonth() === 0 && now.getUTCDate() < 14 ? now.getUTCFullYear() : now.getUTCFullYear() + 1;
    const local = await schedule(`${year}-01-15 09:00`);
    expect(local.errors).toBeUndefined();
    expect(local.data.scheduleCampaign).toMatchObject({
      scheduledAt: `${year}-01-15T14:00:00.000Z`,
    });
    await api.ok(token, command('unscheduleCampaign'), { id: campaign.id });
    expect((await schedule('tomorrow at nine')).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'at',
    });
    const { duplicateCampaign } = await api.ok<any>(token, command('duplicateCampaign'), { id: campaign.id });
    expect(duplicateCampaign).toMatchObject({
      status: 'DRAFT',
      name: 'Saison 2027 (copie)',
      duplicatedFrom: campaign.id,
      includeAudiences: [{ id: audienceId }],
    });
    const { cancelCampaign } = await api.ok<any>(token, command('cancelCampaign'), { id: campaign.id });
    expect(cancelCampaign.status).toBe('CANCELLED');
    const again = await api.gql(token, command('cancelCampaign'), { id: campaign.id });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT' });
  });

  it('a snapshot run that wakes before its campaign’s time queues the next one and takes nobody', async () => {
    const campaign = await draft();
    await api.ok(token, command('scheduleCampaign', '$at: String'), {
      id: campaign.id,
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const runs = async () =>
      (
        await api.ok<any>(
          token,
          `query { jobRuns(first: 50, filter: { kinds: [CAMPAIGN_SNAPSHOT] }) { edges { node { id status counts } } } }`,
        )
      ).jobRuns.edges.map((e: any) => e.node);
    const before = await runs();
    const early = before.find((r: any) => r.status === 'QUEUED');
    await (await api.app.get(JobsService).queue(QueueName.CONTACTS).getJob(early.id))!.promote();
    const woken = await api.finishedRun(token, early.id);
    expect(woken).toMatchObject({ status: 'SUCCEEDED', counts: { waiting: 1 } });
    expect((await runs()).length).toBe(before.length + 1);
    const { campaign: after } = await api.ok<any>(token, GET, { id: campaign.id });
    expect(after).toMatchObject({ status: 'SCHEDULED', recipients: null });
    await api.ok(token, command('cancelCampaign'), { id: campaign.id });
  });

  it('counts a person over the frequency cap out', async () => {
    await api.ok(
      token,
      `mutation { setCampaignSettings(input: { frequencyCapCount: 1, frequencyCapDays: 7 }) { frequencyCapCount } }`,
    );
    const first = await draft();
    await api.ok(token, command('scheduleCampaign'), { id: first.id });
    await waitForCampaign(first.id, (c) => c.recipients !== null);
    const second = await draft();
    const { previewCampaign } = await api.ok<any>(token, PREVIEW, { id: second.id });
    // every sendable address already had one campaign in 7 days (the earlier tests' campaigns count too)
    expect(previewCampaign.recipients).toBe(0);
    const capped = previewCampaign.excluded.find((e: any) => e.reason === 'FREQUENCY_CAP');
    expect(capped.count).toBeGreaterThanOrEqual(2);
  });

  it('keeps campaigns, senders and audiences inside their organization', async () => {
    const campaign = await draft();
    const other = (await api.createOrganization('Autre')).token;
    for (const [query, variables] of [
      [GET, { id: campaign.id }],
      [PREVIEW, { id: campaign.id }],
      [UPDATE, { id: campaign.id, input: { name: 'pris' } }],
      [command('scheduleCampaign'), { id: campaign.id }],
      [command('duplicateCampaign'), { id: campaign.id }],
      [command('cancelCampaign'), { id: campaign.id }],
    ] as const) {
      expect((await api.gql(other, query, variables)).errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    }
    const theirs = await api.gql(other, CREATE, { input: { name: 'x', senderId, includeAudienceIds: [audienceId] } });
    expect(theirs.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.senderId' });
    const audience = await api.gql(other, CREATE, { input: { name: 'x', includeAudienceIds: [audienceId] } });
    expect(audience.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.includeAudienceIds',
    });
    expect(
      (await api.ok<any>(other, `query { campaigns { edges { node { id } } } senderIdentities { id } }`)).campaigns
        .edges,
    ).toEqual([]);
    const { campaign: unchanged } = await api.ok<any>(token, GET, { id: campaign.id });
    expect(unchanged).toMatchObject({ name: campaign.name, status: 'DRAFT' });
  });

  async function waitForCampaign(id: string, done: (campaign: any) => boolean): Promise<any> {
    for (let i = 0; i < 300; i++) {
      const { campaign } = await api.ok<any>(token, GET, { id });
      if (done(campaign)) return campaign;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the campaign did not get there');
  }
});
