import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { Role } from '@app/tenancy';
import { describeOnQueueBackends } from './support/queue-backends.js';
import { errorOf, POOL_GQL, poolOrganization, type PoolOrg as Org } from './support/pools.js';
import { TestApi } from './support/test-app.js';
import { until } from './support/wait.js';

const REVEAL_FIELDS = `id poolId poolName sharedSegmentId segmentName publisherName requesterName purpose status
  isRequester isPublisher requestedBy autoApproved decidedBy refusalReason failure copiedAt copyJobRunId people matched created`;
const RECORD_CONSENT = `mutation($id: ID!, $input: ConsentInput!) { recordConsent(contactId: $id, input: $input) { id } }`;
const ADD = `mutation($id: ID!, $ids: [ID!]!) { addAudienceMembers(id: $id, target: { ids: $ids }) { size } }`;
const SHARE = `mutation($input: ShareAudienceInput!) { shareAudience(input: $input) { id } }`;
const CATALOGUE = `query($id: ID!) { pool(id: $id) { sharedSegments { id isMine autoApprove } } }`;
const REQUEST = `mutation($id: ID!, $purpose: PoolPurpose!) { requestReveal(sharedSegmentId: $id, purpose: $purpose) { ${REVEAL_FIELDS} } }`;
const APPROVE = `mutation($id: ID!) { approveReveal(id: $id) { ${REVEAL_FIELDS} } }`;
const REFUSE = `mutation($id: ID!, $reason: String) { refuseReveal(id: $id, reason: $reason) { ${REVEAL_FIELDS} } }`;
const COPY = `mutation($id: ID!) { copyReveal(id: $id) { ${REVEAL_FIELDS} } }`;
const AUTO = `mutation($id: ID!, $on: Boolean!) { setSharedSegmentAutoApprove(id: $id, autoApprove: $on) { id autoApprove } }`;
const REVEALS = `query($poolId: ID!) { poolReveals(poolId: $poolId) { ${REVEAL_FIELDS} } }`;
const CONTACTS = `{ contacts(first: 100) { totalCount edges { node {
  id firstName lastName email phone addressLine1 birthDate city postalCode
  consents { purpose state }
  consentHistory(purpose: PARTNER_SHARING) { id status legalBasis impliedReason source proof occurredAt }
  provenance { id revealId poolId poolName sharedSegmentId segmentName publisherName purpose matched consentId revealedAt }
} } } }`;

const { CREATE_POOL, INVITE, ACCEPT, CREATE_CONTACT, CREATE_AUDIENCE } = POOL_GQL;
const grant = (legalBasis = 'EXPRESS', impliedReason: string | null = null) => ({
  purpose: 'PARTNER_SHARING',
  status: 'GRANTED',
  legalBasis,
  impliedReason,
  source: 'billetterie',
});

/**
 * Reveals over GraphQL with real jobs (issue 15, "reveal with consent"): two organizations in a pool; the publisher
 * shares an audience where some people granted PARTNER_SHARING, one withdrew it, one never said; the requester holds
 * two of the granted people already (same email in another case, same phone typed otherwise) and the one who withdrew.
 * Request, approve, the requester's job copies: exactly the granted people, the held ones matched (not duplicated),
 * each with provenance and a consent record citing the reveal; nobody else. Then auto-approval, with a copy that
 * crashes once and is retried: the same state as one clean run.
 */
describeOnQueueBackends(
  (backend) => `pool reveals (GraphQL, real jobs on ${backend})`,
  (env, backend) => {
    let api: TestApi;
    let db: pg.Client;
    let pub: Org;
    let req: Org;
    let pool: string;
    let segment: string;
    let reqEditor: string;
    let reqViewer: string;
    let pubEditor: string;
    let unknownId: string;

    const contact = async (org: Org, input: Record<string, unknown>) =>
      (await api.ok<any>(org.owner, CREATE_CONTACT, { input })).createContact.id as string;
    const contactsOf = async (org: Org) =>
      (await api.ok<any>(org.owner, CONTACTS)).contacts.edges.map((e: any) => e.node) as any[];
    const reveals = async (token: string) => (await api.ok<any>(token, REVEALS, { poolId: pool })).poolReveals as any[];
    const revealOf = async (token: string, id: string) => (await reveals(token)).find((r) => r.id === id);
    const ledger = async () =>
      (
        await db.query(
          `SELECT action, actor_org_id AS actor, outcome FROM pool_ledger
            WHERE pool_id = $1 AND action LIKE 'REVEAL%' ORDER BY seq`,
          [pool],
        )
      ).rows;

    beforeAll(async () => {
      api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true' });
      db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await db.connect();
      const make = (name: string) => poolOrganization(api, name);
      pub = await make(`Théâtre du Lac ${backend}`);
      req = await make(`Salle Desjardins ${backend}`);
      reqEditor = await api.memberKey(req.id, Role.EDITOR);
      reqViewer = await api.memberKey(req.id, Role.VIEWER);
      pubEditor = await api.memberKey(pub.id, Role.EDITOR);
      pool = (
        await api.ok<any>(pub.owner, CREATE_POOL, {
          input: { name: "Réseau de l'Est", purposes: ['CROSS_PROMOTION'], minGroupSize: 5 },
        })
      ).createPool.id;
      await api.ok(pub.owner, INVITE, { poolId: pool, organizationId: req.id });
      await api.ok(req.owner, ACCEPT, { poolId: pool });

      const ids = [
        await contact(pub, {
          firstName: 'Hélène',
          lastName: 'Côté',
          email: 'helene.cote@example.org',
          city: 'Montréal',
          postalCode: 'h2x1y4',
          addressLine1: '12 rue Privée',
          birthDate: '1980-01-02',
          consents: [grant()],
        }),
        await contact(pub, {
          firstName: 'Jean',
          lastName: 'Tremblay',
          email: 'jean.tremblay@example.org',
          preferredLanguage: 'FR',
          consents: [grant('IMPLIED', 'PURCHASE')],
        }),
        await contact(pub, { firstName: 'Marie', lastName: 'Lavoie', phone: '(418) 641-6040', consents: [grant()] }),
        await contact(pub, { firstName: 'Paul', lastName: 'Retiré', email: 'paul@example.org', consents: [grant()] }),
        await contact(pub, { firstName: 'Inès', lastName: 'Inconnue', email: 'ines@example.org' }),
      ];
      unknownId = ids[4];
      await api.ok(pub.owner, RECORD_CONSENT, {
        id: ids[3],
        input: { purpose: 'PARTNER_SHARING', status: 'WITHDRAWN', source: 'courriel' },
      });
      const audience = (await api.ok<any>(pub.owner, CREATE_AUDIENCE, { input: { name: 'Abonnés', kind: 'STATIC' } }))
        .createAudience.id;
      await api.ok(pub.owner, ADD, { id: audience, ids });
      segment = (
        await api.ok<any>(pub.owner, SHARE, {
          input: { audienceId: audience, poolId: pool, purpose: 'CROSS_PROMOTION' },
        })
      ).shareAudience.id;

      // the requester holds Hélène (another case, no accents), Marie (her phone typed otherwise) and Paul
      await contact(req, { firstName: 'HELENE', lastName: 'COTE', email: 'Helene.Cote@EXAMPLE.org' });
      await contact(req, { firstName: 'M.', lastName: 'Lavoie', phone: '418-641-6040' });
      await contact(req, { firstName: 'Paul', lastName: 'R.', email: 'paul@example.org' });
    });
    afterAll(async () => {
      await db.end();
      await api.close();
    });

    it('refuses the wrong roles and the wrong organization', async () => {
      expect(errorOf(await api.gql(reqViewer, REQUEST, { id: segment, purpose: 'CROSS_PROMOTION' }))).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(errorOf(await api.gql(pub.owner, REQUEST, { id: segment, purpose: 'CROSS_PROMOTION' }))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'sharedSegmentId',
      });
      expect(errorOf(await api.gql(reqEditor, REQUEST, { id: segment, purpose: 'JOINT_CAMPAIGN' }))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'purpose',
      });
      const outsider = await api.createOrganization('Festival des Neiges');
      expect(errorOf(await api.gql(outsider.token, REQUEST, { id: segment, purpose: 'CROSS_PROMOTION' }))).toEqual({
        code: 'NOT_FOUND',
        field: 'sharedSegmentId',
      });
      expect(errorOf(await api.gql(outsider.token, REVEALS, { poolId: pool }))).toEqual({
        code: 'NOT_FOUND',
        field: 'poolId',
      });
    });

    it('request, approve: the job copies exactly the granted people, matched where held, with provenance and consent', async () => {
      const asked = (await api.ok<any>(reqEditor, REQUEST, { id: segment, purpose: 'CROSS_PROMOTION' })).requestReveal;
      expect(asked).toMatchObject({
        status: 'REQUESTED',
        isRequester: true,
        isPublisher: false,
        publisherName: pub.name,
        requesterName: req.name,
        segmentName: 'Abonnés',
        purpose: 'CROSS_PROMOTION',
        requestedBy: expect.any(String),
        copyJobRunId: null,
      });
      // the publisher sees it (not who asked); an EDITOR of the publisher, or the requester, cannot approve it
      expect(await revealOf(pub.owner, asked.id)).toMatchObject({
        status: 'REQUESTED',
        isPublisher: true,
        requestedBy: null,
      });
      expect(errorOf(await api.gql(pubEditor, APPROVE, { id: asked.id }))).toMatchObject({ code: 'FORBIDDEN' });
      expect(errorOf(await api.gql(req.owner, APPROVE, { id: asked.id }))).toMatchObject({ code: 'FORBIDDEN' });

      const approved = (await api.ok<any>(pub.owner, APPROVE, { id: asked.id })).approveReveal;
      expect(approved).toMatchObject({ status: 'APPROVED', decidedBy: expect.any(String), copyJobRunId: null });
      const run = await until('the copy job run', async () => (await revealOf(req.owner, asked.id)).copyJobRunId);
      const finished = await api.finishedRun(req.owner, run);
      expect(finished).toMatchObject({
        kind: 'COPY_REVEAL',
        status: 'SUCCEEDED',
        // the approval started it in the requester's tenant, as the system
        createdBy: null,
        counts: expect.objectContaining({ people: 3, matched: 2, created: 1, consents: 3, withdrawnHere: 0 }),
      });
      const copied = await until('the reveal copied', async () => {
        const r = await revealOf(req.owner, asked.id);
        return r.status === 'COPIED' && r;
      });
      expect(copied).toMatchObject({ people: 3, matched: 2, created: 1, copiedAt: expect.any(String) });
      // the publisher reads how many crossed, not how many the requester held
      expect(await revealOf(pub.owner, asked.id)).toMatchObject({
        status: 'COPIED',
        people: 3,
        matched: null,
        created: null,
        copyJobRunId: null,
      });

      const contacts = await contactsOf(req);
      expect(contacts).toHaveLength(4);
      const byEmail = (email: string) => contacts.filter((c) => c.email === email);
      const revealed = contacts.filter((c) => c.provenance.length > 0);
      expect(revealed.map((c) => c.email ?? c.phone).sort()).toEqual([
        '+14186416040',
        'helene.cote@example.org',
        'jean.tremblay@example.org',
      ]);
      // Hélène matched, not duplicated, her name as the requester had it
      const [helene] = byEmail('helene.cote@example.org');
      expect(byEmail('helene.cote@example.org')).toHaveLength(1);
      expect(helene).toMatchObject({ firstName: 'HELENE', lastName: 'COTE', city: null });
      expect(helene.provenance).toEqual([
        {
          id: expect.any(String),
          revealId: asked.id,
          poolId: pool,
          poolName: "Réseau de l'Est",
          sharedSegmentId: segment,
          segmentName: 'Abonnés',
          publisherName: pub.name,
          purpose: 'CROSS_PROMOTION',
          matched: true,
          consentId: helene.consentHistory[0].id,
          revealedAt: expect.any(String),
        },
      ]);
      expect(helene.consents).toContainEqual({ purpose: 'PARTNER_SHARING', state: 'GRANTED' });
      expect(helene.consentHistory).toEqual([
        expect.objectContaining({
          status: 'GRANTED',
          legalBasis: 'EXPRESS',
          source: `pool reveal: ${pub.name}`,
          proof: expect.stringContaining(`Pool reveal ${asked.id}`),
        }),
      ]);
      // Jean created with the fields a copy keeps, his implied grant as the publisher recorded it
      const [jean] = byEmail('jean.tremblay@example.org');
      expect(jean).toMatchObject({ firstName: 'Jean', lastName: 'Tremblay', addressLine1: null, birthDate: null });
      expect(jean.provenance).toEqual([expect.objectContaining({ matched: false, revealId: asked.id })]);
      expect(jean.consentHistory).toEqual([
        expect.objectContaining({ status: 'GRANTED', legalBasis: 'IMPLIED', impliedReason: 'PURCHASE' }),
      ]);
      // Marie matched by phone
      const marie = contacts.find((c) => c.phone === '+14186416040');
      expect(marie).toMatchObject({ firstName: 'M.', provenance: [expect.objectContaining({ matched: true })] });
      // Paul withdrew at the publisher, Inès never said: nothing of them crossed (Paul's own record here is untouched)
      const [paul] = byEmail('paul@example.org');
      expect(paul).toMatchObject({ provenance: [], consentHistory: [] });
      expect(byEmail('ines@example.org')).toEqual([]);

      expect(await ledger()).toEqual([
        { action: 'REVEAL_REQUEST', actor: req.id, outcome: {} },
        { action: 'REVEAL_APPROVE', actor: pub.id, outcome: { people: 3 } },
        // the requester's share of the counts under k: suppressed where the publisher reads them
        { action: 'REVEAL_COPY', actor: req.id, outcome: { people: 3, matched: null, created: null } },
      ]);
      // copied: a second copy is a conflict, and changes nothing
      expect(errorOf(await api.gql(reqEditor, COPY, { id: asked.id }))).toEqual({ code: 'CONFLICT', field: 'id' });
    });

    it('a refusal reaches the requester; nothing crosses', async () => {
      const asked = (await api.ok<any>(reqEditor, REQUEST, { id: segment, purpose: 'CROSS_PROMOTION' })).requestReveal;
      const refused = (await api.ok<any>(pub.owner, REFUSE, { id: asked.id, reason: 'Pas cette saison' })).refuseReveal;
      expect(refused).toMatchObject({ status: 'REFUSED', refusalReason: 'Pas cette saison' });
      expect(await revealOf(req.owner, asked.id)).toMatchObject({
        status: 'REFUSED',
        refusalReason: 'Pas cette saison',
      });
      expect(errorOf(await api.gql(reqEditor, COPY, { id: asked.id }))).toEqual({ code: 'CONFLICT', field: 'id' });
    });

    it('auto-approve: the copy starts at once; a copy that crashes mid-way is retried and ends as one clean run', async () => {
      expect(errorOf(await api.gql(req.owner, AUTO, { id: segment, on: true }))).toMatchObject({ code: 'NOT_FOUND' });
      expect((await api.ok<any>(pub.owner, AUTO, { id: segment, on: true })).setSharedSegmentAutoApprove).toEqual({
        id: segment,
        autoApprove: true,
      });
      const catalogue = async (org: Org) => (await api.ok<any>(org.owner, CATALOGUE, { id: pool })).pool.sharedSegments;
      expect(await catalogue(req)).toEqual([{ id: segment, isMine: false, autoApprove: null }]);
      // Inès now consents at the publisher
      await api.ok(pub.owner, RECORD_CONSENT, { id: unknownId, input: grant() });

      // the first attempt of the copy fails at its very end (the ledger refuses once), after writing its contacts
      const failOnce = `reveal_fail_once_${backend}`;
      await db.query(`
        CREATE SEQUENCE ${failOnce};
        CREATE FUNCTION ${failOnce}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
          BEGIN
            IF NEW.action = 'REVEAL_COPY' AND nextval('${failOnce}') = 1 THEN
              RAISE EXCEPTION 'simulated crash';
            END IF;
            RETURN NEW;
          END $$;
        CREATE TRIGGER ${failOnce} BEFORE INSERT ON pool_ledger FOR EACH ROW EXECUTE FUNCTION ${failOnce}();
      `);
      try {
        const asked = (await api.ok<any>(reqEditor, REQUEST, { id: segment, purpose: 'CROSS_PROMOTION' }))
          .requestReveal;
        expect(asked).toMatchObject({ status: 'APPROVED', autoApproved: true, copyJobRunId: expect.any(String) });
        const finished = await api.finishedRun(reqEditor, asked.copyJobRunId);
        expect(finished).toMatchObject({
          status: 'SUCCEEDED',
          attempts: 2,
          // the member who asked started it
          createdBy: expect.any(String),
          counts: expect.objectContaining({ people: 4, matched: 3, created: 1, consents: 4 }),
        });
        expect(await revealOf(req.owner, asked.id)).toMatchObject({
          status: 'COPIED',
          people: 4,
          matched: 3,
          created: 1,
        });
      } finally {
        await db.query(
          `DROP TRIGGER ${failOnce} ON pool_ledger; DROP FUNCTION ${failOnce}(); DROP SEQUENCE ${failOnce};`,
        );
      }

      const contacts = await contactsOf(req);
      // one more contact (Inès), and nobody twice
      expect(contacts).toHaveLength(5);
      expect(new Set(contacts.map((c) => c.email ?? c.phone)).size).toBe(5);
      const ines = contacts.find((c) => c.email === 'ines@example.org');
      expect(ines.provenance).toEqual([expect.objectContaining({ matched: false })]);
      expect(ines.consentHistory).toHaveLength(1);
      // each revealed person: one provenance and one consent record per reveal, no more
      const helene = contacts.find((c) => c.email === 'helene.cote@example.org');
      expect(helene.provenance).toHaveLength(2);
      expect(helene.consentHistory).toHaveLength(2);
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM contact_provenance WHERE org_id = $1 GROUP BY reveal_id ORDER BY 1`,
        [req.id],
      );
      expect(rows).toEqual([{ n: 3 }, { n: 4 }]);
      expect((await ledger()).map((row) => row.action)).toEqual([
        'REVEAL_REQUEST',
        'REVEAL_APPROVE',
        'REVEAL_COPY',
        'REVEAL_REQUEST',
        'REVEAL_REFUSE',
        'REVEAL_REQUEST',
        'REVEAL_APPROVE',
        'REVEAL_COPY',
      ]);
    });
  },
);
