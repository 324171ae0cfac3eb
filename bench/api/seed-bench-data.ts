import 'reflect-metadata';
import pg from 'pg';
import { asciiSlug, FRENCH_LAST_NAMES, mulberry32 } from '@app/fixtures';
import {
  type DemoContact,
  type DemoOrganization,
  generateDemoContacts,
  normalizeEmail,
  normalizeName,
  normalizePhone,
  normalizePostalCode,
  quebecRegionFromPostalCode,
} from '@app/contacts';
import { createOwnerKey } from '../support/database.js';

/**
 * Benchmark data, written set-based as the owner role (a superuser: row-level
 * security does not apply). Contacts come from the demo generator (realistic
 * Quebec names, places, emails, phones), normalized the way the API stores them,
 * and are inserted in batches through unnest(); tags and consents are then
 * spread over them with INSERT ... SELECT and random().
 */

/** Organization 1 gets the big list; the others make the tables multi-tenant. */
export const BENCH_CONTACTS_PER_ORG: readonly number[] = [100_000, ...Array<number>(9).fill(10_000)];

/** Ten tags per organization, the first ones the most used. */
export const BENCH_TAGS: readonly string[] = [
  'abonné',
  'donateur',
  'bénévole',
  'jeune public',
  'groupe scolaire',
  'VIP',
  'première',
  'infolettre',
  'membre',
  'ami du théâtre',
];

/** The tag the page scenario filters on (the most common one). */
export const BENCH_COMMON_TAG = BENCH_TAGS[0];

/** Share of each organization's contacts named Tremblay (the search scenario's word): 3 in 200. */
const TREMBLAY_SLOTS = new Set([7, 74, 141]);
const TREMBLAY_PERIOD = 200;
/** The demo's first twelve surnames after Tremblay (the most frequent ones), for the demo generator's extra Tremblays. */
const OTHER_SURNAMES = FRENCH_LAST_NAMES.filter(([name]) => name !== 'Tremblay')
  .slice(0, 12)
  .map(([name]) => name);

const BATCH_SIZE = 5_000;
const DAY_MS = 24 * 3600 * 1000;
const THREE_YEARS_MS = 3 * 365 * DAY_MS;

export interface BenchSeedResult {
  orgIds: string[];
  /** Bearer token of organization 1's owner. */
  token: string;
  contacts: number;
  contactsOrg1: number;
  tremblayOrg1: number;
  commonTagOrg1: number;
  contactTags: number;
  consents: number;
  searchTokens: number;
  databaseSize: string;
  ms: number;
}

export async function seedBenchData(
  ownerUrl: string,
  perOrg: readonly number[] = BENCH_CONTACTS_PER_ORG,
  log: (line: string) => void = () => {},
): Promise<BenchSeedResult> {
  const started = Date.now();
  const client = new pg.Client({ connectionString: ownerUrl, application_name: 'crm-bench-seed' });
  await client.connect();
  try {
    const names = perOrg.map((_, i) => `Diffuseur banc d'essai ${String(i + 1).padStart(2, '0')}`);
    const { rows: orgs } = await client.query<{ id: string }>(
      `INSERT INTO organizations (name) SELECT n FROM unnest($1::text[]) WITH ORDINALITY AS u(n, i) ORDER BY i RETURNING id`,
      [names],
    );
    const orgIds = orgs.map((o) => o.id);

    for (const [i, orgId] of orgIds.entries()) {
      const t0 = Date.now();
      await insertContacts(client, orgId, i + 1, perOrg[i]);
      log(
        `  organization ${i + 1}: ${perOrg[i].toLocaleString('en-US')} contacts in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    }

    const t1 = Date.now();
    await client.query(`INSERT INTO tags (org_id, name) SELECT o.id, n FROM organizations o, unnest($1::text[]) AS n`, [
      BENCH_TAGS,
    ]);
    // ~30% of contacts get 1 to 3 picks of a tag; rank 1 + floor(10 * r²) favours the first tags
    // (the first is picked ~32% of the time). Repeated picks collapse (ON CONFLICT).
    await client.query(
      `CREATE TEMP TABLE bench_tag_rank AS
         SELECT t.org_id, t.id AS tag_id, array_position($1::text[], t.name::text) AS rank FROM tags t`,
      [BENCH_TAGS],
    );
    await client.query(`
      INSERT INTO contact_tags (org_id, contact_id, tag_id)
      SELECT p.org_id, p.contact_id, r.tag_id
        FROM (SELECT s.org_id, s.contact_id, 1 + floor(10 * power(random(), 2))::int AS rank
                FROM (SELECT org_id, id AS contact_id, 1 + floor(random() * 3)::int AS picks
                        FROM contacts WHERE random() < 0.30) s,
                     generate_series(1, s.picks) AS g) p
        JOIN bench_tag_rank r ON r.org_id = p.org_id AND r.rank = p.rank
      ON CONFLICT DO NOTHING`);
    log(`  tags in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

    const t2 = Date.now();
    // ~70% of contacts: express email-marketing consent (78% of the ~90% with an email);
    // ~8% of those withdrew later; ~20% granted partner sharing.
    await client.query(`
      INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, source, occurred_at)
      SELECT org_id, id, 'EMAIL_MARKETING', 'GRANTED', 'EXPRESS', 'bench', now() - random() * interval '1000 days'
        FROM contacts WHERE email IS NOT NULL AND random() < 0.78`);
    await client.query(`
      INSERT INTO consents (org_id, contact_id, purpose, status, source, occurred_at)
      SELECT org_id, contact_id, 'EMAIL_MARKETING', 'WITHDRAWN', 'bench', occurred_at + random() * (now() - occurred_at)
        FROM consents WHERE purpose = 'EMAIL_MARKETING' AND random() < 0.08`);
    await client.query(`
      INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, source, occurred_at)
      SELECT org_id, id, 'PARTNER_SHARING', 'GRANTED', 'EXPRESS', 'bench', now() - random() * interval '1000 days'
        FROM contacts WHERE random() < 0.20`);
    // written as the owner, without a tenant: consent states and analytics tables are built as for any bulk load
    for (const orgId of orgIds) await client.query('SELECT crm_engagement_rebuild($1)', [orgId]);
    log(`  consents in ${((Date.now() - t2) / 1000).toFixed(1)} s`);

    const token = await createOwnerKey(client, orgIds[0]);

    const t3 = Date.now();
    await client.query('VACUUM (ANALYZE)');
    log(`  VACUUM (ANALYZE) in ${((Date.now() - t3) / 1000).toFixed(1)} s`);

    const {
      rows: [sizes],
    } = await client.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM contacts) AS contacts,
              (SELECT count(*) FROM contacts WHERE org_id = $1) AS "contactsOrg1",
              (SELECT count(*) FROM contacts WHERE org_id = $1 AND last_name = 'Tremblay') AS "tremblayOrg1",
              (SELECT count(DISTINCT ct.contact_id) FROM contact_tags ct JOIN tags t ON t.org_id = ct.org_id AND t.id = ct.tag_id
                WHERE ct.org_id = $1 AND t.name = $2) AS "commonTagOrg1",
              (SELECT count(*) FROM contact_tags) AS "contactTags",
              (SELECT count(*) FROM consents) AS consents,
              (SELECT count(*) FROM contact_search_tokens) AS "searchTokens",
              pg_size_pretty(pg_database_size(current_database())) AS "databaseSize"`,
      [orgIds[0], BENCH_COMMON_TAG],
    );
    return {
      orgIds,
      token,
      contacts: Number(sizes.contacts),
      contactsOrg1: Number(sizes.contactsOrg1),
      tremblayOrg1: Number(sizes.tremblayOrg1),
      commonTagOrg1: Number(sizes.commonTagOrg1),
      contactTags: Number(sizes.contactTags),
      consents: Number(sizes.consents),
      searchTokens: Number(sizes.searchTokens),
      databaseSize: sizes.databaseSize,
      ms: Date.now() - started,
    };
  } finally {
    await client.end();
  }
}

const CONTACT_INSERT = `
  INSERT INTO contacts (org_id, first_name, last_name, email, phone, address_line1, postal_code, city, region, country,
                        preferred_language, birth_date, created_at, updated_at)
  SELECT $1::uuid, u.first_name, u.last_name, u.email, u.phone, u.address_line1, u.postal_code, u.city, u.region, 'CA',
         u.preferred_language, u.birth_date, u.created_at, u.updated_at
    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                $11::date[], $12::timestamptz[], $13::timestamptz[])
      AS u(first_name, last_name, email, phone, address_line1, postal_code, city, region, preferred_language, birth_date, created_at, updated_at)`;

async function insertContacts(client: pg.Client, orgId: string, n: number, count: number): Promise<void> {
  const org: DemoOrganization = {
    name: `Bench ${n}`,
    ownerEmail: `owner@bench-${n}.example`,
    ownerName: 'Bench Owner',
    tags: [...BENCH_TAGS],
    externalSource: `bench-${n}`,
  };
  const contacts = generateDemoContacts(org, count, n);
  const now = Date.now();
  // A seeded generator for the dates, so reruns give the same data.
  const random = mulberry32(0x9e3779b9 * n);
  for (let start = 0; start < contacts.length; start += BATCH_SIZE) {
    const columns: (string | null)[][] = Array.from({ length: 12 }, () => []);
    contacts.slice(start, start + BATCH_SIZE).forEach((demo, j) => {
      const contact = withBenchSurname(demo, start + j);
      const created = now - DAY_MS - Math.floor(random() * THREE_YEARS_MS);
      const updated = random() < 0.4 ? created + Math.floor(random() * (now - created)) : created;
      const postalCode = valueOf(normalizePostalCode(contact.postalCode, 'CA'));
      const row = [
        valueOf(normalizeName(contact.firstName)),
        valueOf(normalizeName(contact.lastName)),
        valueOf(normalizeEmail(contact.email)),
        valueOf(normalizePhone(contact.phone)),
        contact.addressLine1,
        postalCode,
        contact.city,
        quebecRegionFromPostalCode(postalCode),
        contact.preferredLanguage,
        contact.birthDate,
        new Date(created).toISOString(),
        new Date(updated).toISOString(),
      ];
      row.forEach((value, k) => columns[k].push(value));
    });
    await client.query(CONTACT_INSERT, [orgId, ...columns]);
  }
}

/**
 * Exactly 3 contacts in 200 are Tremblay (the demo generator makes ~8% of them Tremblay,
 * far above Quebec's ~1.5%); the email follows the surname so a search on "tremblay"
 * only matches Tremblays.
 */
function withBenchSurname(contact: DemoContact, i: number): DemoContact {
  const wantTremblay = TREMBLAY_SLOTS.has(i % TREMBLAY_PERIOD);
  if (wantTremblay === (contact.lastName === 'Tremblay')) return contact;
  const lastName = wantTremblay ? 'Tremblay' : OTHER_SURNAMES[i % OTHER_SURNAMES.length];
  const email = contact.email?.replace(asciiSlug(contact.lastName), asciiSlug(lastName)) ?? null;
  return { ...contact, lastName, email };
}

function valueOf(result: { ok: true; value: string | null } | { ok: false; reason: string }): string | null {
  return result.ok ? result.value : null;
}
