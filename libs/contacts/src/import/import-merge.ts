import { TenantContexts, type Tx } from '@app/database';
import type { ContactDuplicates } from '../contacts/contact-duplicates.js';
import { impliedConsentExpiry } from '../consent/consent-state.util.js';
import { ConsentStatus } from '../consent/consent.types.js';
import { type ImportContactsParams, ImportStrategy } from './import-options.js';
import { STAGED_COLUMNS } from './import-rows.js';
import { foldSql } from '../contacts/search-terms.util.js';

/** What the staging step learned, to skip the statements that have nothing to do. */
export interface StagedFacts {
  goodRows: number;
  /** Good rows identified by each kind of key. */
  byKind: Record<'x' | 'e' | 'i', number>;
  /** Some good row has an external id / tags of its own. */
  externalIds: boolean;
  rowTags: boolean;
}

export interface MergeCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  repeated: number;
  externalIdConflicts: number;
  tagLinks: number;
  consentsRecorded: number;
}

const COLUMNS = STAGED_COLUMNS.map(({ column }) => column);
/** What identifies a person with neither external id nor email; `sort_name` is the same expression on contacts. */
const IDENTITY_TAIL = (a: string) =>
  `'|' || coalesce(${a}.phone, '') || '|' || coalesce(${a}.postal_code, '') || '|' || coalesce(${a}.birth_date::text, '')`;

/**
 * Moves the staged rows (import_rows) into the organization's contacts with
 * set-based statements, in the import's transaction:
 * 1. rows with the same key (external id, email or identity) are one person:
 *    the latest non-blank value of each field wins (file order);
 * 2. each person is matched to an existing contact by that key;
 * 3. new people are inserted; matched ones are updated (upserts: a blank never
 *    erases, only changed contacts get a new updated_at) or left alone (CREATE_ONLY);
 * 4. external ids, tags and the consent given with the import are added.
 */
export async function mergeStagedRows(tx: Tx, params: ImportContactsParams, facts: StagedFacts): Promise<MergeCounts> {
  const skipExisting = params.strategy === ImportStrategy.CREATE_ONLY;
  if (params.strategy === ImportStrategy.CREATE_ALL) {
    // one person per row, matched to no one: the keys below find nothing to match
    await tx.execute(`UPDATE import_rows SET key = 'r:' || line, match = 'r' WHERE error IS NULL`);
    facts = { ...facts, byKind: { x: 0, e: 0, i: 0 } };
  } else if (facts.byKind.i > 0) {
    await tx.execute(
      `UPDATE import_rows r SET key = 'i:' || ${foldSql("coalesce(r.last_name, '') || ' ' || coalesce(r.first_name, '')")} || ${IDENTITY_TAIL('r')}
        WHERE r.match = 'i' AND r.error IS NULL`,
    );
  }
  await tx.execute(`
    CREATE TEMP TABLE import_contacts ON COMMIT DROP AS
    SELECT DISTINCT ON (key) key, match, line, ext_id, ${COLUMNS.join(', ')}, attributes, entered,
           count(*) OVER (PARTITION BY key)::int AS rows, NULL::uuid AS existing_id, crm_uuidv7() AS new_id
      FROM import_rows WHERE error IS NULL ORDER BY key, line DESC`);
  const [{ people, repeatedKeys }] = await tx.query<{ people: number; repeatedKeys: number }>(
    `SELECT count(*)::int AS people, count(*) FILTER (WHERE rows > 1)::int AS "repeatedKeys" FROM import_contacts`,
  );
  if (repeatedKeys > 0) await fillFromEarlierRows(tx);

  // match each person to an existing contact by its key
  if (facts.byKind.x > 0) {
    await tx.execute(
      `UPDATE import_contacts t SET existing_id = x.contact_id FROM contact_external_ids x
        WHERE t.match = 'x' AND x.source = $1 AND x.external_id = t.ext_id`,
      [params.source],
    );
  }
  if (facts.byKind.e > 0) {
    await tx.execute(`
      UPDATE import_contacts t SET existing_id = c.id
        FROM (SELECT DISTINCT ON (email) email, id FROM contacts WHERE email IS NOT NULL ORDER BY email, created_at, id) c
       WHERE t.match = 'e' AND c.email = t.email`);
  }
  if (facts.byKind.i > 0) {
    await tx.execute(`
      UPDATE import_contacts t SET existing_id = c.id
        FROM (SELECT DISTINCT ON (identity) identity, id
                FROM (SELECT 'i:' || sort_name || ${IDENTITY_TAIL('contacts')} AS identity, id, created_at FROM contacts WHERE email IS NULL) k
               ORDER BY identity, created_at, id) c
       WHERE t.match = 'i' AND c.identity = t.key`);
  }

  const created = await tx.execute(`
    INSERT INTO contacts (org_id, id, ${COLUMNS.join(', ')}, attributes, entered)
    SELECT (SELECT crm_current_org()), new_id, ${COLUMNS.join(', ')}, attributes, entered FROM import_contacts WHERE existing_id IS NULL`);
  const matched = people - created;
  const updated = skipExisting || matched === 0 ? 0 : await updateMatched(tx);

  const externalIdConflicts = facts.externalIds ? await addExternalIds(tx, params, skipExisting) : 0;
  const tagLinks =
    params.tags.length > 0 || facts.rowTags ? await addTags(tx, params.tags, facts.rowTags, skipExisting) : 0;
  const consentsRecorded = params.consent ? await recordConsent(tx, params, skipExisting) : 0;
  return {
    created,
    updated,
    unchanged: skipExisting ? 0 : matched - updated,
    skipped: skipExisting ? matched : 0,
    repeated: facts.goodRows - people,
    externalIdConflicts,
    tagLinks,
    consentsRecorded,
  };
}

/**
 * For a key on several rows, each blank field of the last row takes the latest non-blank value (and its entered text);
 * a field blank on every row keeps the latest value typed that was not valid (invalidFields=CLEAR), if any.
 */
async function fillFromEarlierRows(tx: Tx): Promise<void> {
  const latest = (expression: string, filter: string) =>
    `(array_agg(${expression} ORDER BY line DESC) FILTER (WHERE ${filter}))[1]`;
  const entered = STAGED_COLUMNS.filter((c) => c.entered).map(
    ({ column, entered }) =>
      `'${entered}', CASE WHEN count(${column}) > 0 THEN ${latest(`entered -> '${entered}'`, `${column} IS NOT NULL`)}
                     ELSE ${latest(`entered -> '${entered}'`, `entered ? '${entered}'`)} END`,
  );
  await tx.execute(`
    UPDATE import_contacts t SET ${COLUMNS.map((column) => `${column} = d.${column}`).join(', ')},
           ext_id = d.ext_id, attributes = d.attributes, entered = d.entered
      FROM (SELECT key, ${COLUMNS.map((column) => `${latest(column, `${column} IS NOT NULL`)} AS ${column}`).join(', ')},
                   ${latest('ext_id', 'ext_id IS NOT NULL')} AS ext_id,
                   crm_jsonb_merge(attributes ORDER BY line) AS attributes,
                   jsonb_strip_nulls(jsonb_build_object(${entered.join(', ')})) AS entered
              FROM import_rows
             WHERE error IS NULL AND key IN (SELECT key FROM import_contacts WHERE rows > 1)
             GROUP BY key) d
     WHERE t.key = d.key`);
}

/** Upserts: non-blank values replace, blanks keep; only contacts that change are written. */
async function updateMatched(tx: Tx): Promise<number> {
  const merged = COLUMNS.map((column) => `coalesce(m.${column}, c.${column})`);
  const keys = (when: (column: string) => string) =>
    `array_remove(ARRAY[${STAGED_COLUMNS.filter((c) => c.entered)
      .map(({ column, entered }) => `CASE WHEN ${when(column)} THEN '${entered}' END`)
      .join(', ')}], NULL)`;
  // an entered text describes the value it was normalized into: a new value drops the old one; a value typed that
  // was not valid (the field left empty) is kept only where the contact has no value for the field either
  const replaced = keys((column) => `m.${column} IS NOT NULL`);
  const notApplying = keys((column) => `m.${column} IS NULL AND c.${column} IS NOT NULL`);
  const entered = `(c.entered - ${replaced}) || (m.entered - ${notApplying})`;
  return tx.execute(`
    UPDATE contacts c SET ${COLUMNS.map((column, i) => `${column} = ${merged[i]}`).join(', ')},
           attributes = c.attributes || m.attributes, entered = ${entered}, updated_at = now()
      FROM import_contacts m
     WHERE c.id = m.existing_id
       AND (ROW(${merged.join(', ')}) IS DISTINCT FROM ROW(${COLUMNS.map((column) => `c.${column}`).join(', ')})
            OR c.attributes || m.attributes <> c.attributes OR ${entered} <> c.entered)`);
}

/** External ids from the file; one already held by another contact stays there and is counted as a conflict. */
async function addExternalIds(tx: Tx, params: ImportContactsParams, skipExisting: boolean): Promise<number> {
  // under UPSERT_BY_EMAIL the rows of one person may carry several external ids
  const candidates =
    params.strategy === ImportStrategy.UPSERT_BY_EMAIL
      ? `SELECT DISTINCT ON (r.ext_id) r.ext_id, coalesce(m.existing_id, m.new_id) AS contact_id
           FROM import_rows r JOIN import_contacts m ON m.key = r.key
          WHERE r.error IS NULL AND r.ext_id IS NOT NULL ORDER BY r.ext_id, r.line DESC`
      : `SELECT ext_id, coalesce(existing_id, new_id) AS contact_id FROM import_contacts
          WHERE ext_id IS NOT NULL ${skipExisting ? 'AND existing_id IS NULL' : ''}`;
  const [{ conflicts }] = await tx.query<{ conflicts: number }>(
    `WITH candidates AS (${candidates}),
          inserted AS (INSERT INTO contact_external_ids (org_id, source, external_id, contact_id)
                       SELECT (SELECT crm_current_org()), $1, ext_id, contact_id FROM candidates ON CONFLICT DO NOTHING RETURNING 1)
     SELECT (SELECT count(*) FROM candidates k JOIN contact_external_ids x ON x.source = $1 AND x.external_id = k.ext_id
              WHERE x.contact_id <> k.contact_id)::int AS conflicts,
            (SELECT count(*) FROM inserted)::int AS inserted`,
    [params.source],
  );
  return conflicts;
}

/** The import's tags on every imported person, and each row's own tags on its person. */
async function addTags(tx: Tx, optionTags: string[], rowTags: boolean, skipExisting: boolean): Promise<number> {
  const names = `SELECT unnest($1::text[]) AS name ${rowTags ? 'UNION SELECT unnest(tags) FROM import_rows WHERE error IS NULL' : ''}`;
  await tx.execute(
    `INSERT INTO tags (org_id, name) SELECT (SELECT crm_current_org()), name FROM (${names}) n ON CONFLICT (org_id, name) DO NOTHING`,
    [optionTags],
  );
  const skip = skipExisting ? 'AND m.existing_id IS NULL' : '';
  let links = 0;
  if (optionTags.length > 0) {
    links += await tx.execute(
      `INSERT INTO contact_tags (org_id, contact_id, tag_id)
       SELECT (SELECT crm_current_org()), coalesce(m.existing_id, m.new_id), t.id FROM import_contacts m, tags t
        WHERE t.name = ANY($1::citext[]) ${skip} ON CONFLICT DO NOTHING`,
      [optionTags],
    );
  }
  if (rowTags) {
    links += await tx.execute(`
      INSERT INTO contact_tags (org_id, contact_id, tag_id)
      SELECT DISTINCT (SELECT crm_current_org()), coalesce(m.existing_id, m.new_id), t.id
        FROM import_rows r JOIN import_contacts m ON m.key = r.key, unnest(r.tags) AS n(name) JOIN tags t ON t.name = n.name::citext
       WHERE r.error IS NULL AND cardinality(r.tags) > 0 ${skip}
      ON CONFLICT DO NOTHING`);
  }
  return links;
}

/**
 * The consent given with the import, for every imported person. Importing
 * the same file again adds nothing; and an import never grants over a
 * withdrawal: the person withdrew, an old list must not bring them back.
 */
async function recordConsent(tx: Tx, params: ImportContactsParams, skipExisting: boolean): Promise<number> {
  const consent = params.consent!;
  const occurredAt = new Date(consent.occurredAt);
  const expiresAt = consent.impliedReason ? impliedConsentExpiry(consent.impliedReason, occurredAt) : null;
  const granted = consent.status === ConsentStatus.GRANTED;
  return tx.execute(
    `INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, implied_reason, source, occurred_at, expires_at, recorded_by)
     SELECT (SELECT crm_current_org()), coalesce(m.existing_id, m.new_id), p, $2, $3, $4, $5, $6, $7, $8
       FROM import_contacts m, unnest($1::text[]) AS p
      WHERE NOT EXISTS (
              SELECT 1 FROM consents k WHERE k.contact_id = coalesce(m.existing_id, m.new_id) AND k.purpose = p
                 AND (k.status = 'WITHDRAWN' AND ($9 OR k.source = $5) OR k.status = 'GRANTED' AND $9 AND k.source = $5))
            ${skipExisting ? 'AND m.existing_id IS NULL' : ''}`,
    [
      consent.purposes,
      consent.status,
      consent.legalBasis,
      consent.impliedReason,
      consent.source,
      occurredAt,
      expiresAt,
      TenantContexts.current()?.userId ?? null,
      granted,
    ],
  );
}

/** Created contacts are looked at in batches of this many (each batch's ids read from import_contacts). */
const DUPLICATES_BATCH = 5_000;

/**
 * After the merge, in the import's transaction: how many of the contacts it created look like a contact that existed
 * before the import (review threshold). Two new rows that look alike are not counted: the dedup run the import queues
 * finds them. Their match keys are not written here (it would double an import's time): the next dedup run's
 * catch-up writes them, the run the import queues when `dedup` is on. Null when dedup is not part of the application.
 */
export async function countLikelyDuplicates(tx: Tx, duplicates: ContactDuplicates): Promise<number | null> {
  await tx.execute(`DECLARE created_contacts NO SCROLL CURSOR FOR
    SELECT new_id AS id FROM import_contacts WHERE existing_id IS NULL`);
  let likely: number | null = 0;
  for (;;) {
    const batch = await tx.query<{ id: string }>(`FETCH ${DUPLICATES_BATCH} FROM created_contacts`);
    if (batch.length === 0) break;
    const found = await duplicates.likelyDuplicatesOf(
      tx,
      batch.map((row) => row.id),
    );
    likely = found && likely !== null ? likely + found.size : null;
  }
  await tx.execute('CLOSE created_contacts');
  return likely;
}
