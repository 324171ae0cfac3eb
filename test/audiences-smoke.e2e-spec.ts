import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestApi } from './support/test-app.js';

describe('audiences smoke', () => {
  let api: TestApi;
  let owner: string;
  beforeAll(async () => {
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true' });
    owner = (await api.createOrganization('Smoke')).token;
  });
  afterAll(() => api.close());

  it('materializes and syncs', async () => {
    const ids: string[] = [];
    for (const [first, city] of [['Anne', 'Montréal'], ['Béa', 'Laval'], ['Carl', 'Québec']]) {
      ids.push((await api.ok<any>(owner, `mutation($i: CreateContactInput!) { createContact(input: $i) { id } }`, { i: { firstName: first, city } })).createContact.id);
    }
    await api.ok<any>(owner, `mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted } }`, {
      input: [0, 1, 2].map((d) => ({ contact: { id: ids[0] }, type: 'TICKET_PURCHASE', discipline: 'DANCE', occurredAt: new Date(Date.now() - (d + 1) * 86_400_000).toISOString() })),
    });
    const rule = { and: [{ field: { field: 'CITY', in: ['montreal', 'LAVAL'] } }, { interactions: { filter: { disciplines: ['danse'] }, withinLastDays: 365, comparison: 'AT_LEAST', value: 2 } }] };
    const preview = await api.ok<any>(owner, `query($r: AudienceRuleInput!) { previewAudience(rule: $r) { count sample { firstName } } }`, { r: rule });
    expect(preview.previewAudience.count).toBe(1);
    const created = await api.ok<any>(owner, `mutation($i: CreateAudienceInput!) { createAudience(input: $i) { id status } }`, { i: { name: 'Danse', kind: 'DYNAMIC', rule: { or: [rule, { field: { field: 'FIRST_NAME', prefix: 'be' } }] } } });
    const id = created.createAudience.id;
    for (let i = 0; i < 50; i++) {
      const a = await api.ok<any>(owner, `query($id: ID!) { audience(id: $id) { status size members { edges { node { firstName } } } sizeHistory { size entered left reason } } }`, { id });
      if (a.audience.status === 'CURRENT') { console.log(JSON.stringify(a)); break; }
      await new Promise((r) => setTimeout(r, 200));
    }
    await api.ok<any>(owner, `mutation($id: ID!, $i: UpdateContactInput!) { updateContact(id: $id, input: $i) { id } }`, { id: ids[2], i: { firstName: 'Bernard' } });
    for (let i = 0; i < 50; i++) {
      const a = await api.ok<any>(owner, `query($id: ID!) { audience(id: $id) { status size sizeHistory { size entered left reason } } }`, { id });
      if (a.audience.size === 3) { console.log(JSON.stringify(a)); break; }
      await new Promise((r) => setTimeout(r, 200));
    }
    const a = await api.ok<any>(owner, `query($id: ID!) { audience(id: $id) { size } audiences { name size } }`, { id });
    expect(a.audience.size).toBe(3);
  });
});
