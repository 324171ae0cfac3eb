import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestApi } from './support/test-app.js';

/** Static audiences: members from a CSV file (by contact id, customer number or email; bad rows reported), and merges. */
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
const MEMBERS = `query($id: ID!) { audience(id: $id) { size members(first: 50) { edges { node { id } } } sizeHistory { reason entered } } }`;

describe('static audiences', () => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true' });
    token = (await api.createOrganization('Members Import')).token;
  });
  afterAll(() => api.close());

  const contact = async (input: Record<string, unknown>): Promise<string> =>
    (await api.ok<any>(token, CREATE_CONTACT, { input })).createContact.id;

  it('finds contacts by id, customer number or email in a Windows-1252 French file, and reports each row it cannot place', async () => {
    const byId = await contact({ firstName: 'Zoé' });
    const byNumber = await contact({ firstName: 'Loïc', externalIds: [{ source: 'billetterie', externalId: 'C-42' }] });
    const byEmail = await contact({ firstName: 'Maëlle', email: 'maelle@example.org' });
    const { createAudience } = await api.ok<any>(token, CREATE_AUDIENCE, {
      input: { name: 'Abonnés 2026', kind: 'STATIC' },
    });

    const file = Buffer.from(
      [
        'Identifiant;Numéro de client;Courriel;Note',
        `${byId};;;première`,
        ';C-42;;',
        ';;Maelle@Example.org ;',
        ';C-999;;inconnu',
        ';;;vide',
        `${byId};;;en double`,
      ].join('\r\n'),
      'latin1',
    );
    const upload = await api.upload(token, file, { source: 'billetterie' }, `/audiences/${createAudience.id}/members`);
    expect(upload.status).toBe(202);
    const run = await api.finishedRun(token, upload.body.jobRunId);
    expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 6, added: 3, alreadyMembers: 1, notFound: 2 } });
    expect(run.errors.map((e: any) => e.line)).toEqual([5, 6]);

    const { audience } = await api.ok<any>(token, MEMBERS, { id: createAudience.id });
    expect(audience.size).toBe(3);
    expect(audience.members.edges.map((e: any) => e.node.id).sort()).toEqual([byId, byNumber, byEmail].sort());
    expect(audience.sizeHistory).toEqual([{ reason: 'MEMBERS_ADDED', entered: 3 }]);

    const rejected = await fetch(`${api.url}${run.downloadPath}`, { headers: { authorization: `Bearer ${token}` } });
    const lines = (await rejected.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('Identifiant;Numéro de client;Courriel;Note;error');
    expect(lines[1]).toMatch(/^;C-999;;inconnu;no contact has/);
  });

  it('refuses a dynamic audience, and a file without a contact column', async () => {
    const { createAudience: dynamic } = await api.ok<any>(token, CREATE_AUDIENCE, {
      input: { name: 'Dynamique', kind: 'DYNAMIC', rule: { tags: { any: ['vip'] } } },
    });
    const refused = await api.upload(token, 'email\nx@example.org\n', {}, `/audiences/${dynamic.id}/members`);
    expect(refused.status).toBe(400);

    const { createAudience: list } = await api.ok<any>(token, CREATE_AUDIENCE, {
      input: { name: 'Liste', kind: 'STATIC' },
    });
    const upload = await api.upload(token, 'nom,ville\nA,B\n', {}, `/audiences/${list.id}/members`);
    const run = await api.finishedRun(token, upload.body.jobRunId);
    expect(run.status).toBe('FAILED');
    expect(run.errors[0].message).toMatch(/no contact id, customer number or email column/);
  });

  it("a merge puts the survivor on the merged contacts' lists, and its undo puts everyone back", async () => {
    const MERGE = `mutation($survivorId: ID!, $mergedIds: [ID!]!) { mergeContacts(survivorId: $survivorId, mergedIds: $mergedIds) { id } }`;
    const UNMERGE = `mutation($mergeId: ID!) { unmergeContacts(mergeId: $mergeId) { id } }`;
    const ADD = `mutation($id: ID!, $ids: [ID!]!) { addAudienceMembers(id: $id, target: { ids: $ids }) { affected } }`;
    const survivor = await contact({ firstName: 'Survivante' });
    const merged = await contact({ firstName: 'Fusionnée' });
    const lists = [];
    for (const name of ['Liste A', 'Liste B'])
      lists.push((await api.ok<any>(token, CREATE_AUDIENCE, { input: { name, kind: 'STATIC' } })).createAudience.id);
    await api.ok(token, ADD, { id: lists[0], ids: [survivor] });
    await api.ok(token, ADD, { id: lists[1], ids: [merged] });
    const membersOf = async (id: string) =>
      (await api.ok<any>(token, MEMBERS, { id })).audience.members.edges.map((e: any) => e.node.id).sort();

    const { mergeContacts } = await api.ok<any>(token, MERGE, { survivorId: survivor, mergedIds: [merged] });
    expect(await membersOf(lists[0])).toEqual([survivor]);
    expect(await membersOf(lists[1])).toEqual([survivor]);

    await api.ok(token, UNMERGE, { mergeId: mergeContacts.id });
    expect(await membersOf(lists[0])).toEqual([survivor]);
    expect(await membersOf(lists[1])).toEqual([merged]);
  });
});
