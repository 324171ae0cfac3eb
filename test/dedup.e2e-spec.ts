import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { TenantContexts, TenantDb } from '@app/database';
import { DEFAULT_PARAMETERS, DedupSettingsService, type MatchParameters } from '@app/dedup';
import { Role } from '@app/tenancy';
import { TestApi } from './support/test-app.js';

/** Duplicate detection over real HTTP: an import, dedup runs (the job, in the API here), the review queue, settings. */
const START = `mutation($scope: DedupScope!, $since: DateTime, $contactIds: [ID!], $autoMerge: Boolean! = false) {
  startDedupRun(scope: $scope, since: $since, contactIds: $contactIds, autoMerge: $autoMerge) { id kind status } }`;
const CANDIDATES = `query($status: DuplicateStatus! = PENDING, $minScore: Float! = 0, $first: Int! = 200, $after: String) {
  duplicateCandidates(status: $status, minScore: $minScore, first: $first, after: $after) {
    edges { cursor node { score status clusterId updatedAt dismissedAt
      contactA { id firstName lastName email } contactB { id firstName lastName email }
      evidence { field level a b weight } } }
    pageInfo { hasNextPage endCursor } } }`;
const DISMISS = `mutation($contactIds: [ID!]!) { dismissDuplicate(contactIds: $contactIds) }`;
const SETTINGS = `{ dedupSettings { autoMergeThreshold reviewThreshold parametersLearnedAt } }`;
const UPDATE_SETTINGS = `mutation($input: DedupSettingsInput!) { updateDedupSettings(input: $input) { autoMergeThreshold reviewThreshold parametersLearnedAt } }`;
const CONTACTS = `{ contacts(first: 100) { totalCount edges { node { id firstName lastName email } } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }`;
/** A test here may start several dedup runs, each learning from every contact. */
const RUN_TIMEOUT = 120_000;
const DEDUP_RUNS = `{ jobRuns(first: 50, filter: { kinds: [DEDUP_CONTACTS] }) { edges { node { id kind status counts } } } }`;

/**
 * One file from a box office: planted duplicates (accents dropped, a nickname, names swapped, a typo in the email,
 * a new email) and hard negatives (two Marie Tremblay born the same year; two couples sharing address and phone).
 */
const HEADER = 'Prénom,Nom,Courriel,Téléphone,Adresse,Ville,Code postal,Date de naissance';
const PEOPLE = {
  helene: 'Hélène,Côté,helene.cote@example.org,514 555-0101,45 av. du Parc,Montréal,H2X 1Y4,1980-03-04',
  heleneUnaccented: 'Helene,Cote,helene.cote@example.org,5145550101,45 avenue du Parc,Montreal,H2X1Y4,1980-03-04',
  robert: 'Robert,Gagnon,robert.gagnon@example.org,418 555-0102,12 rue Saint-Jean,Québec,G1R 1N4,1972-06-15',
  bob: 'Bob,Gagnon,bob.g@gmail.com,418 555-0102,,Québec,,1972-06-15',
  minh: 'Minh,Nguyen,minh.nguyen@example.org,514 555-0103,,Montréal,,1990-09-09',
  minhSwapped: 'Nguyen,Minh,minh.nguyen@example.org,,,Montréal,,1990-09-09',
  jf: 'Jean-François,Bélanger,jf.belanger@example.org,,,Gatineau,,1965-01-20',
  jfTypo: 'Jean-François,Bélanger,jf.belagner@example.org,,,Gatineau,,1965-01-20',
  marieEve: 'Marie-Ève,Lavoie,marie.lavoie@videotron.ca,450 555-0105,210 boul. Saint-Martin,Laval,H7N 1A1,1988-12-01',
  marieEveNewEmail: 'Marie-Eve,Lavoie,melavoie@gmail.com,450 555-0105,210 boulevard St-Martin,Laval,H7N 1A1,1988-12-01',
  marieTremblay: 'Marie,Tremblay,marie.tremblay@example.org,514 555-0106,,Montréal,H3A 1B1,1985-02-11',
  otherMarieTremblay: 'Marie,Tremblay,mtremblay85@gmail.com,438 555-0107,,Montréal,H1N 2C2,1985-09-27',
  pierre: 'Pierre,Roy,pierre.roy@example.org,514 555-0108,3400 rue Saint-Denis,Montréal,H2X 3L3,1950-05-02',
  louise: 'Louise,Roy,louise.roy@example.org,514 555-0108,3400 rue Saint-Denis,Montréal,H2X 3L3,1953-11-19',
  sophie: 'Sophie,Gingras,sophie.gingras@example.org,514 555-0110,88 rue Rachel,Montréal,H2J 2H4,1982-04-30',
  martin: 'Martin,Ouellet,martin.ouellet@example.org,514 555-0110,88 rue Rachel,Montréal,H2J 2H4,1979-10-14',
  louis: 'Louis,Bergeron,louis.bergeron@example.org,418 555-0111,,Québec,G1V 4G2,1970-01-30',
  anne: 'Anne,Fortin,anne.fortin@example.org,,,Sherbrooke,,1992-05-05',
  // the most common duplicate: one person from two systems, no birth date in either
  sylvie: 'Sylvie,Bouchard,sylvie.bouchard@example.org,819 555-0113,5 rue Principale,Sherbrooke,J1H 1A1,',
  sylvieAgain: 'Sylvie,BOUCHARD,Sylvie.Bouchard@example.org,(819) 555-0113,5 rue Principale,Sherbrooke,J1H1A1,',
};
type Person = keyof typeof PEOPLE;
const PLANTED: [Person, Person][] = [
  ['helene', 'heleneUnaccented'],
  ['robert', 'bob'],
  ['minh', 'minhSwapped'],
  ['jf', 'jfTypo'],
  ['marieEve', 'marieEveNewEmail'],
];
const HARD_NEGATIVES: [Person, Person][] = [
  ['marieTremblay', 'otherMarieTremblay'],
  ['pierre', 'louise'],
  ['sophie', 'martin'],
];

/** First name, last name and email of a CSV row: what tells the imported contacts apart. */
const rowKey = (row: string) => {
  const [firstName, lastName, email] = row.split(',');
  return `${firstName}|${lastName}|${email.toLowerCase()}`;
};

describe('duplicate detection', () => {
  let api: TestApi;
  let owner: string;
  let orgId: string;
  const id = {} as Record<Person, string>;

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Dedup Org', { RUN_JOBS_IN_API: 'true' }));
    const upload = await api.upload(owner, [HEADER, ...Object.values(PEOPLE)].join('\n'), {
      strategy: 'CREATE_ALL',
      dedup: 'false',
    });
    expect(upload).toMatchObject({ status: 202 });
    const run = await api.finishedRun(owner, upload.body.jobRunId);
    expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { created: Object.keys(PEOPLE).length, invalid: 0 } });
    const { contacts } = await api.ok<any>(owner, CONTACTS);
    const byKey = new Map(
      contacts.edges.map(({ node }: any) => [`${node.firstName}|${node.lastName}|${node.email}`, node.id]),
    );
    for (const [person, row] of Object.entries(PEOPLE)) id[person as Person] = byKey.get(rowKey(row)) as string;
    expect(Object.values(id).every(Boolean)).toBe(true);
  }, RUN_TIMEOUT);
  afterAll(() => api.close());

  const runDedup = async (variables: Record<string, unknown>, token = owner) => {
    const { startDedupRun } = await api.ok<any>(token, START, variables);
    expect(startDedupRun).toMatchObject({ kind: 'DEDUP_CONTACTS', status: 'QUEUED' });
    const run = await api.finishedRun(token, startDedupRun.id);
    expect(run).toMatchObject({ status: 'SUCCEEDED', attempts: 1, errors: [] });
    return run;
  };
  const candidates = async (variables: Record<string, unknown> = {}, token = owner) =>
    (await api.ok<any>(token, CANDIDATES, variables)).duplicateCandidates.edges.map((edge: any) => edge.node);
  /** The candidate of two contacts, if listed. */
  const pairOf = (list: any[], a: Person, b: Person) =>
    list.find((c) => [c.contactA.id, c.contactB.id].sort().join() === [id[a], id[b]].sort().join());
  const errorOf = (result: { errors?: { extensions?: Record<string, unknown> }[] }) => result.errors?.[0].extensions;

  it(
    'finds the planted duplicates in a full run, with the evidence and both contacts, highest score first',
    async () => {
      const run = await runDedup({ scope: 'ALL' });
      const count = Object.keys(PEOPLE).length;
      expect(run.counts).toMatchObject({ contacts: count, focused: count });
      expect(run.counts.pairsCompared).toBeGreaterThanOrEqual(PLANTED.length + HARD_NEGATIVES.length);
      expect(run.counts.pairsCompared).toBeLessThan((count * (count - 1)) / 2);

      const pending = await candidates();
      expect(run.counts.candidates).toBe(pending.length);
      const { reviewThreshold } = (await api.ok<any>(owner, SETTINGS)).dedupSettings;
      for (const [a, b] of PLANTED) {
        const pair = pairOf(pending, a, b);
        expect({ pair: `${a}/${b}`, found: Boolean(pair) }).toEqual({ pair: `${a}/${b}`, found: true });
        expect(pair).toMatchObject({ status: 'PENDING', dismissedAt: null });
        expect(pair.score).toBeGreaterThanOrEqual(reviewThreshold);
        expect(pair.score).toBeLessThanOrEqual(1);
        // contact_a < contact_b, and the cluster is named by its smallest contact
        expect(pair.contactA.id < pair.contactB.id).toBe(true);
        expect(pair.clusterId).toBe(pair.contactA.id);
        expect(pair.evidence.map((e: any) => e.field).sort()).toEqual([
          'address',
          'addressLine2',
          'birthDate',
          'city',
          'email',
          'firstName',
          'lastName',
          'phone',
          'postalCode',
        ]);
        for (const evidence of pair.evidence) {
          expect(Object.keys(evidence).sort()).toEqual(['a', 'b', 'field', 'level', 'weight']);
          expect(evidence).toMatchObject({ level: expect.any(String), weight: expect.any(Number) });
          // a missing value weighs nothing and shows as missing
          if (evidence.a === null || evidence.b === null)
            expect(evidence).toMatchObject({ level: 'missing', weight: 0 });
        }
      }
      expect(new Set(pending.map((c: any) => `${c.contactA.id}|${c.contactB.id}`)).size).toBe(pending.length);
      const scores = pending.map((c: any) => c.score);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));

      const evidence = (a: Person, b: Person, field: string) =>
        pairOf(pending, a, b).evidence.find((e: any) => e.field === field);
      expect(evidence('helene', 'heleneUnaccented', 'lastName')).toMatchObject({
        level: 'exact',
        a: 'cote',
        b: 'cote',
        weight: expect.any(Number),
      });
      expect(evidence('helene', 'heleneUnaccented', 'email').weight).toBeGreaterThan(0);
      expect(evidence('helene', 'heleneUnaccented', 'addressLine2')).toEqual({
        field: 'addressLine2',
        level: 'missing',
        a: null,
        b: null,
        weight: 0,
      });
      expect(evidence('robert', 'bob', 'firstName')).toMatchObject({ level: 'exact', a: 'robert', b: 'robert' });
      expect(evidence('minh', 'minhSwapped', 'firstName')).toMatchObject({ level: 'exact' });
      expect(evidence('minh', 'minhSwapped', 'lastName')).toMatchObject({ level: 'exact' });
      expect(evidence('jf', 'jfTypo', 'email').level).not.toBe('exact');
      expect(evidence('marieEve', 'marieEveNewEmail', 'address')).toMatchObject({
        level: 'exact',
        weight: expect.any(Number),
      });
      const contacts = pairOf(pending, 'robert', 'bob');
      expect([contacts.contactA, contacts.contactB].map((c: any) => c.firstName).sort()).toEqual(['Bob', 'Robert']);
    },
    RUN_TIMEOUT,
  );

  it('finds a duplicate that agrees on everything but has no birth date', async () => {
    const pair = pairOf(await candidates(), 'sylvie', 'sylvieAgain');
    expect(pair).toMatchObject({ status: 'PENDING' });
    expect(pair.evidence.find((e: any) => e.field === 'email')).toMatchObject({ level: 'exact' });
  });

  it('keeps the hard negatives below the auto-merge threshold', async () => {
    const pending = await candidates();
    const { autoMergeThreshold } = (await api.ok<any>(owner, SETTINGS)).dedupSettings;
    for (const [a, b] of HARD_NEGATIVES) {
      const score = pairOf(pending, a, b)?.score ?? 0;
      expect({ pair: `${a}/${b}`, belowAutoMerge: score < autoMergeThreshold }).toEqual({
        pair: `${a}/${b}`,
        belowAutoMerge: true,
      });
    }
  });

  it('pages the queue with after, and keeps the pairs at or above minScore', async () => {
    const all = await candidates();
    expect(all.length).toBeGreaterThanOrEqual(PLANTED.length);
    const paged: any[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: any = await api.ok<any>(owner, CANDIDATES, { first: 2, after });
      const { edges, pageInfo } = result.duplicateCandidates;
      expect(edges.length).toBeLessThanOrEqual(2);
      paged.push(...edges.map((e: any) => e.node));
      if (!pageInfo.hasNextPage) break;
      expect(pageInfo.endCursor).toBe(edges.at(-1).cursor);
      after = pageInfo.endCursor;
    }
    expect(paged).toEqual(all);

    const minScore = all[Math.floor(all.length / 2)].score;
    const above = await candidates({ minScore });
    expect(above).toEqual(all.filter((c: any) => c.score >= minScore));
    expect(await candidates({ minScore: 1.5 })).toEqual([]);

    expect(errorOf(await api.gql(owner, CANDIDATES, { first: 0 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    expect(errorOf(await api.gql(owner, CANDIDATES, { after: 'not a cursor' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });

  it(
    'keeps a dismissed pair dismissed through new runs until a compared value of one contact changes',
    async () => {
      const [a, b]: Person[] = ['marieEve', 'marieEveNewEmail'];
      expect((await api.ok<any>(owner, DISMISS, { contactIds: [id[b], id[a]] })).dismissDuplicate).toBe(1);
      expect(pairOf(await candidates(), a, b)).toBeUndefined();
      expect(pairOf(await candidates({ status: 'DISMISSED' }), a, b)).toMatchObject({
        status: 'DISMISSED',
        dismissedAt: expect.any(String),
      });

      await runDedup({ scope: 'ALL' });
      expect(pairOf(await candidates(), a, b)).toBeUndefined();
      expect(pairOf(await candidates({ status: 'DISMISSED' }), a, b)).toMatchObject({ status: 'DISMISSED' });

      // a value that is not compared changes: still dismissed
      await api.ok(owner, UPDATE, { id: id[b], input: { preferredLanguage: 'EN' } });
      await runDedup({ scope: 'ALL' });
      expect(pairOf(await candidates(), a, b)).toBeUndefined();

      // a compared value changes: proposed again
      await api.ok(owner, UPDATE, { id: id[b], input: { phone: '450 555-0199' } });
      await runDedup({ scope: 'ALL' });
      expect(pairOf(await candidates(), a, b)).toMatchObject({ status: 'PENDING', dismissedAt: null });
      expect(pairOf(await candidates({ status: 'DISMISSED' }), a, b)).toBeUndefined();
    },
    RUN_TIMEOUT,
  );

  it(
    'looks for duplicates of what an import created, with a CHANGED_SINCE run it starts itself',
    async () => {
      const before = new Set((await api.ok<any>(owner, DEDUP_RUNS)).jobRuns.edges.map((e: any) => e.node.id));
      const upload = await api.upload(
        owner,
        `${HEADER}\nLouis,Bergeron,l.bergeron@gmail.com,418 555-0111,,Québec,G1V 4G2,1970-01-30\n`,
        { strategy: 'CREATE_ALL' },
      );
      expect(upload.status).toBe(202);
      expect((await api.finishedRun(owner, upload.body.jobRunId)).counts).toMatchObject({ created: 1 });

      const started = (await api.ok<any>(owner, DEDUP_RUNS)).jobRuns.edges
        .map((e: any) => e.node)
        .filter((run: any) => !before.has(run.id));
      expect(started).toHaveLength(1);
      const run = await api.finishedRun(owner, started[0].id);
      expect(run).toMatchObject({
        kind: 'DEDUP_CONTACTS',
        status: 'SUCCEEDED',
        counts: { contacts: Object.keys(PEOPLE).length + 1, focused: 1 },
      });
      expect(run.counts.candidates).toBeGreaterThanOrEqual(1);

      const pair = (await candidates()).find(
        (c: any) =>
          [c.contactA.email, c.contactB.email].sort().join() === 'l.bergeron@gmail.com,louis.bergeron@example.org',
      );
      expect(pair).toMatchObject({
        status: 'PENDING',
        contactA: { lastName: 'Bergeron' },
        contactB: { lastName: 'Bergeron' },
      });
      // the earlier pairs, not touched by this run, are still there
      expect(pairOf(await candidates(), 'helene', 'heleneUnaccented')).toBeDefined();
    },
    RUN_TIMEOUT,
  );

  it(
    'runs over the given contacts (CONTACT_IDS) and over the contacts changed since a time (CHANGED_SINCE)',
    async () => {
      const byIds = await runDedup({ scope: 'CONTACT_IDS', contactIds: [id.robert] });
      expect(byIds.counts).toMatchObject({ focused: 1 });
      expect(byIds.counts.candidates).toBeGreaterThanOrEqual(1);
      expect(pairOf(await candidates(), 'robert', 'bob')).toMatchObject({ status: 'PENDING' });

      const since = new Date().toISOString();
      await api.ok(owner, UPDATE, { id: id.anne, input: { city: 'Magog' } });
      const changed = await runDedup({ scope: 'CHANGED_SINCE', since });
      expect(changed.counts).toMatchObject({ focused: 1 });
      const nothingChanged = await runDedup({
        scope: 'CHANGED_SINCE',
        since: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(nothingChanged.counts).toMatchObject({ focused: 0, pairsCompared: 0, candidates: 0 });
      // a focused run leaves the pairs it did not look at alone
      expect(pairOf(await candidates(), 'minh', 'minhSwapped')).toBeDefined();
    },
    RUN_TIMEOUT,
  );

  it('refuses bad runs and dismissals naming the field, and starts nothing', async () => {
    const runsBefore = (await api.ok<any>(owner, DEDUP_RUNS)).jobRuns.edges.length;
    expect(errorOf(await api.gql(owner, START, { scope: 'CHANGED_SINCE' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'since',
    });
    expect(errorOf(await api.gql(owner, START, { scope: 'CONTACT_IDS' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'contactIds',
    });
    expect(errorOf(await api.gql(owner, START, { scope: 'CONTACT_IDS', contactIds: [] }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'contactIds',
    });
    // the index as every other error names a list element (mergedIds.1, input.externalIds.0)
    expect(
      errorOf(await api.gql(owner, START, { scope: 'CONTACT_IDS', contactIds: [id.anne, 'not-an-id'] })),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contactIds.1' });
    expect((await api.ok<any>(owner, DEDUP_RUNS)).jobRuns.edges).toHaveLength(runsBefore);

    expect(errorOf(await api.gql(owner, DISMISS, { contactIds: [id.anne] }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'contactIds',
    });
    expect(errorOf(await api.gql(owner, DISMISS, { contactIds: ['nope', id.anne] }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'contactIds.0',
    });
    expect(errorOf(await api.gql(owner, DISMISS, { contactIds: [id.anne, randomUUID()] }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it(
    'lets EDITOR review and run; ANALYST and VIEWER neither read the queue nor start runs',
    async () => {
      const editor = await api.memberKey(orgId, Role.EDITOR);
      expect((await candidates({}, editor)).length).toBeGreaterThan(0);
      await runDedup({ scope: 'CONTACT_IDS', contactIds: [id.anne] }, editor);
      for (const role of [Role.ANALYST, Role.VIEWER]) {
        const key = await api.memberKey(orgId, role);
        expect(errorOf(await api.gql(key, CANDIDATES))?.code).toBe('FORBIDDEN');
        expect(errorOf(await api.gql(key, START, { scope: 'ALL' }))?.code).toBe('FORBIDDEN');
        expect(errorOf(await api.gql(key, DISMISS, { contactIds: [id.pierre, id.louise] }))?.code).toBe('FORBIDDEN');
        expect(errorOf(await api.gql(key, SETTINGS))?.code).toBe('FORBIDDEN');
      }
    },
    RUN_TIMEOUT,
  );

  it(
    'never shows another organization these candidates, nor lets it dismiss them',
    async () => {
      const before = await candidates();
      const other = (await api.createOrganization('Other Dedup Org')).token;
      expect(await candidates({}, other)).toEqual([]);
      const run = await runDedup({ scope: 'CONTACT_IDS', contactIds: [id.helene, id.heleneUnaccented] }, other);
      expect(run.counts).toMatchObject({ contacts: 0, pairsCompared: 0, candidates: 0 });
      expect((await runDedup({ scope: 'ALL' }, other)).counts).toMatchObject({ contacts: 0, candidates: 0 });
      expect(await candidates({}, other)).toEqual([]);
      const refused = await api.gql(other, DISMISS, { contactIds: [id.helene, id.heleneUnaccented] });
      expect(errorOf(refused)?.code).toBe('NOT_FOUND');
      expect(JSON.stringify(refused)).not.toMatch(/Hélène|Côté|example\.org/);
      expect(await candidates()).toEqual(before);
    },
    RUN_TIMEOUT,
  );
});

describe('dedup settings', () => {
  let api: TestApi;
  let owner: string;
  let orgId: string;

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Dedup Settings Org'));
  });
  afterAll(() => api.close());

  const errorOf = (result: { errors?: { extensions?: Record<string, unknown> }[] }) => result.errors?.[0].extensions;

  it('starts from the defaults, with no learned parameters', async () => {
    const { dedupSettings } = await api.ok<any>(owner, SETTINGS);
    expect(dedupSettings).toMatchObject({ parametersLearnedAt: null });
    expect(dedupSettings.reviewThreshold).toBeLessThanOrEqual(dedupSettings.autoMergeThreshold);
  });

  it('lets an ADMIN change the thresholds, never the review threshold above the auto-merge one', async () => {
    const admin = await api.memberKey(orgId, Role.ADMIN);
    const updated = (
      await api.ok<any>(admin, UPDATE_SETTINGS, { input: { autoMergeThreshold: 0.995, reviewThreshold: 0.7 } })
    ).updateDedupSettings;
    expect(updated).toEqual({ autoMergeThreshold: 0.995, reviewThreshold: 0.7, parametersLearnedAt: null });
    // one threshold alone keeps the other
    expect(
      (await api.ok<any>(admin, UPDATE_SETTINGS, { input: { reviewThreshold: 0.75 } })).updateDedupSettings,
    ).toMatchObject({ autoMergeThreshold: 0.995, reviewThreshold: 0.75 });

    for (const input of [
      { reviewThreshold: 0.999 },
      { autoMergeThreshold: 0.9, reviewThreshold: 0.95 },
      { reviewThreshold: 1.5 },
      { reviewThreshold: 0 },
    ]) {
      expect({ input, error: errorOf(await api.gql(admin, UPDATE_SETTINGS, { input })) }).toEqual({
        input,
        error: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.reviewThreshold' }),
      });
    }
    expect(errorOf(await api.gql(admin, UPDATE_SETTINGS, { input: { autoMergeThreshold: 0.4 } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.autoMergeThreshold',
    });
    expect((await api.ok<any>(owner, SETTINGS)).dedupSettings).toMatchObject({
      autoMergeThreshold: 0.995,
      reviewThreshold: 0.75,
    });
  });

  it('ignores parameters learned before a comparison changed its levels (the defaults until the next full run)', async () => {
    const stale = { ...DEFAULT_PARAMETERS, m: DEFAULT_PARAMETERS.m.map((levels) => levels.slice(0, -1)) };
    const store = (parameters: MatchParameters) =>
      TenantContexts.run({ orgId }, () =>
        api.app.get(TenantDb).transaction((tx) => api.app.get(DedupSettingsService).saveParameters(tx, parameters)),
      );
    await store(stale);
    expect((await api.ok<any>(owner, SETTINGS)).dedupSettings).toMatchObject({ parametersLearnedAt: null });
    await store(DEFAULT_PARAMETERS);
    expect((await api.ok<any>(owner, SETTINGS)).dedupSettings.parametersLearnedAt).not.toBeNull();
  });

  it('lets an EDITOR read the settings but not change them', async () => {
    const editor = await api.memberKey(orgId, Role.EDITOR);
    expect((await api.ok<any>(editor, SETTINGS)).dedupSettings).toMatchObject({ autoMergeThreshold: 0.995 });
    expect(errorOf(await api.gql(editor, UPDATE_SETTINGS, { input: { reviewThreshold: 0.9 } }))?.code).toBe(
      'FORBIDDEN',
    );
  });
});

describe('automatic merges', () => {
  let api: TestApi;
  let owner: string;

  beforeAll(async () => {
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true' });
    owner = (await api.createOrganization('Dedup AutoMerge Org')).token;
  });
  afterAll(() => api.close());

  const create = async (input: Record<string, unknown>): Promise<string> =>
    (
      await api.ok<any>(owner, `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`, {
        input,
      })
    ).createContact.id;
  const run = async (autoMerge: boolean) => {
    const { startDedupRun } = await api.ok<any>(owner, START, { scope: 'ALL', autoMerge });
    return api.finishedRun(owner, startDedupRun.id);
  };
  const pending = async () => (await api.ok<any>(owner, CANDIDATES)).duplicateCandidates.edges.map((e: any) => e.node);
  const pairOf = (list: any[], a: string, b: string) =>
    list.find((c) => [c.contactA.id, c.contactB.id].sort().join() === [a, b].sort().join());

  it(
    'merges a sure pair into its oldest contact and leaves a doubtful one for review',
    async () => {
      // proposed from an even chance: the doubtful pair below is listed, not merged
      await api.ok(owner, UPDATE_SETTINGS, { input: { reviewThreshold: 0.4, autoMergeThreshold: 0.99 } });
      const helene = {
        firstName: 'Hélène',
        lastName: 'Côté',
        email: 'helene.cote@example.org',
        phone: '514 555-0101',
        postalCode: 'H2X 1Y4',
        birthDate: '1980-03-04',
        addressLine1: '45 av. du Parc',
        city: 'Montréal',
      };
      const older = await create(helene);
      const newer = await create({
        ...helene,
        firstName: 'Helene',
        lastName: 'Cote',
        addressLine1: '45 avenue du Parc',
      });
      // the same names and city, a birth date with day and month swapped, nothing else: worth a look, not a merge
      const marieEve = await create({
        firstName: 'Marie-Ève',
        lastName: 'Lavoie',
        city: 'Laval',
        birthDate: '1988-12-01',
      });
      const marieEve2 = await create({
        firstName: 'Marie-Eve',
        lastName: 'Lavoie',
        city: 'Laval',
        birthDate: '1988-01-12',
      });

      const looked = await run(false);
      expect(looked.counts).not.toHaveProperty('merges');
      const before = await pending();
      expect(pairOf(before, older, newer)?.score).toBeGreaterThanOrEqual(0.99);
      const doubtful = pairOf(before, marieEve, marieEve2);
      expect(doubtful?.score).toBeGreaterThanOrEqual(0.4);
      expect(doubtful?.score).toBeLessThan(0.99);

      const merged = await run(true);
      expect(merged).toMatchObject({
        status: 'SUCCEEDED',
        counts: { merges: 1, mergedContacts: 1, clustersTooLarge: 0 },
      });
      const history = (
        await api.ok<any>(
          owner,
          `query($id: ID!) { mergeHistory(contactId: $id) { survivorId mergedIds automatic score } }`,
          { id: older },
        )
      ).mergeHistory;
      expect(history).toEqual([{ survivorId: older, mergedIds: [newer], automatic: true, score: expect.any(Number) }]);
      expect(history[0].score).toBeGreaterThanOrEqual(0.99);
      const gone = await api.gql(owner, `query($id: ID!) { contact(id: $id) { id } }`, { id: newer });
      expect(gone.errors?.[0].extensions?.code).toBe('NOT_FOUND');

      const after = await pending();
      expect(pairOf(after, older, newer)).toBeUndefined();
      expect(pairOf(after, marieEve, marieEve2)).toMatchObject({ status: 'PENDING' });
      expect((await api.ok<any>(owner, `{ contacts { totalCount } }`)).contacts.totalCount).toBe(3);
    },
    RUN_TIMEOUT,
  );
});
