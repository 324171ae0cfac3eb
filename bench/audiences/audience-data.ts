/**
 * The data of the audiences benchmark, loaded with COPY as the database owner (a superuser: no row-level security,
 * and the triggers that need a tenant skip). Ingestion is measured by bench:import and bench:engagement; here the
 * data only has to be there, and be what rules select on:
 *
 * - Contacts: the rows of generate-contacts-csv (Quebec names, cities with their accents, postal codes, languages),
 *   normalized as the import stores them (ceiling-rows.ts: region from the postal code, "Français" → fr). The 1% the
 *   import rejects are kept as bare contacts, as the interactions import creates them (createContacts), so every
 *   customer number C0000001... is a contact. Each has its customer number under the source "billetterie".
 * - Tags: the tags of the demo's theatre (abonné, donateur, bénévole, VIP...), none to three a contact, as the demo.
 * - EMAIL_MARKETING consent records, modelled on the demo's: 78% of the contacts with an email granted it, 55% of
 *   them expressly, the others by implication (purchase, membership, donation, inquiry: CASL's expiry applies, so some
 *   have expired); 10% of express consents have a later implied one; 12% were withdrawn later.
 * - Interactions: engagement-data.ts (three seasons, its realistic mix), ending the day before the run, so that rules
 *   in days before now ("in the last 365 days") select the same share of the data whenever the benchmark runs.
 *
 * Ids are UUID v7 as crm_uuidv7 makes them (time first), derived from sequence numbers: deterministic, and interaction
 * ids ascend in load order as they would when recorded over time.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  ConsentPurpose,
  ConsentStatus,
  DEMO_ORGANIZATIONS,
  ImpliedConsentReason,
  impliedConsentExpiry,
  LegalBasis,
} from '@app/contacts';
import { copyNullable } from '@app/database';
import { mix32, mulberry32, Rng } from '@app/fixtures';
import { DEFAULT_SEASONS, generateInteractions } from '../engagement/engagement-data.js';
import { CEILING_COLUMNS, type CeilingRow, ceilingRowCopyText, normalizeGeneratedRow } from '../import/ceiling-rows.js';
import { generateContactRows } from '../import/generate-contacts-csv.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
export const CONTACT_SOURCE = 'billetterie';
/** The seed of the tags and consents (contacts and interactions use their generators' defaults). */
export const EXTRAS_SEED = 20_261_127;
/** The tags of the demo's theatre. */
export const TAG_NAMES: readonly string[] = DEMO_ORGANIZATIONS[0].tags;

// --- Ids and dates -----------------------------------------------------------------------------

/**
 * A UUID version 7 (RFC 9562) for sequence number `seq` (0 to 2^48 − 1), made at `ms`: the time, then 12 + 14 bits
 * mixed from `seq`, then `seq` itself, so that distinct sequence numbers give distinct ids.
 */
export function sequentialUuid(ms: number, seq: number): string {
  const time = Math.floor(ms).toString(16).padStart(12, '0');
  const mixed = mix32(seq);
  const a = (mixed & 0xfff).toString(16).padStart(3, '0');
  const b = (0x8000 | (mixed >>> 18)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${a}-${b}-${seq.toString(16).padStart(12, '0')}`;
}

/**
 * The first day (YYYY-MM-DD) of engagement data whose `seasons` years end at the start of the day before `now`
 * (UTC date): the data stops a day before the run, as an export made the day before.
 */
export function periodStart(now: Date, seasons = DEFAULT_SEASONS): string {
  const yesterday = new Date(now.getTime() - DAY_MS);
  const start = new Date(
    Date.UTC(yesterday.getUTCFullYear() - seasons, yesterday.getUTCMonth(), yesterday.getUTCDate()),
  );
  return start.toISOString().slice(0, 10);
}

/** The customer number's row: "C0000042" → 42. */
export function customerRow(externalId: string): number {
  return Number(externalId.slice(1));
}

// --- Tags and consents ------------------------------------------------------------------------------

export interface ConsentRecord {
  status: ConsentStatus;
  legalBasis: LegalBasis | null;
  impliedReason: ImpliedConsentReason | null;
  source: string;
  occurredAt: Date;
  expiresAt: Date | null;
}

export interface ContactExtras {
  tags: string[];
  consents: ConsentRecord[];
}

const TAG_COUNTS: readonly (readonly [number, number])[] = [
  [0, 30],
  [1, 35],
  [2, 25],
  [3, 10],
];
const IMPLIED_REASONS: readonly (readonly [ImpliedConsentReason, number])[] = [
  [ImpliedConsentReason.PURCHASE, 55],
  [ImpliedConsentReason.MEMBERSHIP, 15],
  [ImpliedConsentReason.DONATION, 15],
  [ImpliedConsentReason.INQUIRY, 15],
];
const IMPLIED_SOURCES: Readonly<Partial<Record<ImpliedConsentReason, readonly string[]>>> = {
  [ImpliedConsentReason.PURCHASE]: ['billetterie', 'achat-en-ligne'],
  [ImpliedConsentReason.DONATION]: ['formulaire-don', 'campagne-annuelle'],
  [ImpliedConsentReason.MEMBERSHIP]: ['comptoir-adhesions', 'renouvellement'],
  [ImpliedConsentReason.INQUIRY]: ['formulaire-contact', 'appel'],
};

/**
 * The tags and EMAIL_MARKETING consent records of one contact, drawn from `rng`; consent instants fall in
 * [startMs, endMs), to the minute, a withdrawal or a later grant after the grant it follows.
 */
export function contactExtras(rng: Rng, hasEmail: boolean, startMs: number, endMs: number): ContactExtras {
  const tags = rng.sample(TAG_NAMES, rng.weighted(TAG_COUNTS));
  const consents: ConsentRecord[] = [];
  const toMinute = (ms: number) => new Date(ms - (ms % MINUTE_MS));
  const instant = () => toMinute(startMs + Math.floor(rng.float() * (endMs - startMs - DAY_MS)));
  const later = (after: Date) =>
    toMinute(
      after.getTime() + MINUTE_MS + Math.floor(rng.float() * Math.max(0, endMs - after.getTime() - 2 * MINUTE_MS)),
    );
  const implied = (reason: ImpliedConsentReason, source: string, occurredAt: Date): ConsentRecord => ({
    status: ConsentStatus.GRANTED,
    legalBasis: LegalBasis.IMPLIED,
    impliedReason: reason,
    source,
    occurredAt,
    expiresAt: impliedConsentExpiry(reason, occurredAt),
  });
  if (hasEmail && rng.chance(0.78)) {
    const at = instant();
    if (rng.chance(0.55)) {
      consents.push({
        status: ConsentStatus.GRANTED,
        legalBasis: LegalBasis.EXPRESS,
        impliedReason: null,
        source: rng.pick(['formulaire-infolettre', 'achat-en-ligne', 'billetterie']),
        occurredAt: at,
        expiresAt: null,
      });
      if (rng.chance(0.1)) consents.push(implied(ImpliedConsentReason.PURCHASE, 'billetterie', later(at)));
    } else {
      const reason = rng.weighted(IMPLIED_REASONS);
      consents.push(implied(reason, rng.pick(IMPLIED_SOURCES[reason]!), at));
    }
    if (rng.chance(0.12)) {
      consents.push({
        status: ConsentStatus.WITHDRAWN,
        legalBasis: null,
        impliedReason: null,
        source: rng.pick(['lien-desabonnement', 'reponse-courriel', 'appel']),
        occurredAt: later(consents.at(-1)!.occurredAt),
        expiresAt: null,
      });
    }
  }
  return { tags, consents };
}

// --- COPY lines -----------------------------------------------------------------------------------

export const CONTACT_COLUMNS = ['id', ...CEILING_COLUMNS];

/** A contact as COPY text; `row` null for a bare contact (known by its customer number only). */
export function contactCopyLine(id: string, orgId: string, row: CeilingRow | null): string {
  if (row === null) return `${id}\t${orgId}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t{}\n`;
  return `${id}\t${orgId}\t${ceilingRowCopyText(row)}\n`;
}

export const CONSENT_COLUMNS = [
  'org_id',
  'contact_id',
  'purpose',
  'status',
  'legal_basis',
  'implied_reason',
  'source',
  'occurred_at',
  'expires_at',
] as const;

/** A consent record as COPY text, in CONSENT_COLUMNS order; EMAIL_MARKETING unless `purpose` says otherwise. */
export function consentCopyLine(
  orgId: string,
  contactId: string,
  record: ConsentRecord,
  purpose: ConsentPurpose = ConsentPurpose.EMAIL_MARKETING,
): string {
  return `${orgId}\t${contactId}\t${purpose}\t${record.status}\t${copyNullable(record.legalBasis)}\t${copyNullable(record.impliedReason)}\t${copyNullable(
    record.source,
  )}\t${record.occurredAt.toISOString()}\t${copyNullable(record.expiresAt?.toISOString() ?? null)}\n`;
}

export const INTERACTION_COLUMNS = [
  'id',
  'org_id',
  'contact_id',
  'type',
  'occurred_at',
  'offering_id',
  'offering_name',
  'discipline',
  'venue',
  'amount_cents',
  'currency',
  'quantity',
  'channel',
  'campaign',
  'source',
  'external_id',
] as const;

// --- Loading ----------------------------------------------------------------------------------------

export interface LoadOptions {
  contacts: number;
  interactions: number;
  /** The run's clock: the data ends the day before. */
  now: Date;
}

export interface LoadResult {
  contacts: number;
  /** Contacts the import would reject, kept with their customer number only. */
  bareContacts: number;
  externalIds: number;
  contactTags: number;
  consents: number;
  interactions: number;
  /** First day of the interactions (YYYY-MM-DD). */
  periodStart: string;
  seconds: number;
}

const CHUNK_CHARS = 1 << 16;

function* chunked(lines: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** One COPY ... FROM STDIN of the lines, streamed with back-pressure; the number of rows. */
export async function copyLines(
  client: pg.Client,
  table: string,
  columns: readonly string[],
  lines: Iterable<string>,
): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunked(lines)), stream);
  return stream.rowCount;
}

/**
 * Loads the contacts, their customer numbers, tags, consents and interactions of `orgId`, as `client`, which must be a
 * superuser (the owner). Contacts go in with their triggers (the search tokens); the other tables with
 * session_replication_role = replica, which skips their foreign-key checks (every row is built for a contact loaded
 * just before) and their triggers (those that need a tenant would skip anyway).
 */
export async function loadAudienceData(
  client: pg.Client,
  orgId: string,
  options: LoadOptions,
  log: (line: string) => void,
): Promise<LoadResult> {
  const started = performance.now();
  const baseMs = options.now.getTime() - DAY_MS; // ids made "yesterday", in load order
  const ids: string[] = new Array<string>(options.contacts);
  const hasEmail = new Uint8Array(options.contacts);
  let bareContacts = 0;
  const contactLines = function* (): Generator<string> {
    for (const generated of generateContactRows({ rows: options.contacts })) {
      const i = generated.row - 1;
      const row = normalizeGeneratedRow(generated);
      if (row === null) bareContacts++;
      ids[i] = sequentialUuid(baseMs + Math.floor(i / 100), i);
      hasEmail[i] = row?.email ? 1 : 0;
      yield contactCopyLine(ids[i], orgId, row);
    }
  };
  let stepStarted = performance.now();
  const done = (what: string, rows: number) => {
    log(
      `  ${what}: ${rows.toLocaleString('en-US')} rows in ${((performance.now() - stepStarted) / 1000).toFixed(1)} s`,
    );
    stepStarted = performance.now();
    return rows;
  };
  const contacts = done('contacts', await copyLines(client, 'contacts', CONTACT_COLUMNS, contactLines()));

  await client.query('SET session_replication_role = replica');
  try {
    const externalIds = done(
      'customer numbers',
      await copyLines(
        client,
        'contact_external_ids',
        ['org_id', 'source', 'external_id', 'contact_id'],
        (function* () {
          for (let i = 0; i < ids.length; i++)
            yield `${orgId}\t${CONTACT_SOURCE}\tC${String(i + 1).padStart(7, '0')}\t${ids[i]}\n`;
        })(),
      ),
    );

    const { rows: tagRows } = await client.query<{ id: string; name: string }>(
      'INSERT INTO tags (org_id, name) SELECT $1, unnest($2::text[]) RETURNING id, name::text AS name',
      [orgId, TAG_NAMES],
    );
    const tagIds = new Map(tagRows.map((tag) => [tag.name, tag.id]));
    const start = periodStart(options.now);
    const [startMs, endMs] = [Date.parse(`${start}T00:00:00Z`), baseMs];
    // the same draws twice: once for the tags, once for the consents
    const extras = function* (): Generator<[string, ContactExtras]> {
      const rng = new Rng(mulberry32(EXTRAS_SEED));
      for (let i = 0; i < ids.length; i++) yield [ids[i], contactExtras(rng, hasEmail[i] === 1, startMs, endMs)];
    };
    const contactTags = done(
      'tag links',
      await copyLines(
        client,
        'contact_tags',
        ['org_id', 'contact_id', 'tag_id'],
        (function* () {
          for (const [id, { tags }] of extras()) for (const tag of tags) yield `${orgId}\t${id}\t${tagIds.get(tag)}\n`;
        })(),
      ),
    );
    const consents = done(
      'consents',
      await copyLines(
        client,
        'consents',
        CONSENT_COLUMNS,
        (function* () {
          for (const [id, { consents: records }] of extras())
            for (const record of records) yield consentCopyLine(orgId, id, record);
        })(),
      ),
    );

    log(`  interactions from ${start}...`);
    let seq = 0;
    const interactions = done(
      'interactions',
      await copyLines(
        client,
        'interactions',
        INTERACTION_COLUMNS,
        (function* () {
          for (const r of generateInteractions({
            contacts: options.contacts,
            interactions: options.interactions,
            start,
          })) {
            const id = sequentialUuid(baseMs + Math.floor(seq / 1000), seq++);
            yield `${id}\t${orgId}\t${ids[customerRow(r.contactExternalId) - 1]}\t${r.type}\t${r.occurredAt}\t${copyNullable(r.offeringId)}\t${copyNullable(
              r.offeringName,
            )}\t${copyNullable(r.discipline)}\t${copyNullable(r.venue)}\t${r.amountCents ?? '\\N'}\t${copyNullable(
              r.currency,
            )}\t${r.quantity ?? '\\N'}\t${copyNullable(r.channel)}\t${copyNullable(r.campaign)}\t${r.source}\t${r.externalId}\n`;
            if (seq % 1_000_000 === 0) log(`    ${seq / 1_000_000} M`);
          }
        })(),
      ),
    );
    await client.query('RESET session_replication_role');
    // loaded without a tenant, so the triggers that keep rollups, activity and consent states skipped it: build them
    done(
      'rollups, activity and consent states',
      (await client.query('SELECT crm_engagement_rebuild($1)', [orgId])).rowCount ?? 0,
    );
    return {
      contacts,
      bareContacts,
      externalIds,
      contactTags,
      consents,
      interactions,
      periodStart: start,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.query('RESET session_replication_role');
  }
}
