import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { isUuid } from '@app/common';
import {
  ConsentPurpose,
  ConsentsService,
  consentStateSql,
  ConsentState,
  ConsentStatus,
  ContactLookupService,
  type ImpliedConsentReason,
  type LegalBasis,
  type Normalized,
  normalizeEmail,
  normalizePhone,
} from '@app/contacts';
import { domainError, REVEAL_CONSENT_SOURCE, TenantDb, type Tx } from '@app/database';
import {
  JobHandler,
  type JobHandlerContract,
  JobName,
  type JobPayload,
  type JobProgress,
  JobRunsService,
  JobsService,
} from '@app/jobs';
import { PoolRevealStatus } from './pool-reveal.models.js';
import { type RevealRow, REVEAL_COLUMNS } from './pool-reveals.service.js';

export interface CopyRevealParams {
  revealId: string;
}

/** A person an approved reveal copies, as crm_pool_reveal_people gives it: the fields kept, and the grant it cites. */
interface RevealedPerson {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  preferredLanguage: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
  legalBasis: LegalBasis;
  impliedReason: ImpliedConsentReason | null;
  grantedAt: Date;
}

/** A contact of the requester the reveal names: held before it (matched) or created by it, and the grant it cites. */
interface Revealed {
  contactId: string;
  matched: boolean;
  person: RevealedPerson;
}

const PEOPLE = `first_name AS "firstName", last_name AS "lastName", email, phone,
  preferred_language AS "preferredLanguage", city, region, postal_code AS "postalCode", country,
  legal_basis AS "legalBasis", implied_reason AS "impliedReason", granted_at AS "grantedAt"`;

/** People matched and created per round trip. */
const BATCH = 2_000;

/**
 * Copies an approved reveal into the requester's contacts (the run is the requester's: its tenant, its claim). One
 * transaction, first locking the run (a second delivery waits, then returns the outcome saved) and the reveal
 * (crm_pool_reveal_copy_begin: a second copy of it waits, then finds it COPIED): a crash anywhere leaves nothing, and
 * the retry does the same work once. The people come from crm_pool_reveal_people (PARTNER_SHARING granted at the
 * publisher now, nobody else); each is matched to a contact the requester holds by normalized email, then E.164
 * phone, else created (ContactLookupService: the contacts' own normalizers, triggers and search tokens); each gets
 * its provenance and a PARTNER_SHARING consent record citing the reveal, unless the requester holds a withdrawal of it.
 */
@Injectable()
@JobHandler(JobName.COPY_REVEAL)
export class CopyRevealJob implements JobHandlerContract<CopyRevealParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly runs: JobRunsService,
    private readonly jobs: JobsService,
    private readonly contacts: ContactLookupService,
    private readonly consents: ConsentsService,
  ) {}

  async run(
    { jobRunId, params, userId }: JobPayload<CopyRevealParams>,
    progress: JobProgress,
  ): Promise<Record<string, number>> {
    const revealId = params?.revealId;
    if (!isUuid(revealId)) throw new UnrecoverableError('The run names no reveal');
    const saved = await this.runs.savedOutcome(jobRunId);
    if (saved) return saved;
    const outcome = await this.db
      .transaction(async (tx) => {
        const done = await this.runs.lockAndCheckOutcome(tx, jobRunId);
        if (done) return { counts: done, copiedAt: null, failure: null };
        const [{ status }] = await tx.query<{ status: PoolRevealStatus }>(
          'SELECT crm_pool_reveal_copy_begin($1) AS status',
          [revealId],
        );
        const [reveal] = await tx.query<RevealRow>(`SELECT ${REVEAL_COLUMNS} FROM crm_pool_reveals(NULL, $1)`, [
          revealId,
        ]);
        // the FAILED mark is committed, then the run fails with its reason (nothing to retry)
        if (status === PoolRevealStatus.FAILED) return { counts: {}, copiedAt: null, failure: reveal.failure };
        if (status !== PoolRevealStatus.APPROVED) {
          const counts = { skipped: 1 };
          await this.runs.saveOutcome(tx, jobRunId, counts, []);
          return { counts, copiedAt: null, failure: null };
        }
        const people = await tx.query<RevealedPerson>(`SELECT ${PEOPLE} FROM crm_pool_reveal_people($1)`, [revealId]);
        const [{ now }] = await tx.query<{ now: Date }>('SELECT now()');
        const counts = await this.copy(tx, reveal, people, now, progress);
        await tx.query('SELECT crm_pool_reveal_copied($1, $2, $3, $4, $5)', [
          revealId,
          counts.people,
          counts.matched,
          counts.created,
          userId,
        ]);
        await this.runs.saveOutcome(tx, jobRunId, counts, []);
        return { counts, copiedAt: now, failure: null };
      })
      .catch((error: unknown) => {
        // the pools' functions refuse for good (the requester left the pool, the reveal is not its own): no retry
        const refused = domainError(error);
        throw refused ? new UnrecoverableError(`The reveal cannot be copied: ${refused.message}`) : error;
      });
    if (outcome.failure !== null) throw new UnrecoverableError(`The reveal cannot be copied: ${outcome.failure}`);
    // the contacts it created carry the transaction's time: look for their duplicates, as after an import
    if (outcome.copiedAt && outcome.counts.created > 0) {
      const dedup = await this.jobs.startFollowUp(JobName.DEDUP_CONTACTS, {
        scope: 'CHANGED_SINCE',
        since: outcome.copiedAt.toISOString(),
        autoMerge: false,
      });
      return { ...outcome.counts, dedupRunQueued: dedup ? 1 : 0 };
    }
    return outcome.counts;
  }

  private async copy(
    tx: Tx,
    reveal: RevealRow,
    people: RevealedPerson[],
    now: Date,
    progress: JobProgress,
  ): Promise<Record<'people' | 'matched' | 'created' | 'consents' | 'withdrawnHere', number>> {
    const revealed = new Map<string, Revealed>();
    const createdHere = new Set<string>();
    let matched = 0;
    for (let start = 0; start < people.length; start += BATCH) {
      const batch = people.slice(start, start + BATCH);
      matched += await this.matchOrCreate(tx, batch, revealed, createdHere);
      await progress.report(Math.min(start + BATCH, people.length), people.length, {
        matched,
        created: createdHere.size,
      });
    }
    const contacts = [...revealed.values()];
    // a withdrawal recorded here wins: the reveal never turns it into a consent (as a merge never does)
    const withdrawnHere = new Set(
      (
        await tx.query<{ id: string }>(
          `SELECT c.id FROM contacts c WHERE c.id = ANY($1::uuid[])
              AND ${consentStateSql("'PARTNER_SHARING'")} = '${ConsentState.WITHDRAWN}'`,
          [contacts.filter((c) => c.matched).map((c) => c.contactId)],
        )
      ).map((row) => row.id),
    );
    const consenting = contacts.filter((c) => !withdrawnHere.has(c.contactId));
    const consentIds = await this.consents.recordMany(
      tx,
      consenting.map(({ contactId, person }) => ({
        contactId,
        input: {
          purpose: ConsentPurpose.PARTNER_SHARING,
          status: ConsentStatus.GRANTED,
          legalBasis: person.legalBasis,
          impliedReason: person.impliedReason,
          // as the publisher recorded it: an implied grant lapses when the publisher's does
          occurredAt: person.grantedAt,
          source: `${REVEAL_CONSENT_SOURCE}${reveal.publisherName}`.slice(0, 200),
          proof: proofOf(reveal, person, now),
        },
      })),
      'reveal',
    );
    const consentOf = new Map(consenting.map((c, i) => [c.contactId, consentIds[i]]));
    for (let start = 0; start < contacts.length; start += BATCH) {
      await tx.execute(
        `INSERT INTO contact_provenance (org_id, contact_id, reveal_id, pool_id, pool_name, shared_segment_id,
                                         segment_name, publisher_name, purpose, matched, consent_id, revealed_at)
         SELECT crm_current_org(), r."contactId", $2, $3, $4, $5, $6, $7, $8, r.matched, r."consentId", $9
           FROM jsonb_to_recordset($1::jsonb) AS r("contactId" uuid, matched boolean, "consentId" uuid)`,
        [
          JSON.stringify(
            contacts.slice(start, start + BATCH).map((c) => ({
              contactId: c.contactId,
              matched: c.matched,
              consentId: consentOf.get(c.contactId) ?? null,
            })),
          ),
          reveal.id,
          reveal.poolId,
          reveal.poolName,
          reveal.sharedSegmentId,
          reveal.segmentName,
          reveal.publisherName,
          reveal.purpose,
          now,
        ],
      );
    }
    return {
      people: people.length,
      matched,
      created: createdHere.size,
      consents: consentIds.length,
      withdrawnHere: withdrawnHere.size,
    };
  }

  /**
   * Finds each person's contact among the requester's (by email, then phone: as stored, normalized by the same code
   * on both sides) or creates it; people of one batch sharing an email or a phone become one contact. Returns how many
   * of the batch's people matched a contact held before the copy.
   */
  private async matchOrCreate(
    tx: Tx,
    batch: RevealedPerson[],
    revealed: Map<string, Revealed>,
    createdHere: Set<string>,
  ): Promise<number> {
    const points = batch.map((p) => ({
      email: normalized(normalizeEmail(p.email)),
      phone: normalized(normalizePhone(p.phone)),
    }));
    const held = await this.contacts.byContactPoints(
      tx,
      points.flatMap((p) => (p.email ? [p.email] : [])),
      points.flatMap((p) => (p.phone ? [p.phone] : [])),
    );
    const contactOf: (string | null)[] = points.map(
      (p) => (p.email && held.byEmail.get(p.email)) || (p.phone && held.byPhone.get(p.phone)) || null,
    );
    // the others: one new contact per group of people sharing an email or a phone
    const toCreate: RevealedPerson[] = [];
    const groupOf: number[] = [];
    const groupByPoint = new Map<string, number>();
    batch.forEach((person, i) => {
      if (contactOf[i]) return;
      const keys = [points[i].email && `e${points[i].email}`, points[i].phone && `p${points[i].phone}`].filter(
        (k): k is string => !!k,
      );
      let group = keys.map((k) => groupByPoint.get(k)).find((g) => g !== undefined);
      if (group === undefined) {
        group = toCreate.length;
        toCreate.push(person);
      }
      for (const key of keys) groupByPoint.set(key, group);
      groupOf[i] = group;
    });
    const ids = await this.contacts.createPeople(
      tx,
      toCreate.map((p) => ({
        firstName: p.firstName,
        lastName: p.lastName,
        email: p.email,
        phone: p.phone,
        preferredLanguage: p.preferredLanguage,
        city: p.city,
        region: p.region,
        postalCode: p.postalCode,
        country: p.country,
      })),
    );
    for (const id of ids) createdHere.add(id);
    let matched = 0;
    batch.forEach((person, i) => {
      const contactId = contactOf[i] ?? ids[groupOf[i]];
      const before = !createdHere.has(contactId);
      if (before) matched++;
      if (!revealed.has(contactId)) revealed.set(contactId, { contactId, matched: before, person });
    });
    return matched;
  }
}

function normalized(result: Normalized): string | null {
  return result.ok ? result.value : null;
}

/** What the consent record says of where it comes from: the reveal, and the grant at the publisher it rests on. */
function proofOf(reveal: RevealRow, person: RevealedPerson, now: Date): string {
  const basis = person.impliedReason ? `${person.legalBasis} ${person.impliedReason}` : person.legalBasis;
  return (
    `Pool reveal ${reveal.id}: shared segment "${reveal.segmentName}" (${reveal.sharedSegmentId}) of ` +
    `${reveal.publisherName} in pool "${reveal.poolName}" (${reveal.poolId}), for ${reveal.purpose}, ` +
    `${reveal.autoApproved ? 'approved automatically' : 'approved'} ${reveal.decidedAt?.toISOString() ?? ''}, ` +
    `copied ${now.toISOString()}. PARTNER_SHARING granted at ${reveal.publisherName} (${basis}) on ` +
    `${person.grantedAt.toISOString()}.`
  ).slice(0, 4000);
}
