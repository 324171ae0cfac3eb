import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { Role } from '@app/tenancy';
import { describeOnQueueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';

/**
 * The ANALYST role reads no direct identifier through a side door: not in the values an EDITOR put in an audience
 * rule on EMAIL, PHONE, ADDRESS or BIRTH_DATE, not in consent proof (IP addresses, signed forms), not in the column
 * names of a job run's errors (a file without a header line is named by its first row). An EDITOR sees them all.
 */
const SECRET_EMAIL = 'secret.person@example.org';
const SECRET_PHONE = '+15145550123';
const SECRET_STREET = '4521 rue Secrète';
const SECRET_IP = '203.0.113.77';

const RULE = {
  or: [
    { field: { field: 'EMAIL', in: [SECRET_EMAIL, 'other.secret@example.org'] } },
    {
      and: [
        { field: { field: 'PHONE', equals: SECRET_PHONE } },
        { not: { field: { field: 'ADDRESS', contains: SECRET_STREET } } },
      ],
    },
    { field: { field: 'BIRTH_DATE', from: '1980-04-03T00:00:00.000Z', to: '1980-04-04T00:00:00.000Z' } },
    { field: { field: 'EMAIL', isEmpty: false } },
    { field: { field: 'CITY', equals: 'Montréal' } },
  ],
};
const SECRETS = [SECRET_EMAIL, 'other.secret', '5145550123', 'Secrète', '1980-04'];

const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const CONSENTS = `query($id: ID!) { contact(id: $id) { consentHistory { purpose source proof } } }`;
const RUN_ERRORS = `query($id: ID!) { jobRun(id: $id) { errors { line column message } } }`;
const RUNS_ERRORS = `{ jobRuns(first: 100) { edges { node { id errors { line column } } } } }`;

jest.setTimeout(60_000);

describeOnQueueBackends(
  (backend) => `ANALYST and identifiers, on the ${backend} backend (issue 13, item 6)`,
  (env) => {
    let api: TestApi;
    let editor: string;
    let analyst: string;

    beforeAll(async () => {
      api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true' });
      const org = await api.createOrganization('Side doors');
      editor = await api.memberKey(org.organization.id, Role.EDITOR);
      analyst = await api.memberKey(org.organization.id, Role.ANALYST);
    });
    afterAll(() => api.close());

    it('hides from ANALYST the values of rule conditions on identifiers, keeping the rest of the rule', async () => {
      const { id } = (await api.ok(editor, CREATE_AUDIENCE, { input: { name: 'Ciblés', kind: 'DYNAMIC', rule: RULE } }))
        .createAudience;
      expect((await api.ok(editor, `query($id: ID!) { audience(id: $id) { rule } }`, { id })).audience.rule).toEqual(
        RULE,
      );

      const listed = (await api.ok(analyst, '{ audiences { id rule } }')).audiences.find(
        (a: { id: string }) => a.id === id,
      );
      const single = (await api.ok(analyst, `query($id: ID!) { audience(id: $id) { rule } }`, { id })).audience;
      for (const seen of [listed.rule, single.rule]) {
        for (const secret of SECRETS) expect(JSON.stringify(seen)).not.toContain(secret);
        expect(seen).toEqual({
          or: [
            { field: { field: 'EMAIL', in: ['[redacted]', '[redacted]'] } },
            {
              and: [
                { field: { field: 'PHONE', equals: '[redacted]' } },
                { not: { field: { field: 'ADDRESS', contains: '[redacted]' } } },
              ],
            },
            { field: { field: 'BIRTH_DATE', from: null, to: null } },
            { field: { field: 'EMAIL', isEmpty: false } },
            { field: { field: 'CITY', equals: 'Montréal' } },
          ],
        });
      }
    });

    it('gives ANALYST consent records without their proof', async () => {
      const consent = {
        purpose: 'EMAIL_MARKETING',
        status: 'GRANTED',
        legalBasis: 'EXPRESS',
        source: 'formulaire',
        proof: `IP ${SECRET_IP}`,
      };
      const { id } = (
        await api.ok(editor, CREATE_CONTACT, {
          input: { firstName: 'Prudence', lastName: 'Secrète', consents: [consent] },
        })
      ).createContact;
      expect((await api.ok(editor, CONSENTS, { id })).contact.consentHistory).toEqual([
        { purpose: 'EMAIL_MARKETING', source: 'formulaire', proof: `IP ${SECRET_IP}` },
      ]);
      expect((await api.ok(analyst, CONSENTS, { id })).contact.consentHistory).toEqual([
        { purpose: 'EMAIL_MARKETING', source: 'formulaire', proof: null },
      ]);
      const page = await api.ok(analyst, '{ contacts(first: 100) { edges { node { consentHistory { proof } } } } }');
      expect(JSON.stringify(page)).not.toContain(SECRET_IP);
    });

    it("gives ANALYST a job run's errors without their column names", async () => {
      // no header line: the first row is taken for one, and its values name the columns
      const csv = `Prénom,Nom,${SECRET_EMAIL}\nMarc,Tremblay,marc@example.org\n`;
      const upload = await api.upload(editor, csv, { dedup: 'false' });
      expect(upload.status).toBe(202);
      const finished = await api.finishedRun(editor, upload.body.jobRunId);
      expect(finished.errors).toContainEqual(expect.objectContaining({ line: 1, column: SECRET_EMAIL }));

      const seen = (await api.ok(analyst, RUN_ERRORS, { id: upload.body.jobRunId })).jobRun.errors as {
        line: number;
        column: string | null;
      }[];
      expect(seen.length).toBe(finished.errors.length);
      expect(seen.every((error) => error.column === null)).toBe(true);
      expect(JSON.stringify(await api.ok(analyst, RUNS_ERRORS))).not.toContain(SECRET_EMAIL);
    });
  },
);
