import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@app/tenancy';
import { TestApi } from './support/test-app.js';

/** Recording interactions, a contact's timeline and summary, and the analytics over them, over real HTTP. */
const RECORD = `mutation($input: [InteractionInput!]!) {
  recordInteractions(input: $input) { accepted duplicates rejected items { index status interactionId field reason } } }`;
const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const TIMELINE = `query($id: ID!, $first: Int, $after: String, $filter: InteractionFilterInput) { contact(id: $id) {
  interactions(first: $first, after: $after, filter: $filter) { edges { cursor node { id type occurredAt discipline amountCents currency offeringName } }
  pageInfo { hasNextPage endCursor } } } }`;
const ENGAGEMENT = `query($id: ID!) { contact(id: $id) { emailUndeliverable consents { purpose state } engagement {
  firstInteractionAt lastInteractionAt lastActiveAt interactions interactions12Months amountCents amount12MonthsCents
  recencyScore frequencyScore monetaryScore byType { type count last12Months amountCents } } } }`;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describe('interactions', () => {
  let api: TestApi;
  let owner: string;
  let orgId: string;

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Engagement Org'));
  });
  afterAll(() => api.close());

  const create = async (input: Record<string, unknown>): Promise<string> =>
    (await api.ok<any>(owner, CREATE, { input })).createContact.id;
  const record = async (input: unknown[], token = owner) =>
    (await api.ok<any>(token, RECORD, { input })).recordInteractions;

  it('finds the contact by id, external id or email; accepts, skips duplicates and rejects item by item', async () => {
    const id = await create({
      firstName: 'Hélène',
      email: 'helene@example.org',
      externalIds: [{ source: 'billetterie', externalId: 'C-1' }],
    });
    const result = await record([
      {
        contact: { id },
        type: 'TICKET_PURCHASE',
        occurredAt: '2025-10-03T23:30:00Z',
        offering: { id: 'S1', name: 'Les Belles-sœurs' },
        discipline: 'théâtre',
        amountCents: 9000,
        quantity: 2,
        source: 'billetterie',
        externalId: 'T-1',
      },
      {
        contact: { externalId: { source: 'billetterie', externalId: 'C-1' } },
        type: 'Présence',
        occurredAt: '2025-10-10T23:30:00Z',
        discipline: 'Theatre',
      },
      {
        contact: { email: ' Helene@Example.org ' },
        type: 'email opened',
        occurredAt: '2025-10-11T12:00:00Z',
        campaign: 'NL-10',
      },
      {
        contact: { id },
        type: 'TICKET_PURCHASE',
        occurredAt: '2025-10-03T23:30:00Z',
        source: 'billetterie',
        externalId: 'T-1',
      },
      { contact: { email: 'nobody@example.org' }, type: 'DONATION', occurredAt: '2025-10-11T12:00:00Z' },
      { contact: { id }, type: 'JUGGLING', occurredAt: '2025-10-11T12:00:00Z' },
      { contact: { id }, type: 'DONATION', occurredAt: '2025-10-11T12:00:00Z', amountCents: -5 },
      { contact: { id }, type: 'DONATION', occurredAt: '2025-10-11T12:00:00Z', externalId: 'D-1' },
      { contact: { id }, type: 'DONATION', occurredAt: new Date(Date.now() + 3 * 86_400_000).toISOString() },
      { contact: {}, type: 'DONATION', occurredAt: '2025-10-11T12:00:00Z' },
      { contact: { id }, type: 'ATTENDANCE', occurredAt: '2025-10-11T12:00:00Z', discipline: 'sculpture sur glace' },
    ]);
    expect(result).toMatchObject({ accepted: 3, duplicates: 1, rejected: 7 });
    expect(result.items.map((item: any) => item.status)).toEqual([
      'ACCEPTED',
      'ACCEPTED',
      'ACCEPTED',
      'DUPLICATE',
      'REJECTED',
      'REJECTED',
      'REJECTED',
      'REJECTED',
      'REJECTED',
      'REJECTED',
      'REJECTED',
    ]);
    // a duplicate answers with the interaction recorded first
    expect(result.items[3].interactionId).toBe(result.items[0].interactionId);
    expect(result.items.slice(4).map((item: any) => item.field)).toEqual([
      'input.4.contact',
      'input.5.type',
      'input.6.amountCents',
      'input.7.source',
      'input.8.occurredAt',
      'input.9.contact',
      'input.10.discipline',
    ]);
    for (const item of result.items.slice(4)) expect(item.reason).toEqual(expect.any(String));

    const { contact } = await api.ok<any>(owner, TIMELINE, { id, first: 10 });
    expect(contact.interactions.edges.map((e: any) => [e.node.type, e.node.discipline])).toEqual([
      ['EMAIL_OPENED', null],
      ['ATTENDANCE', 'THEATRE'],
      ['TICKET_PURCHASE', 'THEATRE'],
    ]);
    expect(contact.interactions.edges[2].node).toMatchObject({
      amountCents: 9000,
      currency: 'CAD',
      offeringName: 'Les Belles-sœurs',
    });
  });

  it('is idempotent: sending a batch again records nothing and answers with the same ids', async () => {
    const id = await create({ firstName: 'Idem' });
    const batch = Array.from({ length: 50 }, (_, i) => ({
      contact: { id },
      type: 'EMAIL_DELIVERED',
      occurredAt: '2025-11-01T12:00:00Z',
      campaign: 'NL-11',
      source: 'infolettre',
      externalId: `idem-${i}`,
    }));
    const first = await record(batch);
    const again = await record(batch);
    expect([first.accepted, again.accepted, again.duplicates]).toEqual([50, 0, 50]);
    expect(again.items.map((item: any) => item.interactionId)).toEqual(
      first.items.map((item: any) => item.interactionId),
    );
  });

  it('refuses more than 1,000 items at once, naming the argument', async () => {
    const input = Array.from({ length: 1001 }, () => ({
      contact: { email: 'x@example.org' },
      type: 'EMAIL_SENT',
      occurredAt: '2025-01-01T00:00:00Z',
    }));
    const result = await api.gql<any>(owner, RECORD, { input });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
  });

  it('an unsubscribe withdraws email consent; a hard bounce makes the address undeliverable until it changes', async () => {
    const id = await create({
      firstName: 'Bounce',
      email: 'bounce@example.org',
      consents: [
        {
          purpose: 'EMAIL_MARKETING',
          status: 'GRANTED',
          legalBasis: 'EXPRESS',
          source: 'form',
          occurredAt: '2024-01-01T00:00:00Z',
        },
      ],
    });
    await record([
      { contact: { id }, type: 'EMAIL_BOUNCED', occurredAt: daysAgo(2), attributes: { bounceType: 'soft' } },
    ]);
    expect((await api.ok<any>(owner, ENGAGEMENT, { id })).contact.emailUndeliverable).toBe(false);
    await record([
      { contact: { id }, type: 'EMAIL_BOUNCED', occurredAt: daysAgo(1) },
      {
        contact: { id },
        type: 'EMAIL_UNSUBSCRIBED',
        occurredAt: daysAgo(1),
        campaign: 'NL-12',
        source: 'infolettre',
        externalId: 'u-1',
      },
    ]);
    const { contact } = await api.ok<any>(owner, ENGAGEMENT, { id });
    expect(contact.emailUndeliverable).toBe(true);
    expect(contact.consents.find((c: any) => c.purpose === 'EMAIL_MARKETING').state).toBe('WITHDRAWN');
    const history = await api.ok<any>(
      owner,
      `query($id: ID!) { contact(id: $id) { consentHistory(purpose: EMAIL_MARKETING) { status source proof } } }`,
      { id },
    );
    expect(history.contact.consentHistory.at(-1)).toMatchObject({
      status: 'WITHDRAWN',
      source: 'infolettre',
      proof: expect.stringContaining('NL-12'),
    });

    await api.ok(
      owner,
      `mutation($id: ID!) { updateContact(id: $id, input: { email: "new-address@example.org" }) { id } }`,
      { id },
    );
    expect((await api.ok<any>(owner, ENGAGEMENT, { id })).contact.emailUndeliverable).toBe(false);
  });

  it('pages the timeline latest first and filters it', async () => {
    const id = await create({ firstName: 'Timeline' });
    await record(
      Array.from({ length: 7 }, (_, i) => ({
        contact: { id },
        type: i % 2 ? 'ATTENDANCE' : 'TICKET_PURCHASE',
        occurredAt: `2025-03-0${i + 1}T20:00:00Z`,
      })),
    );
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { contact }: any = await api.ok(owner, TIMELINE, { id, first: 3, after });
      seen.push(...contact.interactions.edges.map((e: any) => e.node.occurredAt));
      if (!contact.interactions.pageInfo.hasNextPage) break;
      after = contact.interactions.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `2025-03-0${7 - i}T20:00:00.000Z`));
    const filtered = await api.ok<any>(owner, TIMELINE, {
      id,
      first: 10,
      filter: { types: ['Présence'], from: '2025-03-03T00:00:00Z' },
    });
    expect(filtered.contact.interactions.edges.map((e: any) => e.node.occurredAt)).toEqual([
      '2025-03-06T20:00:00.000Z',
      '2025-03-04T20:00:00.000Z',
    ]);
  });

  it('summarizes a contact: first and last, counts and amounts over 12 months and all time, RFM scores', async () => {
    const id = await create({ firstName: 'Summary' });
    await record([
      { contact: { id }, type: 'TICKET_PURCHASE', occurredAt: daysAgo(500), amountCents: 100_000 },
      { contact: { id }, type: 'TICKET_PURCHASE', occurredAt: daysAgo(100), amountCents: 12_000 },
      { contact: { id }, type: 'DONATION', occurredAt: daysAgo(50), amountCents: 10_000 },
      { contact: { id }, type: 'DONATION', occurredAt: daysAgo(40), amountCents: 500, currency: 'USD' },
      { contact: { id }, type: 'ATTENDANCE', occurredAt: daysAgo(45) },
      { contact: { id }, type: 'EMAIL_DELIVERED', occurredAt: daysAgo(3) },
    ]);
    const { engagement } = (await api.ok<any>(owner, ENGAGEMENT, { id })).contact;
    expect(engagement).toMatchObject({
      firstInteractionAt: expect.any(String),
      interactions: 6,
      interactions12Months: 5,
      amountCents: 122_000,
      amount12MonthsCents: 22_000,
      // last active 40 days ago (the delivery is not activity); 3 transactions in 12 months; $220
      recencyScore: 4,
      frequencyScore: 3,
      monetaryScore: 3,
    });
    expect(new Date(engagement.lastInteractionAt).getTime()).toBeGreaterThan(
      new Date(engagement.lastActiveAt).getTime(),
    );
    // most frequent first, then by type
    expect(engagement.byType.map((t: any) => t.type)).toEqual([
      'DONATION',
      'TICKET_PURCHASE',
      'ATTENDANCE',
      'EMAIL_DELIVERED',
    ]);
    expect(engagement.byType[1]).toMatchObject({
      type: 'TICKET_PURCHASE',
      count: 2,
      last12Months: 1,
      amountCents: 112_000,
    });
    const empty = await create({ firstName: 'Nothing' });
    expect((await api.ok<any>(owner, ENGAGEMENT, { id: empty })).contact.engagement).toMatchObject({
      firstInteractionAt: null,
      interactions: 0,
      recencyScore: 0,
      frequencyScore: 0,
      monetaryScore: 0,
      byType: [],
    });
  });

  it('lets an administrator add types and disciplines, found then by key or label', async () => {
    const define = `mutation($input: InteractionTermInput!) { defineInteractionTerm(input: $input) { kind key labelFr builtIn } }`;
    await api.ok(owner, define, { input: { kind: 'TYPE', key: 'WORKSHOP_SIGNUP', label: 'Inscription à un atelier' } });
    await api.ok(owner, define, { input: { kind: 'DISCIPLINE', key: 'PUPPETRY', label: 'Marionnettes' } });
    const clash = await api.gql<any>(owner, define, {
      input: { kind: 'DISCIPLINE', key: 'THEATRE_2', label: 'Théâtre' },
    });
    expect(clash.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT' });
    const bad = await api.gql<any>(owner, define, { input: { kind: 'TYPE', key: 'lower case', label: 'x' } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.key' });

    const id = await create({ firstName: 'Atelier' });
    const result = await record([
      {
        contact: { id },
        type: 'inscription a un atelier',
        occurredAt: '2025-05-01T15:00:00Z',
        discipline: 'marionnettes',
      },
    ]);
    expect(result.accepted).toBe(1);
    const terms = (await api.ok<any>(owner, '{ interactionTerms { kind key builtIn } }')).interactionTerms;
    expect(terms).toContainEqual({ kind: 'TYPE', key: 'WORKSHOP_SIGNUP', builtIn: false });
    expect(terms).toContainEqual({ kind: 'DISCIPLINE', key: 'HUMOUR', builtIn: true });
  });

  it('needs EDITOR to record and ADMIN to define terms; ANALYST reads', async () => {
    const analyst = await api.memberKey(orgId, Role.ANALYST);
    const editor = await api.memberKey(orgId, Role.EDITOR);
    const input = [
      { contact: { email: 'helene@example.org' }, type: 'EMAIL_SENT', occurredAt: '2025-01-01T00:00:00Z' },
    ];
    expect((await api.gql<any>(analyst, RECORD, { input })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await record(input, editor)).accepted).toBe(1);
    const define = `mutation { defineInteractionTerm(input: { kind: TYPE, key: "TOUR", label: "Visite" }) { key } }`;
    expect((await api.gql<any>(editor, define)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await api.ok<any>(analyst, '{ interactionTerms { key } }')).interactionTerms.length).toBeGreaterThan(20);
  });

  it('never lets one organization record for, or read, another organization’s contacts', async () => {
    const other = await api.createOrganization('Other Org');
    const id = await create({
      firstName: 'Private',
      email: 'private@example.org',
      externalIds: [{ source: 'billetterie', externalId: 'P-1' }],
    });
    const attempts = [
      { id },
      { email: 'private@example.org' },
      { externalId: { source: 'billetterie', externalId: 'P-1' } },
    ];
    const result = await record(
      attempts.map((contact) => ({ contact, type: 'DONATION', occurredAt: '2025-01-01T00:00:00Z' })),
      other.token,
    );
    expect(result).toMatchObject({ accepted: 0, rejected: 3 });
    const stats = await api.ok<any>(other.token, '{ engagementStats(filter: {}) { totals { interactions } } }');
    expect(stats.engagementStats.totals.interactions).toBe(0);
  });
});
