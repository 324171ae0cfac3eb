/*
 * Deterministic demo data: realistic contacts for three fictional Quebec cultural
 * organizations. Pure functions only: no clock, no Math.random, no I/O. The same
 * (organization, count, seed) always gives the same contacts, and contact i does not
 * depend on `count` (generating 50 gives the first 50 of generating 500).
 *
 * Every name, address, email and organization here is made up. Phone numbers are
 * well-formed Quebec numbers; those of contacts with SMS consent are in the fictional
 * 555-0100..0199 range so a demo SMS campaign cannot reach a real subscriber.
 * The random generator, names and places are the shared fixtures' (libs/fixtures).
 */
import {
  asciiSlug,
  EMAIL_DOMAINS,
  POSTAL_LETTERS,
  DEMO_REFERENCE_DATE,
  ENGLISH_FIRST_NAMES,
  ENGLISH_LAST_NAMES,
  FRENCH_FIRST_NAMES,
  FRENCH_LAST_NAMES,
  hashString,
  mulberry32,
  type Place,
  type PlaceKey,
  PLACES,
  Rng,
} from '@app/fixtures';

export interface DemoConsent {
  purpose: 'EMAIL_MARKETING' | 'SMS' | 'PARTNER_SHARING' | 'PROFILING';
  status: 'GRANTED' | 'WITHDRAWN';
  legalBasis: 'EXPRESS' | 'IMPLIED' | null;
  impliedReason: 'PURCHASE' | 'DONATION' | 'MEMBERSHIP' | 'INQUIRY' | null;
  source: string;
  occurredAt: Date;
}

export interface DemoContact {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  addressLine1: string | null;
  city: string;
  postalCode: string;
  country: 'CA';
  preferredLanguage: 'fr' | 'en';
  /** YYYY-MM-DD */
  birthDate: string | null;
  externalIds: { source: string; externalId: string }[];
  tags: string[];
  consents: DemoConsent[];
}

export interface DemoOrganization {
  name: string;
  ownerEmail: string;
  ownerName: string;
  tags: string[];
  externalSource: string;
}

export const DEMO_ORGANIZATIONS: readonly DemoOrganization[] = Object.freeze([
  Object.freeze({
    name: 'Théâtre des Saules',
    ownerEmail: 'owner@theatre-des-saules.example',
    ownerName: 'Geneviève Lachance',
    tags: ['abonné', 'donateur', 'bénévole', 'jeune public', 'groupe scolaire', 'VIP', 'première'],
    externalSource: 'saules-billetterie',
  }),
  Object.freeze({
    name: 'Festival Boréal de Québec',
    ownerEmail: 'owner@festival-boreal.example',
    ownerName: 'Frédéric Lévesque',
    tags: ['passeport', 'festivalier', 'bénévole', 'commanditaire', 'VIP', 'famille'],
    externalSource: 'boreal-billetterie',
  }),
  Object.freeze({
    name: 'Musée du Mont-Bellevue',
    ownerEmail: 'owner@musee-mont-bellevue.example',
    ownerName: 'Catherine Ouellet',
    tags: ['membre', 'membre famille', 'donateur', 'bénévole', 'visite guidée', 'atelier'],
    externalSource: 'bellevue-adhesions',
  }),
]);

const DAY_MS = 24 * 3600 * 1000;
const THREE_YEARS_MS = 3 * 365 * DAY_MS;

type Profile = readonly (readonly [PlaceKey, number])[];

/** Where each demo organization's public lives; other organizations get a province-wide mix. */
const PROFILES: Readonly<Record<string, Profile>> = {
  'saules-billetterie': [
    ['montreal', 70],
    ['laval', 10],
    ['longueuil', 10],
    ['saintJerome', 4],
    ['quebec', 3],
    ['sherbrooke', 3],
  ],
  'boreal-billetterie': [
    ['quebec', 65],
    ['levis', 15],
    ['montreal', 8],
    ['troisRivieres', 5],
    ['sherbrooke', 4],
    ['gatineau', 3],
  ],
  'bellevue-adhesions': [
    ['sherbrooke', 65],
    ['magog', 12],
    ['granby', 10],
    ['montreal', 8],
    ['quebec', 5],
  ],
};
const DEFAULT_PROFILE: Profile = [
  ['montreal', 35],
  ['quebec', 15],
  ['laval', 10],
  ['longueuil', 10],
  ['sherbrooke', 8],
  ['gatineau', 7],
  ['troisRivieres', 5],
  ['levis', 5],
  ['saintJerome', 3],
  ['magog', 1],
  ['granby', 1],
];

/** Implied-consent reasons, weighted by what each kind of organization mostly records. */
const IMPLIED_REASONS: Readonly<Record<string, readonly (readonly [ImpliedReason, number])[]>> = {
  'saules-billetterie': [
    ['PURCHASE', 60],
    ['MEMBERSHIP', 15],
    ['DONATION', 15],
    ['INQUIRY', 10],
  ],
  'boreal-billetterie': [
    ['PURCHASE', 75],
    ['DONATION', 5],
    ['MEMBERSHIP', 5],
    ['INQUIRY', 15],
  ],
  'bellevue-adhesions': [
    ['MEMBERSHIP', 45],
    ['PURCHASE', 25],
    ['DONATION', 20],
    ['INQUIRY', 10],
  ],
};
const DEFAULT_IMPLIED_REASONS: readonly (readonly [ImpliedReason, number])[] = [
  ['PURCHASE', 55],
  ['MEMBERSHIP', 15],
  ['DONATION', 15],
  ['INQUIRY', 15],
];
type ImpliedReason = NonNullable<DemoConsent['impliedReason']>;

const IMPLIED_SOURCES: Readonly<Record<ImpliedReason, readonly string[]>> = {
  PURCHASE: ['box-office', 'website-checkout'],
  DONATION: ['donation-form', 'annual-campaign'],
  MEMBERSHIP: ['membership-desk', 'membership-renewal'],
  INQUIRY: ['contact-form', 'phone-call'],
};

// --- Field generators ------------------------------------------------------------------------

function makeEmail(rng: Rng, firstName: string, lastName: string, birthYear: number | null): string {
  const first = asciiSlug(firstName);
  const last = asciiSlug(lastName);
  const digits =
    birthYear !== null && rng.chance(0.5) ? String(birthYear % 100).padStart(2, '0') : String(rng.int(1, 99));
  const local = rng.weighted<string>([
    [`${first}.${last}`, 40],
    [`${first}${last}`, 12],
    [`${first[0]}${last}`, 12],
    [`${first[0]}.${last}`, 6],
    [`${first}.${last}${digits}`, 14],
    [`${last}.${first}`, 6],
    [`${first}_${last}`, 5],
    [`${first}${digits}`, 5],
  ]);
  return `${local}@${rng.weighted(EMAIL_DOMAINS)}`;
}

function makePhone(rng: Rng, place: Place, fictional: boolean): string {
  // One in ten kept a number from another region (moved, or a cell from elsewhere).
  const area = rng.chance(0.1)
    ? rng.pick(['514', '438', '450', '418', '581', '819', '873'])
    : rng.pick(place.areaCodes);
  let exchange: string;
  let line: string;
  if (fictional) {
    exchange = '555';
    line = `01${String(rng.int(0, 99)).padStart(2, '0')}`;
  } else {
    do exchange = String(rng.int(200, 999));
    while (exchange === '555' || exchange.slice(1) === '11'); // no N11 service codes, 555 is for fiction
    line = String(rng.int(0, 9999)).padStart(4, '0');
  }
  return rng.weighted<string>([
    [`(${area}) ${exchange}-${line}`, 35],
    [`${area}-${exchange}-${line}`, 20],
    [`${area}.${exchange}.${line}`, 10],
    [`${area} ${exchange} ${line}`, 12],
    [`+1 ${area} ${exchange} ${line}`, 10],
    [`1-${area}-${exchange}-${line}`, 5],
    [`${area}${exchange}${line}`, 5],
    [`${area} ${exchange}-${line} ext. ${rng.int(10, 450)}`, 3],
  ]);
}

function makePostalCode(rng: Rng, place: Place): string {
  const letter = () => POSTAL_LETTERS[rng.int(0, POSTAL_LETTERS.length - 1)];
  const code = `${rng.pick(place.fsas)} ${rng.int(0, 9)}${letter()}${rng.int(0, 9)}`;
  // As typed in forms and old spreadsheets, to exercise normalization.
  return rng.weighted<string>([
    [code, 75],
    [code.toLowerCase(), 8],
    [code.replace(' ', ''), 10],
    [code.replace(' ', '').toLowerCase(), 7],
  ]);
}

const ABBREVIATIONS: readonly (readonly [RegExp, string])[] = [
  [/^boulevard /u, 'boul. '],
  [/^avenue /u, 'av. '],
  [/ Ouest$/u, ' O.'],
  [/ Est$/u, ' E.'],
  [/ Nord$/u, ' N.'],
  [/ Sud$/u, ' S.'],
];

function makeAddress(rng: Rng, place: Place): string {
  let street: string = rng.pick(place.streets);
  if (rng.chance(0.4)) for (const [pattern, short] of ABBREVIATIONS) street = street.replace(pattern, short);
  const number = rng.weighted<number>([
    [rng.int(1, 999), 40],
    [rng.int(1000, 9999), 60],
  ]);
  const apartment = rng.int(1, 12);
  return rng.weighted<string>([
    [`${number}, ${street}`, 50],
    [`${number} ${street}`, 30],
    [`${number}, ${street}, app. ${apartment}`, 10],
    [`${apartment}-${number} ${street}`, 10],
  ]);
}

function makeBirthDate(rng: Rng): { date: string; year: number } {
  const year = rng.int(1940, 2006);
  const month = rng.int(1, 12);
  const day = rng.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
  return { date: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, year };
}

/** An instant in the three years before the reference date (at least a day before), to the minute. */
function pastInstant(rng: Rng): Date {
  const ms = DEMO_REFERENCE_DATE.getTime() - DAY_MS - Math.floor(rng.float() * (THREE_YEARS_MS - DAY_MS));
  return new Date(ms - (ms % 60_000));
}

/** An instant after `after` (by a minute at least) and before the reference date, to the minute. */
function laterInstant(rng: Rng, after: Date): Date {
  const span = DEMO_REFERENCE_DATE.getTime() - after.getTime() - 120_000;
  const ms = after.getTime() + 60_000 + Math.floor(rng.float() * Math.max(0, span));
  return new Date(ms - (ms % 60_000));
}

function grant(
  purpose: DemoConsent['purpose'],
  source: string,
  occurredAt: Date,
  impliedReason: ImpliedReason | null = null,
): DemoConsent {
  return {
    purpose,
    status: 'GRANTED',
    legalBasis: impliedReason ? 'IMPLIED' : 'EXPRESS',
    impliedReason,
    source,
    occurredAt,
  };
}

function withdrawal(purpose: DemoConsent['purpose'], source: string, occurredAt: Date): DemoConsent {
  return { purpose, status: 'WITHDRAWN', legalBasis: null, impliedReason: null, source, occurredAt };
}

function makeConsents(rng: Rng, org: DemoOrganization, hasEmail: boolean, sms: boolean): DemoConsent[] {
  const consents: DemoConsent[] = [];

  // ~70% overall: 78% of the ~90% with an email.
  if (hasEmail && rng.chance(0.78)) {
    const at = pastInstant(rng);
    if (rng.chance(0.55)) {
      consents.push(grant('EMAIL_MARKETING', rng.pick(['newsletter-form', 'website-checkout', 'box-office']), at));
      // A later purchase adds an implied consent on top of the express one.
      if (rng.chance(0.1)) consents.push(grant('EMAIL_MARKETING', 'box-office', laterInstant(rng, at), 'PURCHASE'));
    } else {
      const reason = rng.weighted(IMPLIED_REASONS[org.externalSource] ?? DEFAULT_IMPLIED_REASONS);
      consents.push(grant('EMAIL_MARKETING', rng.pick(IMPLIED_SOURCES[reason]), at, reason));
    }
    if (rng.chance(0.12)) {
      const last = consents[consents.length - 1].occurredAt;
      consents.push(
        withdrawal(
          'EMAIL_MARKETING',
          rng.pick(['unsubscribe-link', 'email-reply', 'phone-call']),
          laterInstant(rng, last),
        ),
      );
    }
  }

  // Sharing with partners needs express consent (Law 25); ~25%, some later withdrawn.
  if (rng.chance(0.25)) {
    const at = pastInstant(rng);
    consents.push(grant('PARTNER_SHARING', rng.pick(['partner-optin-form', 'newsletter-form']), at));
    if (rng.chance(0.1)) consents.push(withdrawal('PARTNER_SHARING', 'privacy-request', laterInstant(rng, at)));
  }

  if (sms) consents.push(grant('SMS', rng.pick(['sms-keyword', 'website-checkout']), pastInstant(rng)));
  return consents;
}

// --- Public entry point ------------------------------------------------------------------------

/**
 * `count` demo contacts for `org`, identical for the same organization, count and seed.
 * About 75% French-Canadian names (with their accents), 25% English; ~10% without email,
 * ~20% without phone, ~30% with a birth date. Every 40th contact, from the 4th, is
 * "Hélène Côté" (duplicates for deduplication and search demos). External ids are
 * `TIX-000001`, `TIX-000002`... under `org.externalSource`.
 */
export function generateDemoContacts(org: DemoOrganization, count: number, seed: number): DemoContact[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const rng = new Rng(mulberry32((Math.trunc(seed) ^ hashString(org.externalSource)) >>> 0));
  const profile = PROFILES[org.externalSource] ?? DEFAULT_PROFILE;
  const contacts: DemoContact[] = [];

  for (let i = 0; i < count; i++) {
    const forcedHelene = i % 40 === 3;
    const french = forcedHelene || rng.chance(0.75);
    const firstName = forcedHelene ? 'Hélène' : french ? rng.pick(FRENCH_FIRST_NAMES) : rng.pick(ENGLISH_FIRST_NAMES);
    const lastName = forcedHelene ? 'Côté' : french ? rng.weighted(FRENCH_LAST_NAMES) : rng.pick(ENGLISH_LAST_NAMES);
    const preferredLanguage = french ? (rng.chance(0.93) ? 'fr' : 'en') : rng.chance(0.8) ? 'en' : 'fr';
    const place: Place = PLACES[rng.weighted(profile)];
    const birth = rng.chance(0.3) ? makeBirthDate(rng) : null;
    const email = rng.chance(0.9) ? makeEmail(rng, firstName, lastName, birth?.year ?? null) : null;
    const hasPhone = rng.chance(0.8);
    const sms = hasPhone && rng.chance(0.125); // ~10% overall
    const phone = hasPhone ? makePhone(rng, place, sms) : null;
    const addressLine1 = rng.chance(0.9) ? makeAddress(rng, place) : null;
    const postalCode = makePostalCode(rng, place);
    const tagCount = rng.weighted<number>([
      [0, 30],
      [1, 35],
      [2, 25],
      [3, 10],
    ]);
    const tags = rng.sample(org.tags, Math.min(tagCount, org.tags.length));
    const consents = makeConsents(rng, org, email !== null, sms);

    contacts.push({
      firstName,
      lastName,
      email,
      phone,
      addressLine1,
      city: place.city,
      postalCode,
      country: 'CA',
      preferredLanguage,
      birthDate: birth?.date ?? null,
      externalIds: [{ source: org.externalSource, externalId: `TIX-${String(i + 1).padStart(6, '0')}` }],
      tags,
      consents,
    });
  }
  return contacts;
}
