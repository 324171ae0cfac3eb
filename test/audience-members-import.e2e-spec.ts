import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestApi } from './support/test-app.js';

/** Adding a static audience's members from a CSV file: by contact id, customer number or email; bad rows reported. */
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
const MEMBERS = `query($id: ID!) { audience(id: $id) { size members(first: 50) { edges { node { id } } } sizeHistory { reason entered } } }`;

describe('importing the members of a static audience', () => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true' });
    token = (await api.createOrganization('Members Import')).token;
  });
  afterAll(() => api.close());

  const contact = async (input: Record<string, unknown>): Promise<string> => (await api.ok<any>(token, CREATE_CONTACT, { input })).createContact.id;

  it('finds contacts by id, customer number or email in a Windows-1252 French file, and reports each row it cannot place', async () => {
    const byId = await contact({ firstName: 'Zoé' });
    const byNumber = await contact({ firstName: 'Loïc', externalIds: [{ source: 'billetterie', externalId: 'C-42' }] });
    const byEmail = await contact({ firstName: 'Maëlle', email: 'maelle@example.org' });
    const { createAudience } = await api.ok<any>(token, CREATE_AUDIENCE, { input: { name: 'Abonnés 2026', kind: 'STATIC' } });

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
    const lines = (await rejected.text()).replace(/^\uFEFF/, '').trim().split(/\r?\n/);
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

    const { createAudience: list } = await api.ok<any>(token, CREATE_AUDIENCE, { input: { name: 'Liste', kind: 'STATIC' } });
    const upload = await api.upload(token, 'nom,ville\nA,B\n', {}, `/audiences/${list.id}/members`);
    const run = await api.finishedRun(token, upload.body.jobRunId);
    expect(run.status).toBe('FAILED');
    expect(run.errors[0].message).toMatch(/no contact id, customer number or email column/);
  });
});
