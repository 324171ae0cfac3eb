import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TenantContexts, TenantDb } from '@app/database';
import { JobName, JobRunsService } from '@app/jobs';
import { describeOnQueueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';
import { until } from '../support/wait.js';

/**
 * Issue 13, item 11: a process that dies between the commit of a job run and the queueing of its job leaves the run
 * QUEUED without job. Such an orphan used to stop the organization's audience syncs for good ("a sync is already
 * waiting"): a contact tagged afterwards never entered its audience. Now a waiting run counts only if its job is on
 * the queue, and the reaper queues the orphan itself.
 */
const MEMBERS = `query($id: ID!) { audience(id: $id) { status size members(first: 10) { edges { node { id } } } } }`;
const WAITING_SYNCS = `{ jobRuns(first: 10, filter: { kinds: [SYNC_AUDIENCES, REFRESH_AUDIENCE], statuses: [QUEUED, RUNNING] }) { edges { node { id } } } }`;

// booting the app on a busy machine can take more than Jest's 5 s; jobs are waited for
jest.setTimeout(90_000);

/** An orphan: a run created as JobsService.start creates it, in a process that died before queueing its job. */
function orphan(api: TestApi, orgId: string, kind: JobName, params: object, userId?: string) {
  return TenantContexts.run({ orgId, userId }, () =>
    api.app.get(TenantDb).transaction((tx) => api.app.get(JobRunsService).create(tx, kind, params)),
  );
}

describeOnQueueBackends(
  (backend) => `orphaned runs, on the ${backend} backend`,
  (env) => {
    describe('with the reaper far off (its default minute)', () => {
      let api: TestApi;
      beforeAll(async () => {
        api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true' });
      });
      afterAll(() => api?.close());

      it('a contact tagged after an audience sync was orphaned still enters the audience', async () => {
        const org = await api.createOrganization('Orphaned sync');
        const token = org.token;
        const { createAudience } = await api.ok<any>(
          token,
          `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`,
          { input: { name: 'VIP', kind: 'DYNAMIC', rule: { tags: { any: ['vip'] } } } },
        );
        const { createContact } = await api.ok<any>(
          token,
          `mutation { createContact(input: { firstName: "Odile", email: "odile@example.org" }) { id } }`,
        );
        // settled: the audience refreshed, no sync waiting or running
        await until('the audience to settle', async () => {
          const { audience } = await api.ok<any>(token, MEMBERS, { id: createAudience.id });
          const { jobRuns } = await api.ok<any>(token, WAITING_SYNCS);
          return audience.status === 'CURRENT' && jobRuns.edges.length === 0;
        });

        await orphan(api, org.organization.id, JobName.SYNC_AUDIENCES, {});
        await api.ok(
          token,
          `mutation($ids: [ID!]) { tagContacts(target: { ids: $ids }, tags: ["vip"]) { affected } }`,
          { ids: [createContact.id] },
        );

        await until(
          'the tagged contact to enter the audience',
          async () => {
            const { audience } = await api.ok<any>(token, MEMBERS, { id: createAudience.id });
            return audience.members.edges.some((edge: any) => edge.node.id === createContact.id);
          },
          { timeoutMs: 30_000, everyMs: 200 },
        );
      });
    });

    describe('with a short reaper interval', () => {
      let api: TestApi;
      beforeAll(async () => {
        api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true', JOB_REAPER_INTERVAL_MS: '300' });
      });
      afterAll(() => api?.close());

      it('the reaper queues an orphaned run, which then runs once', async () => {
        const org = await api.createOrganization('Orphaned export');
        const lost = await orphan(
          api,
          org.organization.id,
          JobName.EXPORT_CONTACTS,
          { filter: null, format: 'CSV', excel: false },
          org.owner.userId,
        );
        expect(lost.status).toBe('QUEUED');
        expect(await api.finishedRun(org.token, lost.id)).toMatchObject({
          status: 'SUCCEEDED',
          attempts: 1,
          counts: { exported: 0 },
        });
      });
    });
  },
);
