import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@app/tenancy';
import { TestApi } from './support/test-app.js';
import { until } from './support/wait.js';

const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) {
  id firstName lastName email phone postalCode region entered { email phone postalCode }
  tags { name } externalIds { source externalId } consents { purpose state expiresAt } } }`;

const LIST = `query($filter: ContactFilterInput, $first: Int, $after: String, $sort: ContactSort, $direction: SortDirection) {
  contacts(filter: $filter, first: $first, after: $after, sort: $sort, direction: $direction) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id firstName lastName email } } } }`;

describe('contacts over GraphQL', () => {
  let api: TestApi;
  let owner: string;
  let orgId: string;

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Théâtre du Test'));
  });
  afterAll(() => api.close());

  const create = async (input: Record<string, unknown>) =>
    (await api.ok<{ createContact: any }>(owner, CREATE, { input })).createContact;
  const list = async (variables: Record<string, unknown>) =>
    (await api.ok<{ contacts: any }>(owner, LIST, variables)).contacts;

  it('normalizes on write and keeps what was entered', async () => {
    const contact = await create({
      firstName: '  Hélène  ',
      lastName: 'Côté',
      email: ' Helene.Cote@Videotron.CA ',
      phone: '(514) 872-0311',
      postalCode: 'h2x1y4',
      tags: ['Abonnés 2026'],
      externalIds: [{ source: 'tuxedo', externalId: 'T-1' }],
      consents: [
        {
          purpose: 'EMAIL_MARKETING',
          status: 'GRANTED',
          legalBasis: 'IMPLIED',
          impliedReason: 'PURCHASE',
          source: 'box-office',
          occurredAt: '2026-01-15T00:00:00Z',
        },
      ],
    });
    expect(contact).toMatchObject({
      firstName: 'Hélène',
      lastName: 'Côté',
      email: 'helene.cote@videotron.ca',
      phone: '+15148720311',
      postalCode: 'H2X 1Y4',
      region: 'Montréal',
      entered: { email: ' Helene.Cote@Videotron.CA ', phone: '(514) 872-0311', postalCode: 'h2x1y4' },
      tags: [{ name: 'Abonnés 2026' }],
      externalIds: [{ source: 'tuxedo', externalId: 'T-1' }],
    });
    const email = contact.consents.find((c: any) => c.purpose === 'EMAIL_MARKETING');
    expect(email).toEqual({ purpose: 'EMAIL_MARKETING', state: 'GRANTED', expiresAt: '2028-01-15T00:00:00.000Z' });
    expect(contact.consents.find((c: any) => c.purpose === 'SMS').state).toBe('UNKNOWN');
  });

  it('names the field of a bad input and writes nothing', async () => {
    const before = (await list({ first: 1 })).totalCount;
    const result = await api.gql(owner, CREATE, { input: { firstName: 'X', email: 'not-an-email' } });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    const phone = await api.gql(owner, CREATE, { input: { firstName: 'X', phone: '123' } });
    expect(phone.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.phone' });
    expect((await list({ first: 1 })).totalCount).toBe(before);
  });

  it('finds "helene cote" whatever the accents, case and order', async () => {
    await create({ firstName: 'HELENE', lastName: 'COTE' });
    await create({ firstName: 'Côté,', lastName: 'Hélène' });
    await create({ firstName: 'Hélèna', lastName: 'Tremblay' });
    const found = await list({ filter: { search: 'helene cote' }, first: 10 });
    expect(found.totalCount).toBe(3);
    expect(found.edges.map((e: any) => `${e.node.firstName} ${e.node.lastName}`).sort()).toEqual([
      'Côté, Hélène',
      'HELENE COTE',
      'Hélène Côté',
    ]);
    expect((await list({ filter: { search: 'HÉLÈNE' }, first: 10 })).totalCount).toBe(3);
    expect((await list({ filter: { search: 'hél' }, first: 10 })).totalCount).toBe(4); // words match as prefixes: Hélèna too
  });

  it('pages with stable cursors in every sort', async () => {
    for (let i = 0; i < 7; i++) await create({ firstName: `Page${i}`, lastName: 'Pagination', tags: ['pager'] });
    for (const sort of ['NAME', 'CREATED_AT', 'UPDATED_AT']) {
      for (const direction of ['ASC', 'DESC']) {
        const seen: string[] = [];
        let after: string | null = null;
        do {
          const page: any = await list({ filter: { tagsAny: ['pager'] }, first: 3, after, sort, direction });
          expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
          seen.push(...page.edges.map((e: any) => e.node.id));
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        } while (after);
        expect(new Set(seen).size).toBe(7);
      }
    }
    const byName = await list({ filter: { tagsAny: ['pager'] }, first: 7, sort: 'NAME', direction: 'DESC' });
    expect(byName.edges.map((e: any) => e.node.firstName)).toEqual([
      'Page6',
      'Page5',
      'Page4',
      'Page3',
      'Page2',
      'Page1',
      'Page0',
    ]);
  });

  // a search alone, sorted by name, takes its page from the search tokens' copy of the sort name (contact-filter.sql.ts);
  // with another condition (here one every contact meets) it reads the matching contacts themselves
  it('pages a search by name in the order of the contacts themselves, after a change of sort name too', async () => {
    for (const first of ['Q3', 'Q1', 'Q6', 'Q0', 'Q5', 'Q2', 'Q4', 'Cherchenomette'])
      await create({ firstName: first, lastName: 'Cherchenom' }); // Cherchenomette: two of its words match
    const moved = await create({ firstName: 'X Cherchenom', lastName: 'Q35' });
    const search = { search: 'cherchenom' };
    const pages = async (direction: string) => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: any = await list({ filter: search, first: 3, after, sort: 'NAME', direction });
        seen.push(...page.edges.map((e: any) => e.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      return seen;
    };
    const expected = async (direction: string) =>
      (
        await list({ filter: { ...search, createdAfter: '2000-01-01T00:00:00Z' }, first: 20, sort: 'NAME', direction })
      ).edges.map((e: any) => e.node.id);
    for (const direction of ['ASC', 'DESC']) expect(await pages(direction)).toEqual(await expected(direction));
    expect((await pages('ASC')).indexOf(moved.id)).toBe(8); // "q35 x cherchenom", after every "cherchenom ..."

    // the same search text ("x cherchenom q35"), another sort name ("cherchenom q35 x")
    await api.ok(
      owner,
      `mutation($id: ID!) { updateContact(id: $id, input: {firstName: "X", lastName: "Cherchenom Q35"}) { id } }`,
      {
        id: moved.id,
      },
    );
    for (const direction of ['ASC', 'DESC']) expect(await pages(direction)).toEqual(await expected(direction));
    expect((await pages('ASC')).indexOf(moved.id)).toBe(5); // after Cherchenomette, Q0 to Q3
  });

  it('caps first at 100', async () => {
    const result = await api.gql(owner, LIST, { first: 101 });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('filters by tags (any, all, none), consent, postal code, language and attributes', async () => {
    await api.ok(owner, `mutation { defineAttribute(input: {key: "visits", label: "Visites", type: NUMBER}) { key } }`);
    const a = await create({
      firstName: 'Filtre',
      lastName: 'A',
      tags: ['x', 'y'],
      postalCode: 'G1R 4P5',
      preferredLanguage: 'FR',
      attributes: { visits: 3 },
    });
    const b = await create({
      firstName: 'Filtre',
      lastName: 'B',
      tags: ['x'],
      postalCode: 'H3B 1A1',
      preferredLanguage: 'EN',
      attributes: { visits: '12' },
      consents: [
        {
          purpose: 'PARTNER_SHARING',
          status: 'GRANTED',
          legalBasis: 'EXPRESS',
          source: 'form',
          occurredAt: '2026-01-01T00:00:00Z',
        },
        { purpose: 'PARTNER_SHARING', status: 'WITHDRAWN', source: 'phone', occurredAt: '2026-02-01T00:00:00Z' },
      ],
    });
    const ids = async (filter: Record<string, unknown>) =>
      (await list({ filter: { search: 'filtre', ...filter }, first: 10 })).edges.map((e: any) => e.node.id).sort();
    expect(await ids({ tagsAll: ['x', 'y'] })).toEqual([a.id]);
    expect(await ids({ tagsAny: ['y', 'nope'] })).toEqual([a.id]);
    expect(await ids({ tagsNone: ['y'] })).toEqual([b.id]);
    // names compare as tags do, case-insensitively; a name no tag has matches nothing
    expect(await ids({ tagsAny: ['Y'] })).toEqual([a.id]);
    expect(await ids({ tagsAny: ['x'], tagsNone: ['Y'] })).toEqual([b.id]);
    expect(await ids({ tagsAny: ['nope'] })).toEqual([]);
    expect(await ids({ tagsNone: ['nope', 'NOPE'] })).toEqual([a.id, b.id].sort());
    expect(await ids({ consent: [{ purpose: 'PARTNER_SHARING', states: ['WITHDRAWN'] }] })).toEqual([b.id]);
    expect(await ids({ consent: [{ purpose: 'PARTNER_SHARING', states: ['UNKNOWN'] }] })).toEqual([a.id]);
    expect(await ids({ postalCodePrefix: 'g1r' })).toEqual([a.id]);
    expect(await ids({ preferredLanguage: 'EN' })).toEqual([b.id]);
    expect(await ids({ attributes: [{ key: 'visits', gte: '10' }] })).toEqual([b.id]);
    const unknown = await api.gql(owner, LIST, { filter: { attributes: [{ key: 'nope', equals: '1' }] } });
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.attributes.0.key' });
  });

  it('tags and untags in bulk by ids or by filter', async () => {
    const c = await create({ firstName: 'Bulk', lastName: 'One' });
    const d = await create({ firstName: 'Bulk', lastName: 'Two' });
    const tag = `mutation($target: ContactTargetInput!, $tags: [String!]!) { tagContacts(target: $target, tags: $tags) { affected } }`;
    const untag = `mutation($target: ContactTargetInput!, $tags: [String!]!) { untagContacts(target: $target, tags: $tags) { affected } }`;
    expect(
      (await api.ok<any>(owner, tag, { target: { filter: { search: 'bulk' } }, tags: ['vip'] })).tagContacts.affected,
    ).toBe(2);
    expect((await api.ok<any>(owner, tag, { target: { ids: [c.id, d.id] }, tags: ['VIP'] })).tagContacts.affected).toBe(
      0,
    );
    expect((await api.ok<any>(owner, untag, { target: { ids: [c.id] }, tags: ['vip'] })).untagContacts.affected).toBe(
      1,
    );
    expect((await list({ filter: { tagsAny: ['vip'] } })).edges.map((e: any) => e.node.id)).toEqual([d.id]);
  });

  it('updates, finds by external id and deletes with consents and tags', async () => {
    const c = await create({
      firstName: 'Jean',
      lastName: 'Untel',
      email: 'jean@example.org',
      tags: ['t'],
      externalIds: [{ source: 'crm-old', externalId: '42' }],
      consents: [{ purpose: 'SMS', status: 'GRANTED', legalBasis: 'EXPRESS', source: 'form' }],
    });
    const updated = await api.ok<any>(
      owner,
      `mutation($id: ID!) { updateContact(id: $id, input: {email: null, city: "Québec"}) { email city firstName } }`,
      { id: c.id },
    );
    expect(updated.updateContact).toEqual({ email: null, city: 'Québec', firstName: 'Jean' });
    const byExternal = await api.ok<any>(owner, `{ contactByExternalId(source: "crm-old", externalId: "42") { id } }`);
    expect(byExternal.contactByExternalId.id).toBe(c.id);
    const other = await api.gql(owner, CREATE, {
      input: { firstName: 'Dup', externalIds: [{ source: 'crm-old', externalId: '42' }] },
    });
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.externalIds.0' });
    expect(
      (await api.ok<any>(owner, `mutation($id: ID!) { deleteContact(id: $id) }`, { id: c.id })).deleteContact,
    ).toBe(true);
    const gone = await api.gql(owner, `query($id: ID!) { contact(id: $id) { id } }`, { id: c.id });
    expect(gone.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const bad = await api.gql(owner, `query { contact(id: "nope") { id } }`);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('a withdrawal wins over an older or simultaneous grant', async () => {
    const c = await create({ firstName: 'Consent', lastName: 'Test' });
    const record = `mutation($id: ID!, $input: ConsentInput!) { recordConsent(contactId: $id, input: $input) { status expiresAt } }`;
    const at = '2026-03-01T12:00:00Z';
    await api.ok(owner, record, {
      id: c.id,
      input: { purpose: 'EMAIL_MARKETING', status: 'WITHDRAWN', source: 'unsubscribe', occurredAt: at },
    });
    await api.ok(owner, record, {
      id: c.id,
      input: { purpose: 'EMAIL_MARKETING', status: 'GRANTED', legalBasis: 'EXPRESS', source: 'form', occurredAt: at },
    });
    await api.ok(owner, record, {
      id: c.id,
      input: {
        purpose: 'EMAIL_MARKETING',
        status: 'GRANTED',
        legalBasis: 'EXPRESS',
        source: 'form',
        occurredAt: '2026-02-01T00:00:00Z',
      },
    });
    const state = await api.ok<any>(
      owner,
      `query($id: ID!) { contact(id: $id) { consents { purpose state } consentHistory(purpose: EMAIL_MARKETING) { status } } }`,
      { id: c.id },
    );
    expect(state.contact.consents.find((x: any) => x.purpose === 'EMAIL_MARKETING').state).toBe('WITHDRAWN');
    expect(state.contact.consentHistory).toHaveLength(3);
    expect(
      (await list({ filter: { ids: [c.id], consent: [{ purpose: 'EMAIL_MARKETING', states: ['WITHDRAWN'] }] } }))
        .totalCount,
    ).toBe(1);
    const missingBasis = await api.gql(owner, record, {
      id: c.id,
      input: { purpose: 'SMS', status: 'GRANTED', source: 'x' },
    });
    expect(missingBasis.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.legalBasis' });
  });

  describe('roles', () => {
    it('ANALYST reads contacts without direct identifiers and cannot write', async () => {
      const c = await create({
        firstName: 'Masked',
        lastName: 'Person',
        email: 'masked@example.org',
        phone: '514 872 0311',
        addressLine1: '1 rue X',
        birthDate: '1980-05-05',
        postalCode: 'H2X 1Y4',
      });
      const analyst = await api.memberKey(orgId, Role.ANALYST);
      const read = await api.ok<any>(
        analyst,
        `query($id: ID!) { contact(id: $id) { firstName email phone addressLine1 birthDate postalCode entered { email } } }`,
        { id: c.id },
      );
      expect(read.contact).toEqual({
        firstName: 'Masked',
        email: null,
        phone: null,
        addressLine1: null,
        birthDate: null,
        postalCode: 'H2X 1Y4',
        entered: null,
      });
      const search = await api.ok<any>(analyst, LIST, { filter: { search: 'masked example' } });
      expect(search.contacts.totalCount).toBe(0); // email words are not searchable without identifiers
      const write = await api.gql(analyst, CREATE, { input: { firstName: 'No' } });
      expect(write.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });

    it('VIEWER reads, EDITOR writes contacts, only ADMIN manages members and keys', async () => {
      const viewer = await api.memberKey(orgId, Role.VIEWER);
      const editor = await api.memberKey(orgId, Role.EDITOR);
      expect((await api.gql(viewer, LIST, { first: 1 })).errors).toBeUndefined();
      expect((await api.gql(viewer, CREATE, { input: { firstName: 'No' } })).errors?.[0].extensions?.code).toBe(
        'FORBIDDEN',
      );
      expect((await api.gql(editor, CREATE, { input: { firstName: 'Yes' } })).errors).toBeUndefined();
      expect((await api.gql(editor, `{ members { email } }`)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await api.gql(owner, `{ members { email role } }`)).errors).toBeUndefined();
    });
  });

  describe('API keys', () => {
    it('refuses a missing, wrong, revoked or expired key with UNAUTHENTICATED', async () => {
      expect((await api.gql(null, '{ organization { id } }')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect((await api.gql('crm_nope', '{ organization { id } }')).errors?.[0].extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
      const tampered = owner.slice(0, -4) + 'AAAA';
      expect((await api.gql(tampered, '{ organization { id } }')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

      const me = await api.ok<any>(owner, '{ me { member { userId role } organization { name } } }');
      expect(me.me).toMatchObject({ member: { role: 'OWNER' }, organization: { name: 'Théâtre du Test' } });
      const created = await api.ok<any>(
        owner,
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { token apiKey { id prefix } } }`,
        {
          input: { userId: me.me.member.userId, name: 'temporary' },
        },
      );
      const token = created.createApiKey.token;
      expect((await api.gql(token, '{ organization { id } }')).errors).toBeUndefined();
      const keys = await api.ok<any>(owner, '{ apiKeys { id lastUsedAt } }');
      expect(keys.apiKeys.find((k: any) => k.id === created.createApiKey.apiKey.id).lastUsedAt).not.toBeNull();
      await api.ok(owner, `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, {
        id: created.createApiKey.apiKey.id,
      });
      expect((await api.gql(token, '{ organization { id } }')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

      const expiring = await api.ok<any>(
        owner,
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { token } }`,
        {
          input: { userId: me.me.member.userId, name: 'short', expiresAt: new Date(Date.now() + 1500).toISOString() },
        },
      );
      // refused once its time has come (the clock, not a pause, says when)
      const refusal = await until(
        'the expired key to be refused',
        async () => {
          const answer = await api.gql(expiring.createApiKey.token, '{ organization { id } }');
          return answer.errors ? answer.errors[0].extensions?.code : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(refusal).toBe('UNAUTHENTICATED');
    });

    it('answers health without a key', async () => {
      const response = await fetch(`${api.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    });
  });

  it('refuses queries deeper than the limit and too many aliases', async () => {
    const shallow = await TestApi.start({ GRAPHQL_MAX_DEPTH: '4' });
    try {
      expect((await shallow.gql(owner, '{ contacts { edges { cursor } } }')).errors).toBeUndefined();
      const tooDeep = await shallow.gql(owner, '{ contacts { edges { node { tags { id } } } } }');
      expect(tooDeep.errors?.[0].message).toMatch(/depth/i);
    } finally {
      await shallow.close();
    }
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: organization { id }`).join(' ');
    expect((await api.gql(owner, `{ ${aliases} }`)).errors?.[0].message).toMatch(/alias/i);
  });
});
