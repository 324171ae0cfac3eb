import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@app/tenancy';
import { type GraphqlResponse, TestApi } from '../support/test-app.js';

/**
 * Issue 13, item 3: the lowest role cannot tie up the database with what it puts in variables (query cost reads the
 * document, not the variables). Every list of every input and argument is bounded, and one item over the bound is
 * BAD_USER_INPUT naming the field. The catalogue of those lists, and of the arguments whose type is an input object
 * (whose rules the validation pipe must actually see), is read from the schema: a new one without its probe here fails
 * this file. "All of these tags" is one grouped subquery, and analytics refuse answers with too many cells.
 */

const CONTACTS = `query($filter: ContactFilterInput) { contacts(filter: $filter, first: 100) { totalCount edges { node { firstName } } } }`;
const PREVIEW = `query($rule: AudienceRuleInput!) { previewAudience(rule: $rule) { count } }`;
const STATS = `query($filter: EngagementFilterInput!, $groupBy: [EngagementDimension!], $interval: TimeInterval) {
  engagementStats(filter: $filter, groupBy: $groupBy, interval: $interval) { rows { interactions } } }`;
const RETENTION = `query($filter: EngagementFilterInput!, $cohortInterval: TimeInterval, $periods: Int) {
  retention(filter: $filter, cohortInterval: $cohortInterval, periods: $periods) { cohorts { periodStart size } } }`;

const many = <T>(count: number, item: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => item(i));
const tag = (i: number) => `T${String(i).padStart(3, '0')}`;
const uuids = (count: number) => many(count, () => randomUUID());

/** One request carrying a list one item (or one part) over its bound, and the field its refusal must name. */
interface Probe {
  as: 'analyst' | 'owner';
  query: string;
  variables: Record<string, unknown>;
  field: string;
}

describe('input bounds (issue 13, item 3)', () => {
  let api: TestApi;
  let owner: string;
  let analyst: string;
  let contactId: string;

  beforeAll(async () => {
    api = await TestApi.start();
    const org = await api.createOrganization('Bornes');
    owner = org.token;
    analyst = await api.memberKey(org.organization.id, Role.ANALYST);
    // all 100 tags; 99 of them; all 100 and one more (added below: a contact is created with at most 100); none
    const create = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
    const ids: Record<string, string> = {};
    for (const [firstName, tags] of [
      ['Alma', many(100, tag)],
      ['Blaise', many(99, tag)],
      ['Céleste', many(100, tag)],
      ['Denis', []],
    ] as const) {
      ids[firstName] = (
        await api.ok<any>(owner, create, { input: { firstName, lastName: 'Bornes', tags } })
      ).createContact.id;
    }
    await api.ok(
      owner,
      `mutation($target: ContactTargetInput!, $tags: [String!]!) { tagContacts(target: $target, tags: $tags) { affected } }`,
      {
        target: { ids: [ids['Céleste']] },
        tags: ['Extra'],
      },
    );
    contactId = ids.Alma;
  }, 60_000);
  afterAll(() => api.close());

  const tokenOf = (as: Probe['as']) => (as === 'analyst' ? analyst : owner);
  const errorOf = (result: GraphqlResponse) => ({
    code: result.errors?.[0]?.extensions?.code,
    field: result.errors?.[0]?.extensions?.field,
  });
  const names = (result: GraphqlResponse) =>
    (result.data?.contacts.edges as { node: { firstName: string } }[]).map((e) => e.node.firstName).sort();

  it('refuses 1,000 tags in variables at once, as ANALYST, naming the field', async () => {
    for (const key of ['tagsAll', 'tagsAny', 'tagsNone']) {
      const result = await api.gql(analyst, CONTACTS, { filter: { [key]: many(1_000, tag) } });
      expect({ key, error: errorOf(result), data: result.data ?? null }).toEqual({
        key,
        error: { code: 'BAD_USER_INPUT', field: `filter.${key}` },
        data: null,
      });
    }
    // a name longer than any tag's, and more search words than the index is asked for
    expect(errorOf(await api.gql(analyst, CONTACTS, { filter: { tagsAll: ['x'.repeat(101)] } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'filter.tagsAll',
    });
    expect(errorOf(await api.gql(analyst, CONTACTS, { filter: { search: 'a b c d e f g h i j k' } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'filter.search',
    });
  }, 60_000);

  it('answers 100 tags in tagsAll (the bound) as a set: the contacts holding every one of them', async () => {
    expect(names(await api.gql(analyst, CONTACTS, { filter: { tagsAll: many(100, tag) } }))).toEqual([
      'Alma',
      'Céleste',
    ]);
    expect((await api.ok<any>(analyst, CONTACTS, { filter: { tagsAll: many(100, tag) } })).contacts.totalCount).toBe(2);
    // names compare case-insensitively, a name given twice counts once, and a tag nobody has matches nobody
    expect(names(await api.gql(analyst, CONTACTS, { filter: { tagsAll: ['t000', 'T000', 't099'] } }))).toEqual([
      'Alma',
      'Céleste',
    ]);
    expect(names(await api.gql(analyst, CONTACTS, { filter: { tagsAll: ['T000', 'T098'] } }))).toEqual([
      'Alma',
      'Blaise',
      'Céleste',
    ]);
    expect(names(await api.gql(analyst, CONTACTS, { filter: { tagsAll: ['T000', 'nope'] } }))).toEqual([]);
    expect(
      names(await api.gql(analyst, CONTACTS, { filter: { tagsAll: [...many(100, tag).slice(1), 'extra'] } })),
    ).toEqual(['Céleste']);
    expect(
      names(await api.gql(analyst, CONTACTS, { filter: { tagsAll: many(100, tag), tagsNone: ['Extra'] } })),
    ).toEqual(['Alma']);
    // a rule's "all" says the same
    expect(
      (await api.ok<any>(analyst, PREVIEW, { rule: { tags: { all: many(100, tag) } } })).previewAudience.count,
    ).toBe(2);
    expect(
      (await api.ok<any>(analyst, PREVIEW, { rule: { tags: { all: ['T000', 'T098', 't098'] } } })).previewAudience
        .count,
    ).toBe(3);
  }, 60_000);

  it('refuses retention by DAY over 50 years, naming the field, and keeps answering a reasonable range', async () => {
    const fifty = { from: '1976-01-01T05:00:00Z', to: '2026-01-01T05:00:00Z' };
    expect(errorOf(await api.gql(analyst, RETENTION, { filter: fifty, cohortInterval: 'DAY', periods: 6 }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'cohortInterval',
    });
    expect(errorOf(await api.gql(analyst, RETENTION, { filter: fifty, cohortInterval: 'MONTH', periods: 6 }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'cohortInterval',
    });
    // 400 cohorts is the bound: 30 years of months (360) are answered, every cohort present
    const thirty = await api.ok<any>(analyst, RETENTION, {
      filter: { from: '1996-01-01T05:00:00Z', to: '2026-01-01T05:00:00Z' },
      cohortInterval: 'MONTH',
      periods: 36,
    });
    expect(thirty.retention.cohorts).toHaveLength(360);
    // engagementStats: DAY over a century, and over millennia, grouped by 3 dimensions
    for (const to of ['2026-01-01T05:00:00Z', '9999-01-01T05:00:00Z']) {
      const result = await api.gql(analyst, STATS, {
        filter: { from: '1926-01-01T05:00:00Z', to },
        groupBy: ['TYPE', 'VENUE', 'CHANNEL'],
        interval: 'DAY',
      });
      expect(errorOf(result)).toEqual({ code: 'BAD_USER_INPUT', field: 'interval' });
    }
  }, 60_000);

  it('refuses an over-deep or over-large audience rule, or an over-long list in one of its conditions, with the path', async () => {
    let deep: Record<string, unknown> = { tags: { any: ['T000'] } };
    for (let i = 0; i < 12; i++) deep = { not: deep };
    expect(errorOf(await api.gql(analyst, PREVIEW, { rule: deep }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: `rule${'.not'.repeat(12)}`,
    });
    // 100 conditions (the bound on conditions), each under a `not`: 201 parts
    const large = { and: many(100, () => ({ not: { tags: { any: ['T000'] } } })) };
    expect(errorOf(await api.gql(analyst, PREVIEW, { rule: large }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'rule.and.99.not',
    });
    const create = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
    expect(
      errorOf(await api.gql(owner, create, { input: { name: 'Trop', kind: 'DYNAMIC', rule: { or: large.and } } })),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.rule.or.99.not',
    });
    expect((await api.ok<any>(owner, '{ audiences { id } }')).audiences).toEqual([]);
    // lists inside conditions, nested filters included (the rule's own checks, not class-validator's)
    const offerings = { interactions: { filter: { offerings: many(101, String) }, comparison: 'AT_LEAST', value: 1 } };
    expect(
      errorOf(await api.gql(analyst, PREVIEW, { rule: { and: [{ tags: { any: ['T000'] } }, offerings] } })),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'rule.and.1.interactions.filter.offerings',
    });
    expect(errorOf(await api.gql(analyst, PREVIEW, { rule: { tags: { all: many(101, tag) } } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'rule.tags.all',
    });
    expect(errorOf(await api.gql(analyst, PREVIEW, { rule: { tags: { none: ['x'.repeat(101)] } } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'rule.tags.none.0',
    });
    expect(
      errorOf(
        await api.gql(analyst, PREVIEW, { rule: { consent: { purpose: 'SMS', states: many(21, () => 'GRANTED') } } }),
      ),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'rule.consent.states',
    });
    // nested far deeper (within the body limit) before it is even a rule: refused as the variable it came in
    const levels = 100_000;
    const body = `{"query":${JSON.stringify(PREVIEW)},"variables":{"rule":${'{"not":'.repeat(levels)}{"tags":{"any":["T000"]}}${'}'.repeat(levels)}}}`;
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` },
      body,
    });
    expect({ status: response.status, error: errorOf((await response.json()) as GraphqlResponse) }).toEqual({
      status: 400,
      error: { code: 'BAD_USER_INPUT', field: 'rule' },
    });
  }, 60_000);

  it('bounds a list inside a nested input too (filters within targets, conditions within filters)', async () => {
    const tagging = `mutation($target: ContactTargetInput!) { tagContacts(target: $target, tags: ["x"]) { affected } }`;
    expect(errorOf(await api.gql(owner, tagging, { target: { filter: { tagsAll: many(101, String) } } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'target.filter.tagsAll',
    });
    const consent = { consent: [{ purpose: 'SMS', states: many(21, () => 'GRANTED') }] };
    expect(errorOf(await api.gql(analyst, CONTACTS, { filter: consent }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'filter.consent.0.states',
    });
    const attribute = { attributes: [{ key: 'k', in: many(101, String) }] };
    expect(errorOf(await api.gql(analyst, CONTACTS, { filter: attribute }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'filter.attributes.0.in',
    });
    const timeline = `query($id: ID!, $filter: InteractionFilterInput) { contact(id: $id) { interactions(filter: $filter) { edges { cursor } } } }`;
    expect(errorOf(await api.gql(analyst, timeline, { id: contactId, filter: { venues: ['v'.repeat(501)] } }))).toEqual(
      { code: 'BAD_USER_INPUT', field: 'filter.venues' },
    );
    // nothing was tagged
    expect((await api.ok<any>(analyst, CONTACTS, { filter: { tagsAny: ['x'] } })).contacts.totalCount).toBe(0);
  }, 60_000);

  it('bounds every list of every input type and argument in the schema, and validates every input argument, naming the field', async () => {
    const probes = catalogue(contactId);
    const keys = await schemaCatalogue(api, owner);
    // every list and input argument of the schema has its probe, and every probe is of one
    expect(keys.filter((key) => !(key in probes))).toEqual([]);
    expect(Object.keys(probes).filter((key) => !keys.includes(key))).toEqual([]);
    const sent = Object.entries(probes).filter((entry): entry is [string, Probe] => typeof entry[1] !== 'string');
    const refused: Record<string, unknown> = {};
    for (const [key, probe] of sent)
      refused[key] = errorOf(await api.gql(tokenOf(probe.as), probe.query, probe.variables));
    expect(refused).toEqual(
      Object.fromEntries(sent.map(([key, probe]) => [key, { code: 'BAD_USER_INPUT', field: probe.field }])),
    );
  }, 60_000);
});

/**
 * `Type.field` for each list-typed input field; `Type.field(arg)` for each argument that is a list or an input object
 * (introspection types, `__*`, aside).
 */
async function schemaCatalogue(api: TestApi, token: string): Promise<string[]> {
  const typeRef = 'kind ofType { kind ofType { kind ofType { kind } } }';
  const { __schema } = await api.ok<any>(
    token,
    `{ __schema { types { name kind
    inputFields { name type { ${typeRef} } } fields { name args { name type { ${typeRef} } } } } } }`,
  );
  type TypeRef = { kind: string; ofType?: TypeRef };
  const isList = (type: TypeRef): boolean => type.kind === 'LIST' || (type.kind === 'NON_NULL' && isList(type.ofType!));
  const isInput = (type: TypeRef): boolean => type.kind === 'INPUT_OBJECT' || (!!type.ofType && isInput(type.ofType));
  const keys: string[] = [];
  for (const type of __schema.types as any[]) {
    if (type.name.startsWith('__')) continue;
    for (const field of type.inputFields ?? []) if (isList(field.type)) keys.push(`${type.name}.${field.name}`);
    for (const field of type.fields ?? []) {
      for (const arg of field.args)
        if (isList(arg.type) || isInput(arg.type)) keys.push(`${type.name}.${field.name}(${arg.name})`);
    }
  }
  return keys.sort();
}

/**
 * For each list of the schema, a request one over its bound; for each input argument, a request breaking a rule
 * inside it (its lists first), or why there is none to break.
 */
function catalogue(contactId: string): Record<string, Probe | string> {
  const contacts = (filter: Record<string, unknown>, field: string): Probe => ({
    as: 'analyst',
    query: CONTACTS,
    variables: { filter },
    field,
  });
  const preview = (rule: Record<string, unknown>, field: string): Probe => ({
    as: 'analyst',
    query: PREVIEW,
    variables: { rule },
    field,
  });
  const stats = (filter: Record<string, unknown>, field: string): Probe => ({
    as: 'analyst',
    query: STATS,
    variables: { filter },
    field,
  });
  const timeline = (filter: Record<string, unknown>, field: string): Probe => ({
    as: 'analyst',
    query: `query($id: ID!, $filter: InteractionFilterInput) { contact(id: $id) { interactions(filter: $filter) { edges { cursor } } } }`,
    variables: { id: contactId, filter },
    field,
  });
  const jobRuns = (filter: Record<string, unknown>, field: string): Probe => ({
    as: 'analyst',
    query: `query($filter: JobRunsFilterInput) { jobRuns(filter: $filter) { edges { cursor } } }`,
    variables: { filter },
    field,
  });
  const mutation = (query: string, variables: Record<string, unknown>, field: string): Probe => ({
    as: 'owner',
    query,
    variables,
    field,
  });
  const createContact = (input: Record<string, unknown>, field: string) =>
    mutation(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
      { input: { firstName: 'Trop', ...input } },
      field,
    );
  const tagContacts = (name: 'tagContacts' | 'untagContacts') =>
    mutation(
      `mutation($tags: [String!]!) { ${name}(target: { ids: [] }, tags: $tags) { affected } }`,
      { tags: many(101, String) },
      'tags',
    );
  const strings = (count: number) => many(count, (i) => `v${i}`);
  const states = (count: number) => many(count, () => 'GRANTED');
  const notLeaves = many(100, () => ({ not: { tags: { any: ['T000'] } } }));
  const attribute = { key: 'k', exists: true };
  const merge = `mutation($survivorId: ID!, $mergedIds: [ID!]!, $fieldChoices: [MergeFieldChoiceInput!]) {
    mergeContacts(survivorId: $survivorId, mergedIds: $mergedIds, fieldChoices: $fieldChoices) { id } }`;
  const long = 'x'.repeat(201);
  const updateCampaign = (value: Record<string, unknown>, field: string) =>
    mutation(
      `mutation($id: ID!, $input: CampaignUpdateInput!) { updateCampaign(id: $id, input: $input) { id } }`,
      { id: randomUUID(), input: value },
      field,
    );
  const input = (name: string, type: string, value: Record<string, unknown>, field: string) =>
    mutation(`mutation($input: ${type}!) { ${name}(input: $input) { __typename } }`, { input: value }, field);
  const target = (name: string, type: string, value: Record<string, unknown>, field: string) =>
    mutation(
      `mutation($target: ${type}!) { ${name}(${type === 'ContactTargetInput' ? 'tags: ["x"]' : `id: "${randomUUID()}"`}, target: $target) { affected } }`,
      { target: value },
      field,
    );
  return {
    // arguments of an input type: each reaches the validation pipe with its class
    'Contact.interactions(filter)': timeline({ types: strings(101) }, 'filter.types'),
    'Mutation.addAudienceMembers(target)': target(
      'addAudienceMembers',
      'AudienceMembersTargetInput',
      { filter: { tagsAny: strings(101) } },
      'target.filter.tagsAny',
    ),
    'Mutation.removeAudienceMembers(target)': target(
      'removeAudienceMembers',
      'AudienceMembersTargetInput',
      { filter: { tagsAll: strings(101) } },
      'target.filter.tagsAll',
    ),
    'Mutation.tagContacts(target)': target(
      'tagContacts',
      'ContactTargetInput',
      { filter: { regions: strings(101) } },
      'target.filter.regions',
    ),
    'Mutation.untagContacts(target)': target(
      'untagContacts',
      'ContactTargetInput',
      { filter: { tagsNone: strings(101) } },
      'target.filter.tagsNone',
    ),
    'Mutation.addMember(input)': input(
      'addMember',
      'AddMemberInput',
      { email: 'trop@example.org', name: long, role: 'EDITOR' },
      'input.name',
    ),
    'Mutation.createApiKey(input)': input(
      'createApiKey',
      'CreateApiKeyInput',
      { userId: randomUUID(), name: long },
      'input.name',
    ),
    'Mutation.createAudience(input)': input(
      'createAudience',
      'CreateAudienceInput',
      { name: 'Trop', kind: 'DYNAMIC', rule: { tags: { all: strings(101) } } },
      'input.rule.tags.all',
    ),
    'Mutation.createPool(input)': input(
      'createPool',
      'CreatePoolInput',
      { name: long, purposes: ['AUDIENCE_RESEARCH'] },
      'input.name',
    ),
    'Mutation.updatePool(input)': mutation(
      `mutation($id: ID!, $input: UpdatePoolInput!) { updatePool(id: $id, input: $input) { id } }`,
      { id: randomUUID(), input: { description: 'x'.repeat(2001) } },
      'input.description',
    ),
    'Mutation.shareAudience(input)': input(
      'shareAudience',
      'ShareAudienceInput',
      { audienceId: randomUUID(), poolId: randomUUID(), purpose: 'AUDIENCE_RESEARCH', description: 'x'.repeat(2001) },
      'input.description',
    ),
    'CreatePoolInput.purposes': input(
      'createPool',
      'CreatePoolInput',
      { name: 'Trop', purposes: many(4, () => 'JOINT_CAMPAIGN') },
      'input.purposes',
    ),
    'UpdatePoolInput.purposes': mutation(
      `mutation($id: ID!, $input: UpdatePoolInput!) { updatePool(id: $id, input: $input) { id } }`,
      { id: randomUUID(), input: { purposes: many(4, () => 'JOINT_CAMPAIGN') } },
      'input.purposes',
    ),
    'Mutation.updateAudience(input)': mutation(
      `mutation($id: ID!, $input: UpdateAudienceInput!) { updateAudience(id: $id, input: $input) { id } }`,
      { id: randomUUID(), input: { name: long } },
      'input.name',
    ),
    'Mutation.createContact(input)': createContact({ lastName: long }, 'input.lastName'),
    'Mutation.updateContact(input)': mutation(
      `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }`,
      { id: contactId, input: { city: long } },
      'input.city',
    ),
    'Mutation.defineAttribute(input)': input(
      'defineAttribute',
      'DefineAttributeInput',
      { key: 'trop', label: long, type: 'TEXT' },
      'input.label',
    ),
    'Mutation.defineInteractionTerm(input)': input(
      'defineInteractionTerm',
      'InteractionTermInput',
      { kind: 'TYPE', key: 'TROP', label: long },
      'input.label',
    ),
    'Mutation.recordConsent(input)': mutation(
      `mutation($id: ID!, $input: ConsentInput!) { recordConsent(contactId: $id, input: $input) { id } }`,
      { id: contactId, input: { purpose: 'SMS', status: 'WITHDRAWN', source: long } },
      'input.source',
    ),
    'Mutation.startExport(filter)': {
      as: 'analyst',
      query: `mutation($filter: ContactFilterInput) { startExport(format: CSV, filter: $filter) { id } }`,
      variables: { filter: { tagsAll: strings(101) } },
      field: 'filter.tagsAll',
    },
    'Mutation.startExport(options)': 'a Boolean only, which GraphQL checks',
    'Mutation.updateDedupSettings(input)': input(
      'updateDedupSettings',
      'DedupSettingsInput',
      { autoMergeThreshold: 2 },
      'input.autoMergeThreshold',
    ),
    'Mutation.createCampaign(input)': input('createCampaign', 'CampaignInput', { name: long }, 'input.name'),
    'CampaignInput.includeAudienceIds': input(
      'createCampaign',
      'CampaignInput',
      { name: 'Trop', includeAudienceIds: uuids(21) },
      'input.includeAudienceIds',
    ),
    'CampaignInput.excludeAudienceIds': input(
      'createCampaign',
      'CampaignInput',
      { name: 'Trop', excludeAudienceIds: uuids(21) },
      'input.excludeAudienceIds',
    ),
    'CampaignInput.variants': input(
      'createCampaign',
      'CampaignInput',
      { name: 'Trop', variants: many(3, () => ({ language: 'FR', subject: 's', html: 'h' })) },
      'input.variants',
    ),
    'Mutation.updateCampaign(input)': updateCampaign({ name: long }, 'input.name'),
    'CampaignUpdateInput.includeAudienceIds': updateCampaign(
      { includeAudienceIds: uuids(21) },
      'input.includeAudienceIds',
    ),
    'CampaignUpdateInput.excludeAudienceIds': updateCampaign(
      { excludeAudienceIds: uuids(21) },
      'input.excludeAudienceIds',
    ),
    'CampaignUpdateInput.variants': updateCampaign(
      { variants: [{ language: 'FR', subject: 's', html: 'x'.repeat(200_001) }] },
      'input.variants.0.html',
    ),
    'Mutation.sendTestCampaign(addresses)': mutation(
      `mutation($id: ID!, $addresses: [String!]!) { sendTestCampaign(id: $id, addresses: $addresses) { address } }`,
      { id: randomUUID(), addresses: many(6, (i) => `t${i}@example.org`) },
      'addresses',
    ),
    'Mutation.createSenderIdentity(input)': input(
      'createSenderIdentity',
      'SenderIdentityInput',
      { fromName: long, fromEmail: 'a@example.org', mailingAddress: 'a', contactLine: 'b' },
      'input.fromName',
    ),
    'Mutation.setCampaignSettings(input)': input(
      'setCampaignSettings',
      'CampaignSettingsInput',
      { frequencyCapDays: 366 },
      'input.frequencyCapDays',
    ),
    'Query.campaigns(status)': {
      as: 'analyst',
      query: `query($status: [CampaignStatus!]) { campaigns(status: $status) { edges { cursor } } }`,
      variables: { status: many(7, () => 'DRAFT') },
      field: 'status',
    },
    'Query.campaignStats(by)': {
      as: 'analyst',
      query: `query($id: ID!, $by: [CampaignStatsDimension!]) { campaignStats(id: $id, by: $by) { campaignId } }`,
      variables: { id: randomUUID(), by: many(4, () => 'REGION') },
      field: 'by',
    },
    'Query.contacts(filter)': contacts({ search: long }, 'filter.search'),
    'Query.engagementStats(filter)': stats({ tags: ['x'.repeat(101)] }, 'filter.tags'),
    'Query.jobRuns(filter)': jobRuns({ kinds: many(21, () => 'IMPORT_CONTACTS') }, 'filter.kinds'),
    'Query.previewAudience(rule)': preview({ tags: { all: strings(101) } }, 'rule.tags.all'),
    'Query.retention(filter)': {
      as: 'analyst',
      query: RETENTION,
      variables: {
        filter: { from: '2025-01-01T05:00:00Z', to: '2026-01-01T05:00:00Z', languages: many(21, () => 'EN') },
      },
      field: 'filter.languages',
    },

    // lists
    'AttributeFilterInput.in': contacts({ attributes: [{ key: 'k', in: strings(101) }] }, 'filter.attributes.0.in'),
    'AudienceMembersTargetInput.ids': mutation(
      `mutation($id: ID!, $target: AudienceMembersTargetInput!) { addAudienceMembers(id: $id, target: $target) { affected } }`,
      { id: randomUUID(), target: { ids: uuids(10_001) } },
      'target.ids',
    ),
    'AudienceRuleInput.and': preview({ and: notLeaves }, 'rule.and.99.not'),
    'AudienceRuleInput.or': preview({ or: notLeaves }, 'rule.or.99.not'),
    'ConsentConditionInput.states': preview({ consent: { purpose: 'SMS', states: states(21) } }, 'rule.consent.states'),
    'ConsentFilterInput.states': contacts(
      { consent: [{ purpose: 'SMS', states: states(21) }] },
      'filter.consent.0.states',
    ),
    'ContactFilterInput.attributes': contacts({ attributes: many(21, () => attribute) }, 'filter.attributes'),
    'ContactFilterInput.audiences': contacts({ audiences: uuids(11) }, 'filter.audiences'),
    'ContactFilterInput.consent': contacts(
      { consent: many(21, () => ({ purpose: 'SMS', states: ['GRANTED'] })) },
      'filter.consent',
    ),
    'ContactFilterInput.ids': contacts({ ids: uuids(1_001) }, 'filter.ids'),
    'ContactFilterInput.regions': contacts({ regions: strings(101) }, 'filter.regions'),
    'ContactFilterInput.tagsAll': contacts({ tagsAll: strings(101) }, 'filter.tagsAll'),
    'ContactFilterInput.tagsAny': contacts({ tagsAny: strings(101) }, 'filter.tagsAny'),
    'ContactFilterInput.tagsNone': contacts({ tagsNone: strings(101) }, 'filter.tagsNone'),
    'ContactTargetInput.ids': mutation(
      `mutation($target: ContactTargetInput!) { tagContacts(target: $target, tags: ["x"]) { affected } }`,
      { target: { ids: uuids(10_001) } },
      'target.ids',
    ),
    'CreateContactInput.consents': createContact(
      { consents: many(21, () => ({ purpose: 'SMS', status: 'WITHDRAWN', source: 'form' })) },
      'input.consents',
    ),
    'CreateContactInput.externalIds': createContact(
      { externalIds: many(21, (i) => ({ source: 's', externalId: `e${i}` })) },
      'input.externalIds',
    ),
    'CreateContactInput.tags': createContact({ tags: strings(101) }, 'input.tags'),
    'DefineAttributeInput.choices': mutation(
      `mutation($input: DefineAttributeInput!) { defineAttribute(input: $input) { key } }`,
      { input: { key: 'choix', label: 'Choix', type: 'CHOICE', choices: strings(501) } },
      'input.choices',
    ),
    'EngagementFilterInput.audiences': stats({ audiences: uuids(11) }, 'filter.audiences'),
    'EngagementFilterInput.campaigns': stats({ campaigns: strings(101) }, 'filter.campaigns'),
    'EngagementFilterInput.channels': stats({ channels: strings(101) }, 'filter.channels'),
    'EngagementFilterInput.disciplines': stats({ disciplines: strings(101) }, 'filter.disciplines'),
    'EngagementFilterInput.languages': stats({ languages: many(21, () => 'FR') }, 'filter.languages'),
    'EngagementFilterInput.offerings': stats({ offerings: strings(101) }, 'filter.offerings'),
    'EngagementFilterInput.regions': stats({ regions: strings(101) }, 'filter.regions'),
    'EngagementFilterInput.tags': stats({ tags: strings(101) }, 'filter.tags'),
    'EngagementFilterInput.types': stats({ types: strings(101) }, 'filter.types'),
    'EngagementFilterInput.venues': stats({ venues: strings(101) }, 'filter.venues'),
    'FieldConditionInput.in': preview({ field: { field: 'CITY', in: strings(1_001) } }, 'rule.field.in'),
    'InteractionFilterInput.campaigns': timeline({ campaigns: strings(101) }, 'filter.campaigns'),
    'InteractionFilterInput.channels': timeline({ channels: strings(101) }, 'filter.channels'),
    'InteractionFilterInput.disciplines': timeline({ disciplines: strings(101) }, 'filter.disciplines'),
    'InteractionFilterInput.offerings': timeline({ offerings: strings(101) }, 'filter.offerings'),
    'InteractionFilterInput.types': timeline({ types: strings(101) }, 'filter.types'),
    'InteractionFilterInput.venues': timeline({ venues: strings(101) }, 'filter.venues'),
    'JobRunsFilterInput.kinds': jobRuns({ kinds: many(21, () => 'IMPORT_CONTACTS') }, 'filter.kinds'),
    'JobRunsFilterInput.statuses': jobRuns({ statuses: many(21, () => 'QUEUED') }, 'filter.statuses'),
    'TagConditionInput.all': preview({ tags: { all: strings(101) } }, 'rule.tags.all'),
    'TagConditionInput.any': preview({ tags: { any: strings(101) } }, 'rule.tags.any'),
    'TagConditionInput.none': preview({ tags: { none: strings(101) } }, 'rule.tags.none'),
    'UpdateContactInput.addExternalIds': {
      as: 'owner',
      query: `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }`,
      variables: { id: contactId, input: { addExternalIds: many(21, (i) => ({ source: 's', externalId: `e${i}` })) } },
      field: 'input.addExternalIds',
    },
    'Mutation.dismissDuplicate(contactIds)': mutation(
      `mutation($ids: [ID!]!) { dismissDuplicate(contactIds: $ids) }`,
      { ids: uuids(51) },
      'contactIds',
    ),
    'Mutation.mergeContacts(fieldChoices)': mutation(
      merge,
      {
        survivorId: randomUUID(),
        mergedIds: [randomUUID()],
        fieldChoices: many(101, () => ({ field: 'email', contactId: randomUUID() })),
      },
      'fieldChoices',
    ),
    'Mutation.mergeContacts(mergedIds)': mutation(
      merge,
      { survivorId: randomUUID(), mergedIds: uuids(51) },
      'mergedIds',
    ),
    'Mutation.recordInteractions(input)': mutation(
      `mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted } }`,
      {
        input: many(1_001, () => ({
          contact: { id: randomUUID() },
          type: 'ATTENDANCE',
          occurredAt: '2025-01-01T00:00:00Z',
        })),
      },
      'input',
    ),
    'Mutation.startDedupRun(contactIds)': mutation(
      `mutation($ids: [ID!]) { startDedupRun(scope: CONTACT_IDS, contactIds: $ids) { id } }`,
      { ids: uuids(10_001) },
      'contactIds',
    ),
    'Mutation.tagContacts(tags)': tagContacts('tagContacts'),
    'Mutation.untagContacts(tags)': tagContacts('untagContacts'),
    'Query.audienceOverlap(ids)': {
      as: 'analyst',
      query: `query($ids: [ID!]!) { audienceOverlap(ids: $ids) { union } }`,
      variables: { ids: uuids(6) },
      field: 'ids',
    },
    'Query.engagementStats(groupBy)': {
      as: 'analyst',
      query: STATS,
      variables: { filter: {}, groupBy: ['TYPE', 'VENUE', 'CHANNEL', 'CAMPAIGN'] },
      field: 'groupBy',
    },
  };
}
