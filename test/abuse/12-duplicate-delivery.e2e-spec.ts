import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { TenantContexts } from '@app/database';
import { JOB_HANDLER, type JobHandlerContract, JobName, type JobPayload, JobRunsService } from '@app/jobs';
import { Role } from '@app/tenancy';
import { describeOnQueueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';

/**
 * Issue 13, item 12: when a job's lock lapses (a long GC, a blocked loop), BullMQ delivers it again while the first
 * attempt still runs. Both attempts of an import used to commit: a CREATE_ALL import made every contact twice. Here
 * the test is the worker and runs the import's handler twice at once, as the processor runs it: the import commits
 * once, and both attempts answer the same outcome.
 */
const ROWS = 3_000;

// booting the app on a busy machine can take more than Jest's 5 s; imports are waited for
jest.setTimeout(120_000);

function boxOffice(): string {
  const lines = ['Prénom;Nom;Courriel'];
  for (let i = 0; i < ROWS; i++) lines.push(`Élise${i};Côté;elise${i}@exemple.qc.ca`);
  return `${lines.join('\n')}\n`;
}

describeOnQueueBackends(
  (backend) => `duplicate delivery of an import, on the ${backend} backend`,
  (env) => {
    let api: TestApi;
    let handler: JobHandlerContract<unknown>;

    beforeAll(async () => {
      // no processor in the API: the test delivers the job
      api = await TestApi.start(env);
      const reflector = api.app.get(Reflector);
      const wrapper = api.app
        .get(DiscoveryService)
        .getProviders()
        .find(
          (w) =>
            typeof w.metatype === 'function' &&
            reflector.get<string | undefined>(JOB_HANDLER, w.metatype) === JobName.IMPORT_CONTACTS,
        );
      handler = wrapper!.instance as JobHandlerContract<unknown>;
    });
    afterAll(() => api?.close());

    it('an import delivered twice at once commits once', async () => {
      const org = await api.createOrganization('Delivered twice');
      const orgId = org.organization.id;
      const upload = await api.upload(org.token, boxOffice(), {
        strategy: 'CREATE_ALL',
        source: 'billetterie',
        dedup: 'false',
      });
      expect(upload.status).toBe(202);
      const runId: string = upload.body.jobRunId;

      // what the processor gives the handler
      const context = { orgId, userId: org.owner.userId, role: Role.OWNER, job: true };
      const attempts = await TenantContexts.run(context, async () => {
        const payload: JobPayload = {
          orgId,
          jobRunId: runId,
          userId: org.owner.userId,
          role: Role.OWNER,
          params: await api.app.get(JobRunsService).payload(runId),
        };
        const progress = { report: () => Promise.resolve() };
        return Promise.all([handler.run(payload, progress), handler.run(payload, progress)]);
      });
      for (const counts of attempts) expect(counts).toMatchObject({ rows: ROWS, created: ROWS });

      const { contacts } = await api.ok<any>(org.token, `{ contacts(first: 1) { totalCount } }`);
      expect(contacts.totalCount).toBe(ROWS);
      await api.ok(org.token, `mutation($id: ID!) { cancelJobRun(id: $id) { status } }`, { id: runId });
    });
  },
);
