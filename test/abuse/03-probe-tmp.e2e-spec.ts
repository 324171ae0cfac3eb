import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@app/tenancy';
import { TestApi } from '../support/test-app.js';

describe('probe', () => {
  let api: TestApi;
  let analyst: string;
  beforeAll(async () => {
    api = await TestApi.start();
    const org = await api.createOrganization('Probe');
    analyst = await api.memberKey(org.organization.id, Role.ANALYST);
    for (let i = 0; i < 20; i++) await api.ok(org.token, `mutation($i: CreateContactInput!) { createContact(input: $i) { id } }`, { i: { firstName: `P${i}`, tags: Array.from({ length: 50 }, (_, t) => `T${t}`) } });
  });
  afterAll(() => api.close());
  it('probes', async () => {
    const q = `query($f: ContactFilterInput) { contacts(filter: $f, first: 5) { totalCount edges { node { id } } } }`;
    for (const n of [50, 200]) {
      const t = Date.now();
      const r = await api.gql(analyst, q, { f: { tagsAll: Array.from({ length: n }, (_, i) => `T${i}`) } });
      console.log(n, Date.now() - t, JSON.stringify(r).slice(0, 200));
    }
    for (const depth of [20, 2000, 20000]) {
      let rule: any = { tags: { any: ['x'] } };
      for (let i = 0; i < depth; i++) rule = { not: rule };
      const t = Date.now();
      const r = await api.gql(analyst, `query($r: AudienceRuleInput!) { previewAudience(rule: $r) { count } }`, { r: rule });
      console.log('depth', depth, Date.now() - t, JSON.stringify(r).slice(0, 300));
    }
    const t = Date.now();
    const r = await api.gql(analyst, `query($f: EngagementFilterInput!) { retention(filter: $f, cohortInterval: DAY, periods: 6) { cohorts { size } } }`, { f: { from: '1976-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } });
    console.log('retention', Date.now() - t, JSON.stringify(r).length);
    expect(1).toBe(1);
  }, 600_000);
});
