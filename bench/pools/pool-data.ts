/**
 * The data of the pools benchmark: the contacts of up to 20 cultural organizations of Quebec, with the same people in
 * several of them, as in a real region. Loaded with COPY as the database owner (a superuser: no row-level security,
 * and the triggers that need a tenant skip), as audience-data.ts loads its own; pooling itself is what is measured.
 *
 * - A population of people, each attending a number of the venues drawn from a heavy-tailed distribution: one mostly,
 *   two to five for some (VENUES_PER_PERSON). A person's further venues are drawn with their remaining room (every
 *   organization ends with exactly `contacts` contacts), six times likelier in the person's city and three times in
 *   its region: Montréal's venues share more public than Montréal's and Rimouski's. About 37% of each organization's
 *   contacts attend another of the venues (loadPoolData's `alsoElsewhere` gives the exact shares).
 * - A person's identity is the same wherever it is recorded: name, address, language, birth date, one email (unique to
 *   the person) and one phone. Each organization records the person as typed at its box office (capitals in the email,
 *   the phone written its way), normalized as the contacts library stores it (lower-case email, E.164 phone), so the
 *   same person has the same stored email and phone in every organization: the pools' fingerprints of it match.
 * - Not every organization knows everything: some people give only their email or only their phone; three of the
 *   venues (the museums and one hall: Venue.phones false) keep no phones; a few contacts have neither.
 * - PARTNER_SHARING consent, by the person's attitude (the same person tends to answer the same way everywhere):
 *   about 22% of the contacts granted it expressly (a few withdrew later), about 6% refused or withdrew it, the
 *   others never said (UNKNOWN: fingerprinted, not revealable).
 *
 * Pure and deterministic: the same seed and counts give the same data. Ids are sequentialUuid's, as audience-data.ts.
 */
import type pg from 'pg';
import { ConsentPurpose, ConsentStatus, LegalBasis, normalizeContactFields, normalizePhone } from '@app/contacts';
import {
  asciiSlug,
  EMAIL_DOMAINS,
  POSTAL_LETTERS,
  ENGLISH_FIRST_NAMES,
  ENGLISH_LAST_NAMES,
  FRENCH_FIRST_NAMES,
  FRENCH_LAST_NAMES,
  mix32,
  mulberry32,
  type Place,
  type PlaceKey,
  PLACES,
  Rng,
} from '@app/fixtures';
import { type CeilingRow, storedRow } from '../import/ceiling-rows.js';
import {
  CONSENT_COLUMNS,
  CONTACT_COLUMNS,
  type ConsentRecord,
  consentCopyLine,
  contactCopyLine,
  copyLines,
  sequentialUuid,
} from '../audiences/audience-data.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const THREE_YEARS_MS = 3 * 365 * DAY_MS;
export const POOL_DATA_SEED = 20_261_206;

// --- Venues ------------------------------------------------------------------------------------

export interface Venue {
  /** The organization's name (made up). */
  name: string;
  place: PlaceKey;
  /** Its region: people go to other venues of their region more often. */
  area: string;
  /** Whether it records phone numbers (a museum's membership desk may not). */
  phones: boolean;
}

const MONTREAL = 'Grand Montréal';
const CAPITALE = 'Capitale-Nationale';
const CANTONS = 'Cantons-de-l’Est';

/**
 * The benchmark's organizations, in the order they are created: the first is the pool's steward. The first three
 * (the smoke run's) already mix two cities and a venue without phones.
 */
export const VENUES: readonly Venue[] = [
  { name: 'Théâtre du Plateau', place: 'montreal', area: MONTREAL, phones: true },
  { name: 'Théâtre du Cap-Blanc', place: 'quebec', area: CAPITALE, phones: true },
  { name: 'Musée des arts du Vieux-Port', place: 'montreal', area: MONTREAL, phones: false },
  { name: 'Salle Saint-Denis', place: 'montreal', area: MONTREAL, phones: true },
  { name: 'Festival des arts de la rue de Montréal', place: 'montreal', area: MONTREAL, phones: true },
  { name: 'Maison de la danse Papineau', place: 'montreal', area: MONTREAL, phones: true },
  { name: 'Orchestre de chambre du Mont-Royal', place: 'montreal', area: MONTREAL, phones: true },
  { name: 'Centre des arts de Laval', place: 'laval', area: MONTREAL, phones: true },
  { name: 'Théâtre de la Rive-Sud', place: 'longueuil', area: MONTREAL, phones: true },
  { name: 'Salle des Laurentides', place: 'saintJerome', area: MONTREAL, phones: true },
  { name: 'Festival d’été de la Haute-Ville', place: 'quebec', area: CAPITALE, phones: true },
  { name: 'Musée de la Capitale', place: 'quebec', area: CAPITALE, phones: false },
  { name: 'Salle de la Traverse', place: 'levis', area: CAPITALE, phones: true },
  { name: 'Théâtre des Cantons', place: 'sherbrooke', area: CANTONS, phones: true },
  { name: 'Festival du lac Memphrémagog', place: 'magog', area: CANTONS, phones: true },
  { name: 'Salle de la Yamaska', place: 'granby', area: CANTONS, phones: true },
  { name: 'Amphithéâtre du Saint-Maurice', place: 'troisRivieres', area: 'Mauricie', phones: true },
  { name: 'Maison de la culture de l’Outaouais', place: 'gatineau', area: 'Outaouais', phones: false },
  { name: 'Théâtre du Fjord', place: 'saguenay', area: 'Saguenay', phones: true },
  { name: 'Festival du Bas-Saint-Laurent', place: 'rimouski', area: 'Bas-Saint-Laurent', phones: true },
];

/** How many of the venues a person attends, weighted: one mostly, a long tail to five. */
export const VENUES_PER_PERSON: readonly (readonly [number, number])[] = [
  [1, 82],
  [2, 10],
  [3, 4.5],
  [4, 2.3],
  [5, 1.2],
];
const MAX_VENUES = 5;

/** How much likelier a further venue is: the same city, the same region, elsewhere. */
function affinity(a: Venue, b: Venue): number {
  return a.place === b.place ? 6 : a.area === b.area ? 3 : 1;
}

export interface Attendance {
  /** Per organization, the person behind each of its contacts, in load order. */
  members: Int32Array[];
  people: number;
  /** Person p's organizations are orgsOf[p * 5 ...], up to five, -1 after the last; the first is its home venue. */
  orgsOf: Int8Array;
}

/**
 * Who attends what: people drawn one after the other until every organization has `contacts` contacts. A person's
 * first venue is drawn by the organizations' remaining room, the others by room × affinity with the first.
 */
export function assignAttendance(organizations: number, contacts: number, seed = POOL_DATA_SEED): Attendance {
  if (organizations < 1 || organizations > VENUES.length)
    throw new RangeError(`organizations must be 1 to ${VENUES.length}, got ${organizations}`);
  const rng = new Rng(mulberry32(seed));
  const remaining = new Array<number>(organizations).fill(contacts);
  const members = Array.from({ length: organizations }, () => new Int32Array(contacts));
  const orgsOf = new Int8Array(organizations * contacts * MAX_VENUES).fill(-1);
  const weights = new Float64Array(organizations);
  let left = organizations * contacts;
  let p = 0;
  for (; left > 0; p++) {
    const wanted = Math.min(rng.weighted(VENUES_PER_PERSON), organizations);
    const base = p * MAX_VENUES;
    for (let j = 0; j < wanted; j++) {
      let total = 0;
      for (let o = 0; o < organizations; o++) {
        let taken = false;
        for (let t = 0; t < j; t++) if (orgsOf[base + t] === o) taken = true;
        weights[o] =
          taken || remaining[o] === 0 ? 0 : remaining[o] * (j === 0 ? 1 : affinity(VENUES[orgsOf[base]], VENUES[o]));
        total += weights[o];
      }
      if (total === 0) break;
      let roll = rng.float() * total;
      let o = -1;
      for (let k = 0; k < organizations; k++) {
        if (weights[k] === 0) continue;
        o = k; // the last one with room, should rounding leave a remainder
        if (roll < weights[k]) break;
        roll -= weights[k];
      }
      orgsOf[base + j] = o;
      members[o][contacts - remaining[o]] = p;
      remaining[o]--;
      left--;
    }
  }
  return { members, people: p, orgsOf: orgsOf.slice(0, p * MAX_VENUES) };
}

/** Person p's organizations (indexes), home venue first. */
export function organizationsOf(attendance: Attendance, p: number): number[] {
  const orgs: number[] = [];
  for (let j = 0; j < MAX_VENUES; j++) {
    const o = attendance.orgsOf[p * MAX_VENUES + j];
    if (o < 0) break;
    orgs.push(o);
  }
  return orgs;
}

// --- People ------------------------------------------------------------------------------------

/** How a person answers partner sharing, wherever asked. */
export type SharingAttitude = 'OPEN' | 'RESERVED' | 'REFUSING';

export interface Person {
  firstName: string;
  lastName: string;
  /** As stored (lower-case), unique to the person; null for the few without one. */
  email: string | null;
  /** The 10 digits of its North American number; null without a (valid) phone. */
  phoneDigits: string | null;
  place: Place;
  /** As Canada Post writes it ("H2X 1Y4"). */
  postalCode: string;
  addressLine1: string | null;
  preferredLanguage: 'fr' | 'en';
  /** YYYY-MM-DD */
  birthDate: string | null;
  sharing: SharingAttitude;
}

/** Where people of the province live when not near their home venue. */
const PROVINCE: readonly (readonly [PlaceKey, number])[] = [
  ['montreal', 35],
  ['quebec', 15],
  ['laval', 10],
  ['longueuil', 10],
  ['sherbrooke', 8],
  ['gatineau', 7],
  ['troisRivieres', 5],
  ['levis', 5],
  ['saintJerome', 3],
  ['drummondville', 2],
];
const SHARING: readonly (readonly [SharingAttitude, number])[] = [
  ['OPEN', 30],
  ['RESERVED', 63],
  ['REFUSING', 7],
];

const personRng = (p: number, seed: number) => new Rng(mulberry32(mix32(seed ^ mix32(p + 1))));

/**
 * Person p, living near `home` (its first venue) mostly. The email's local part ends with p, so that two people never
 * share one (as real addresses): a fingerprint match is the same person. The phone's last seven digits are a
 * bijection of p (an odd multiplier, prime to 5, modulo 8,000,000): two people never share one either.
 */
export function personAt(p: number, home: Venue, seed = POOL_DATA_SEED): Person {
  const rng = personRng(p, seed);
  const french = rng.chance(0.75);
  const firstName = french ? rng.pick(FRENCH_FIRST_NAMES) : rng.pick(ENGLISH_FIRST_NAMES);
  const lastName = french ? rng.weighted(FRENCH_LAST_NAMES) : rng.pick(ENGLISH_LAST_NAMES);
  const preferredLanguage = french ? (rng.chance(0.93) ? 'fr' : 'en') : rng.chance(0.8) ? 'en' : 'fr';
  const place: Place = PLACES[rng.chance(0.85) ? home.place : rng.weighted(PROVINCE)];
  const birthYear = rng.chance(0.3) ? rng.int(1940, 2006) : null;
  let email: string | null = null;
  if (rng.chance(0.93)) {
    const [first, last] = [asciiSlug(firstName), asciiSlug(lastName)];
    const local = rng.weighted<string>([
      [`${first}.${last}${p}`, 40],
      [`${first}${last}${p}`, 15],
      [`${first[0]}${last}${p}`, 15],
      [`${last}.${first}${p}`, 10],
      [`${first}_${last}${p}`, 10],
      [`${first}${birthYear ?? ''}.${p}`, 10],
    ]);
    email = `${local}@${rng.weighted(EMAIL_DOMAINS)}`;
  }
  let phoneDigits: string | null = null;
  if (rng.chance(0.8)) {
    const area = rng.chance(0.1)
      ? rng.pick(['514', '438', '450', '418', '581', '819', '873'])
      : rng.pick(place.areaCodes);
    const x = (p * 7_919_993 + 1_234_567) % 8_000_000;
    const digits = `${area}${200 + Math.floor(x / 10_000)}${String(x % 10_000).padStart(4, '0')}`;
    // an exchange that does not exist in the area: a number the import would reject, so none
    if (normalizePhone(digits).ok) phoneDigits = digits;
  }
  const letter = () => POSTAL_LETTERS[rng.int(0, POSTAL_LETTERS.length - 1)];
  const postalCode = `${rng.pick(place.fsas)} ${rng.int(0, 9)}${letter()}${rng.int(0, 9)}`;
  const addressLine1 = rng.chance(0.9) ? `${rng.int(1, 9999)}, ${rng.pick(place.streets)}` : null;
  let birthDate: string | null = null;
  if (birthYear !== null) {
    const month = rng.int(1, 12);
    const day = rng.int(1, new Date(Date.UTC(birthYear, month, 0)).getUTCDate());
    birthDate = `${birthYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }
  return {
    firstName,
    lastName,
    email,
    phoneDigits,
    place,
    postalCode,
    addressLine1,
    preferredLanguage,
    birthDate,
    sharing: rng.weighted(SHARING),
  };
}

// --- A person in an organization ---------------------------------------------------------------

const contactRng = (p: number, org: number, seed: number, salt: number) =>
  new Rng(mulberry32(mix32(seed ^ mix32(p + 1) ^ mix32(org + salt))));

export interface Recorded {
  /** As typed at the organization, before normalization. */
  email: string | null;
  phone: string | null;
}

/** What the organization knows of how to reach the person, as typed: both mostly, one of the two for some. */
function recorded(rng: Rng, person: Person, venue: Venue): Recorded {
  const phone = venue.phones && person.phoneDigits !== null && rng.chance(0.85) ? person.phoneDigits : null;
  // a few gave the box office their phone only
  const email = person.email !== null && (phone === null || rng.chance(0.93)) ? person.email : null;
  const d = phone;
  return {
    email: email && rng.chance(0.15) ? email.charAt(0).toUpperCase() + email.slice(1) : email,
    phone:
      d &&
      rng.weighted<string>([
        [`(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, 35],
        [`${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, 25],
        [`${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`, 10],
        [`${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`, 15],
        [`+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`, 10],
        [d, 5],
      ]),
  };
}

/** The stored email and phone of person p at organization `org` (what its fingerprints are made of). */
export function storedIdentifiers(
  person: Person,
  p: number,
  org: number,
  seed = POOL_DATA_SEED,
): { email: string | null; phone: string | null } {
  const typed = recorded(contactRng(p, org, seed, 101), person, VENUES[org]);
  return { email: typed.email?.toLowerCase() ?? null, phone: typed.phone && `+1${person.phoneDigits}` };
}

/** Person p as organization `org` stores it: its typed fields normalized by the contacts library. */
export function contactRow(person: Person, p: number, org: number, seed = POOL_DATA_SEED): CeilingRow {
  const rng = contactRng(p, org, seed, 101);
  const typed = recorded(rng, person, VENUES[org]);
  const postalCode = rng.weighted<string>([
    [person.postalCode, 80],
    [person.postalCode.replace(' ', ''), 12],
    [person.postalCode.toLowerCase(), 8],
  ]);
  return storedRow(
    normalizeContactFields(
      {
        firstName: person.firstName,
        lastName: person.lastName,
        ...(typed.email ? { email: typed.email } : {}),
        ...(typed.phone ? { phone: typed.phone } : {}),
        ...(person.addressLine1 && rng.chance(0.9) ? { addressLine1: person.addressLine1 } : {}),
        city: person.place.city,
        postalCode,
        preferredLanguage: person.preferredLanguage,
        ...(person.birthDate && rng.chance(0.6) ? { birthDate: person.birthDate } : {}),
      },
      null,
    ),
  );
}

/**
 * Person p's PARTNER_SHARING records at organization `org`, in [startMs, endMs) to the minute: an OPEN person grants
 * it mostly (8% withdraw later), a RESERVED one rarely (15% withdraw later), a REFUSING one refuses it (a withdrawal
 * without a grant) mostly. Express consent (Law 25).
 */
export function partnerSharing(
  person: Person,
  p: number,
  org: number,
  startMs: number,
  endMs: number,
  seed = POOL_DATA_SEED,
): ConsentRecord[] {
  const rng = contactRng(p, org, seed, 211);
  const toMinute = (ms: number) => new Date(ms - (ms % MINUTE_MS));
  const at = toMinute(startMs + Math.floor(rng.float() * (endMs - startMs - DAY_MS)));
  const later = (after: Date) =>
    toMinute(
      after.getTime() + MINUTE_MS + Math.floor(rng.float() * Math.max(0, endMs - after.getTime() - 2 * MINUTE_MS)),
    );
  const withdrawal = (occurredAt: Date, source: string): ConsentRecord => ({
    status: ConsentStatus.WITHDRAWN,
    legalBasis: null,
    impliedReason: null,
    source,
    occurredAt,
    expiresAt: null,
  });
  const [grants, withdraws] = { OPEN: [0.7, 0.08], RESERVED: [0.06, 0.15], REFUSING: [0, 0] }[person.sharing];
  if (rng.chance(grants)) {
    const records: ConsentRecord[] = [
      {
        status: ConsentStatus.GRANTED,
        legalBasis: LegalBasis.EXPRESS,
        impliedReason: null,
        source: rng.pick(['formulaire-partenaires', 'achat-en-ligne', 'formulaire-infolettre']),
        occurredAt: at,
        expiresAt: null,
      },
    ];
    if (rng.chance(withdraws)) records.push(withdrawal(later(at), rng.pick(['demande-confidentialite', 'appel'])));
    return records;
  }
  return person.sharing === 'REFUSING' && rng.chance(0.6) ? [withdrawal(at, 'formulaire-confidentialite')] : [];
}

// --- Loading ----------------------------------------------------------------------------------------

export interface Spread {
  mean: number;
  min: number;
  max: number;
}

export interface PoolLoadResult {
  organizations: number;
  contacts: number;
  people: number;
  /** People by the number of venues they attend ("1": ..., "5": ...). */
  venuesPerPerson: Record<string, number>;
  /** Share of an organization's contacts (over the organizations) whose person attends another of the venues... */
  alsoElsewhere: Spread;
  /** ...and whom another organization stores with the same email or phone (a fingerprint in common). */
  matchable: Spread;
  withEmail: number;
  withPhone: number;
  withNeither: number;
  consents: number;
  /** Contacts whose last PARTNER_SHARING record is a grant, or a withdrawal (or refusal). */
  partnerGranted: number;
  partnerWithdrawn: number;
  seconds: number;
}

const spread = (values: number[]): Spread => ({
  mean: Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1000) / 1000,
  min: Math.round(Math.min(...values) * 1000) / 1000,
  max: Math.round(Math.max(...values) * 1000) / 1000,
});

/** The overlap of the organizations, from the attendance alone (no database). */
export function overlapStats(
  attendance: Attendance,
  contacts: number,
  seed = POOL_DATA_SEED,
): Pick<PoolLoadResult, 'people' | 'venuesPerPerson' | 'alsoElsewhere' | 'matchable'> {
  const organizations = attendance.members.length;
  const venuesPerPerson: Record<string, number> = {};
  const elsewhere = new Array<number>(organizations).fill(0);
  const matchable = new Array<number>(organizations).fill(0);
  for (let p = 0; p < attendance.people; p++) {
    const orgs = organizationsOf(attendance, p);
    venuesPerPerson[orgs.length] = (venuesPerPerson[orgs.length] ?? 0) + 1;
    if (orgs.length < 2) continue;
    const person = personAt(p, VENUES[orgs[0]], seed);
    const stored = orgs.map((o) => storedIdentifiers(person, p, o, seed));
    orgs.forEach((o, i) => {
      elsewhere[o]++;
      const mine = stored[i];
      if (
        stored.some(
          (other, j) =>
            j !== i &&
            ((mine.email !== null && mine.email === other.email) ||
              (mine.phone !== null && mine.phone === other.phone)),
        )
      )
        matchable[o]++;
    });
  }
  return {
    people: attendance.people,
    venuesPerPerson,
    alsoElsewhere: spread(elsewhere.map((n) => n / contacts)),
    matchable: spread(matchable.map((n) => n / contacts)),
  };
}

/** The id of contact i of organization `org` (0-based), made "yesterday" in load order. */
export function poolContactId(baseMs: number, org: number, i: number, contacts: number): string {
  const seq = org * contacts + i;
  return sequentialUuid(baseMs + Math.floor(seq / 100), seq);
}

/**
 * Loads `contacts` contacts for each organization of `orgIds` (VENUES in order) and their PARTNER_SHARING consents,
 * as `client`, which must be a superuser (the owner). Contacts go in with their triggers (the search tokens); the
 * consents with session_replication_role = replica (no foreign-key checks: each is built for a contact just loaded).
 */
export async function loadPoolData(
  client: pg.Client,
  orgIds: readonly string[],
  options: { contacts: number; now: Date },
  log: (line: string) => void,
): Promise<PoolLoadResult> {
  const started = performance.now();
  const { contacts } = options;
  const attendance = assignAttendance(orgIds.length, contacts);
  const baseMs = options.now.getTime() - DAY_MS;
  const [startMs, endMs] = [baseMs - THREE_YEARS_MS, baseMs];
  const person = (p: number) => personAt(p, VENUES[attendance.orgsOf[p * MAX_VENUES]]);
  let stepStarted = performance.now();
  const done = (what: string, rows: number) => {
    log(
      `  ${what}: ${rows.toLocaleString('en-US')} rows in ${((performance.now() - stepStarted) / 1000).toFixed(1)} s`,
    );
    stepStarted = performance.now();
    return rows;
  };

  let [withEmail, withPhone, withNeither] = [0, 0, 0];
  const loaded = done(
    'contacts',
    await copyLines(
      client,
      'contacts',
      CONTACT_COLUMNS,
      (function* () {
        for (let o = 0; o < orgIds.length; o++) {
          for (let i = 0; i < contacts; i++) {
            const p = attendance.members[o][i];
            const row = contactRow(person(p), p, o);
            if (row.email) withEmail++;
            if (row.phone) withPhone++;
            if (!row.email && !row.phone) withNeither++;
            yield contactCopyLine(poolContactId(baseMs, o, i, contacts), orgIds[o], row);
          }
        }
      })(),
    ),
  );

  let [partnerGranted, partnerWithdrawn] = [0, 0];
  await client.query('SET session_replication_role = replica');
  let consents: number;
  try {
    consents = done(
      'PARTNER_SHARING consents',
      await copyLines(
        client,
        'consents',
        CONSENT_COLUMNS,
        (function* () {
          for (let o = 0; o < orgIds.length; o++) {
            for (let i = 0; i < contacts; i++) {
              const p = attendance.members[o][i];
              const records = partnerSharing(person(p), p, o, startMs, endMs);
              const last = records.at(-1);
              if (last?.status === ConsentStatus.GRANTED) partnerGranted++;
              if (last?.status === ConsentStatus.WITHDRAWN) partnerWithdrawn++;
              const id = poolContactId(baseMs, o, i, contacts);
              for (const record of records)
                yield consentCopyLine(orgIds[o], id, record, ConsentPurpose.PARTNER_SHARING);
            }
          }
        })(),
      ),
    );
  } finally {
    await client.query('RESET session_replication_role');
  }
  const stats = overlapStats(attendance, contacts);
  done('overlap statistics', attendance.people);
  return {
    organizations: orgIds.length,
    contacts: loaded,
    ...stats,
    withEmail,
    withPhone,
    withNeither,
    consents,
    partnerGranted,
    partnerWithdrawn,
    seconds: (performance.now() - started) / 1000,
  };
}
