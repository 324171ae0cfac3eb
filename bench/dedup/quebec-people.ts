/**
 * Labelled synthetic Quebec people for measuring deduplication: every record
 * carries the id of the person it describes (`entityId`), so a matcher's pairs
 * can be scored against the truth.
 *
 * What is in a data set of `people` persons and duplicate share `duplicateRate`:
 * - One original record per person: French (≈75%) and English (≈25%) Quebec names
 *   with long-tailed frequencies (Zipf-like surnames, first names by generation,
 *   compound names), emails built from the names, phones in the city's area codes
 *   written in varied ways, French and English street addresses, a postal code
 *   that follows the address, a birth date for ≈60%, a preferred language.
 * - round(people × rate / (1 − rate)) duplicate records, so that duplicates are
 *   `duplicateRate` of the output. A person with duplicates has 1 (80%), 2 (15%) or
 *   3 (5%). A duplicate is its original with 1–3 changes (CHANGES below). It keeps
 *   the name (recognisably) and at least one of email, phone, birth date and street
 *   address as the original has it, up to formatting (a typo in the street counts
 *   as kept, one in the email does not), and shares at least one of those with
 *   every other duplicate of the person: every true pair has something to match on.
 * - Hard negatives, all different people: households (≈28% of people share an
 *   address, often the landline, sometimes the email, with other people of the list:
 *   spouses, parent and child, siblings with the same surname, never with first
 *   names one typo or nickname apart); namesake groups (≈6% of people share a
 *   common full name with one or two others, the same birth year 65% of the time
 *   but never the same date, the same city 45% of the time); and the namesakes that
 *   frequent names give anyway at scale (which now and then share a birth date).
 * - Emails and phones are unique across people (household sharing aside), as in a
 *   real list: two different people never get the same one by accident, and a
 *   duplicate's new email or phone is no one else's.
 * - Records come out in a shuffled order.
 *
 * Pure and deterministic: the same options give the same records in the same
 * order, from seeded PRNGs only (no clock, no Math.random, no I/O). Two passes:
 * the first, in entity order, settles which email and phone variant each person
 * gets and which try makes each duplicate (a set of 32-bit hashes, dropped after
 * it); the second makes the records one at a time in a shuffled order. What stays
 * in memory is a few typed arrays, about 15 bytes per record.
 *
 * True pairs: a person with n records gives n(n − 1)/2 pairs; `countTruthPairs`
 * sums that over the entityIds of a file, `truthPairs` lists them, and
 * `quebecPeopleCounts` gives the count for options without making the records.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mix32, mulberry32, Rng } from '@app/fixtures';
import { Weighted } from '../support/weighted.js';
import {
  type Culture,
  DIRECTIONS,
  EMAIL_DOMAINS,
  EMAIL_WORDS,
  EMPLOYER_DOMAINS,
  ENGLISH_SURNAMES,
  ENGLISH_TYPE_SHORT,
  type Era,
  FIRST_NAMES,
  type FirstNameRow,
  FRENCH_SURNAMES,
  type Gender,
  NICKNAMES,
  OTHER_SURNAMES,
  PLACES,
  STREET_TYPES,
} from './quebec-people.data.js';

export interface LabelledPerson {
  /** The person this record describes: records with the same entityId are duplicates of one another. */
  entityId: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  postalCode: string | null;
  /** YYYY-MM-DD */
  birthDate: string | null;
  preferredLanguage: 'fr' | 'en' | null;
}

export interface QuebecPeopleOptions {
  /** Distinct people (entities), each with one original record; ids are 1..people. */
  people: number;
  /** Share of the output records that are duplicates of another record, in [0, 0.75]. */
  duplicateRate: number;
  seed: number;
}

export interface QuebecPeopleCounts {
  people: number;
  /** People with at least one duplicate. */
  peopleWithDuplicates: number;
  duplicates: number;
  records: number;
  /** Pairs of records of the same person: the sum over people of n(n − 1)/2. */
  truePairs: number;
}

// --- Seeded randomness -----------------------------------------------------------------------

/** Independent streams: one seed per (tag, a, b, c), e.g. (PERSON, entityId). */
function seedOf(seed: number, tag: number, a: number, b = 0, c = 0): number {
  let h = mix32(Math.imul(seed | 0, 0x9e3779b1) ^ tag);
  h = mix32(h ^ Math.imul(a | 0, 0x85ebca77));
  h = mix32(h ^ Math.imul((b + 1) | 0, 0xc2b2ae3d));
  return mix32(h ^ Math.imul((c + 1) | 0, 0x27d4eb2f));
}

const TAG = {
  block: 1,
  household: 2,
  person: 3,
  email: 4,
  phone: 5,
  duplicate: 6,
  plan: 7,
  shuffle: 8,
  namesake: 9,
} as const;

// --- Text helpers --------------------------------------------------------------------------

const NON_ASCII = /[^\u0000-\u007f]/;

function fold(text: string): string {
  return NON_ASCII.test(text) ? text.normalize('NFD').replace(/\p{M}/gu, '') : text;
}

/** A name as an email local part: no accents, apostrophes, spaces or dots, lower case; hyphens kept or dropped. */
function slug(name: string, keepHyphen: boolean): string {
  const plain = fold(name)
    .toLowerCase()
    .replace(/['\s.]/g, '');
  return keepHyphen ? plain : plain.replace(/-/g, '');
}

/** Levenshtein distance, for the short strings names are. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The keys around each key on a QWERTY keyboard: where a finger slips. */
export const KEYBOARD: Readonly<Record<string, string>> = {
  a: 'qwsz',
  b: 'vghn',
  c: 'xdfv',
  d: 'serfcx',
  e: 'wsdr',
  f: 'drtgvc',
  g: 'ftyhbv',
  h: 'gyujnb',
  i: 'ujko',
  j: 'huikmn',
  k: 'jiolm',
  l: 'kop',
  m: 'njk',
  n: 'bhjm',
  o: 'iklp',
  p: 'ol',
  q: 'wa',
  r: 'edft',
  s: 'awedxz',
  t: 'rfgy',
  u: 'yhji',
  v: 'cfgb',
  w: 'qase',
  x: 'zsdc',
  y: 'tghu',
  z: 'asx',
};
const TYPO_KINDS = new Weighted<'substitute' | 'delete' | 'insert' | 'transpose'>([
  ['substitute', 35],
  ['delete', 25],
  ['insert', 20],
  ['transpose', 20],
]);

function neighbourOf(rng: Rng, char: string): string {
  const keys = KEYBOARD[fold(char).toLowerCase()] ?? 'aeiou';
  const replacement = keys[rng.int(0, keys.length - 1)];
  return char === char.toLowerCase() ? replacement : replacement.toUpperCase();
}

/**
 * One typing slip in the letters of `word`: a letter replaced by a neighbouring key,
 * dropped, doubled or struck twice, or two letters swapped. Rarely the first letter,
 * never dropping it.
 * Null when the word is too short to stay recognisable.
 */
function typo(rng: Rng, word: string): string | null {
  const letters: number[] = [];
  for (let i = 0; i < word.length; i++) if (/\p{L}/u.test(word[i])) letters.push(i);
  if (letters.length < 3) return null;
  for (let attempt = 0; attempt < 8; attempt++) {
    const kind = TYPO_KINDS.pick(rng);
    const at = letters[rng.chance(0.1) ? 0 : rng.int(1, letters.length - 1)];
    let result = word;
    switch (kind) {
      case 'substitute':
        result = word.slice(0, at) + neighbourOf(rng, word[at]) + word.slice(at + 1);
        break;
      case 'delete':
        if (letters.length < 4 || at === letters[0]) continue; // a dropped first letter is rare
        result = word.slice(0, at) + word.slice(at + 1);
        break;
      case 'insert':
        result = word.slice(0, at + 1) + (rng.chance(0.5) ? word[at] : neighbourOf(rng, word[at])) + word.slice(at + 1);
        break;
      case 'transpose': {
        const next = at + 1;
        if (next >= word.length || !/\p{L}/u.test(word[next]) || word[next] === word[at]) continue;
        result = word.slice(0, at) + word[next] + word[at] + word.slice(next + 1);
        break;
      }
    }
    if (result !== word) return result;
  }
  return null;
}

// --- Tables ----------------------------------------------------------------------------------

const CULTURES: readonly Culture[] = ['fr', 'en'];
const GENDERS: readonly Gender[] = ['f', 'm'];
const ERAS: readonly Era[] = [0, 1, 2];

function perCultureGenderEra<T>(
  make: (culture: Culture, gender: Gender, era: Era) => T,
): Record<Culture, Record<Gender, T[]>> {
  const table = {} as Record<Culture, Record<Gender, T[]>>;
  for (const culture of CULTURES) {
    table[culture] = {} as Record<Gender, T[]>;
    for (const gender of GENDERS) table[culture][gender] = ERAS.map((era) => make(culture, gender, era));
  }
  return table;
}

function weightIn(row: FirstNameRow, era: Era): number {
  return era === 0 ? row[1] : era === 1 ? row[2] : row[3];
}

/**
 * A name of the lists with what making a record needs of it, computed once: its email
 * forms and, for first names, a number for the household distinctness table.
 */
interface Name {
  text: string;
  slug: string;
  plainSlug: string;
  /** "Jean-François" → "jf" */
  initials: string;
  index: number;
}

const NAMES = new Map<string, Name>();

function nameOf(text: string): Name {
  let name = NAMES.get(text);
  if (!name) {
    const initials = text
      .split('-')
      .map((part) => slug(part, false)[0] ?? '')
      .join('');
    name = { text, slug: slug(text, true), plainSlug: slug(text, false), initials, index: NAMES.size };
    NAMES.set(text, name);
  }
  return name;
}

const FIRST_NAME_PICKS = perCultureGenderEra(
  (culture, gender, era) =>
    new Weighted(FIRST_NAMES[culture][gender].map((row) => [nameOf(row[0]), weightIn(row, era)] as const)),
);
/** The dozen most given names of a generation: what namesakes are called. */
const COMMON_FIRST_NAME_PICKS = perCultureGenderEra(
  (culture, gender, era) =>
    new Weighted(
      [...FIRST_NAMES[culture][gender]]
        .sort((a, b) => weightIn(b, era) - weightIn(a, era))
        .slice(0, 12)
        .map((row) => [nameOf(row[0]), weightIn(row, era)] as const),
    ),
);

function zipf(names: readonly string[], offset: number, count = names.length): Weighted<Name> {
  return new Weighted(names.slice(0, count).map((name, rank) => [nameOf(name), 1 / (rank + 1 + offset)] as const));
}
const SURNAME_PICKS = {
  fr: zipf(FRENCH_SURNAMES, 25),
  en: zipf(ENGLISH_SURNAMES, 12),
  other: zipf(OTHER_SURNAMES, 10),
};
const COMMON_SURNAME_PICKS = { fr: zipf(FRENCH_SURNAMES, 5, 20), en: zipf(ENGLISH_SURNAMES, 5, 15) };
/** Where a surname comes from, by culture: English-speaking Quebecers often have French surnames. */
const SURNAME_ORIGINS = {
  fr: new Weighted<'fr' | 'en' | 'other'>([
    ['fr', 91],
    ['other', 8],
    ['en', 1],
  ]),
  en: new Weighted<'fr' | 'en' | 'other'>([
    ['en', 78],
    ['fr', 10],
    ['other', 12],
  ]),
};

const BIRTH_DECADES = new Weighted<readonly [number, number]>([
  [[1935, 1944], 8],
  [[1945, 1954], 16],
  [[1955, 1964], 20],
  [[1965, 1974], 18],
  [[1975, 1984], 16],
  [[1985, 1994], 13],
  [[1995, 2005], 9],
]);

interface Street {
  type: string | null;
  name: string;
  direction: string | null;
  /** Also written in English ("Peel Street"). */
  english: boolean;
}

function parseStreet(text: string): Street {
  const english = text.endsWith('*');
  const words = (english ? text.slice(0, -1) : text).split(' ');
  const type = words[0] in STREET_TYPES ? words.shift()! : null;
  const direction = words.length > 1 && words[words.length - 1] in DIRECTIONS ? words.pop()! : null;
  return {
    type,
    name: words.join(' '),
    direction,
    english: english && type !== null && STREET_TYPES[type].english !== null,
  };
}

const STREETS: readonly (readonly Street[])[] = PLACES.map((place) => place.streets.map(parseStreet));
const PLACE_PICKS = {
  fr: new Weighted(PLACES.map((place, i) => [i, place.weight.fr] as const)),
  en: new Weighted(PLACES.map((place, i) => [i, place.weight.en] as const)),
};

const EMAIL_DOMAIN_PICKS = new Weighted(EMAIL_DOMAINS);
const POSTAL_LETTERS = 'ABCEGHJKLMNPRSTVWXYZ';

/** Nickname groups: a name and its short forms, used both ways. */
function nameGroup(name: string): readonly string[] {
  return [name, ...(NICKNAMES[name] ?? [])];
}

/** Two first names a careful reader could not mistake for each other (one typo or a nickname apart). */
function distinctFirstNames(a: Name, b: Name): boolean {
  const size = DISTINCT_SIZE;
  if (a.index >= size || b.index >= size) return distinctTexts(a.text, b.text);
  const at = a.index * size + b.index;
  if (DISTINCT[at] === 0) DISTINCT[at] = DISTINCT[b.index * size + a.index] = distinctTexts(a.text, b.text) ? 1 : 2;
  return DISTINCT[at] === 1;
}

function distinctTexts(a: string, b: string): boolean {
  const groupA = new Set(nameGroup(a).map((n) => fold(n).toLowerCase()));
  if (nameGroup(b).some((n) => groupA.has(fold(n).toLowerCase()))) return false;
  return editDistance(fold(a).toLowerCase(), fold(b).toLowerCase()) >= 3;
}

/** 0 not known yet, 1 distinct, 2 not, for every pair of list names (index × index). */
const DISTINCT_SIZE = NAMES.size;
const DISTINCT = new Uint8Array(DISTINCT_SIZE * DISTINCT_SIZE);

// --- People --------------------------------------------------------------------------------

interface Birth {
  year: number;
  month: number;
  day: number;
}

interface Identity {
  culture: Culture;
  gender: Gender;
  first: Name;
  /** One surname, or the two of a compound one ("Gagnon-Tremblay"). */
  last: readonly Name[];
  birth: Birth;
}

interface Address {
  place: number;
  street: number;
  number: number;
  apartment: number | null;
}

type Role = 'single' | 'head' | 'spouse' | 'child' | 'parent' | 'sibling';
type PhoneSource = 'home' | 'own' | 'none';

interface Member {
  identity: Identity;
  role: Role;
  phone: PhoneSource;
}

interface Household {
  /** Entity id of its first member; the others follow. */
  head: number;
  members: Member[];
  address: Address;
  /** Every member who wants an email uses the head's. */
  sharedEmail: boolean;
}

/**
 * Where an entity stands in its block of 16: its household (first slot, size, its
 * place in it) and, for some people living alone, their namesake group (first slot,
 * their place in it). Packed in 16 bits (see packSlot) so that pass 2 need not
 * replay the block.
 */
interface SlotPlan {
  headSlot: number;
  size: number;
  index: number;
  namesake: { start: number; member: number } | null;
}

const SLOT_KNOWN = 0x8000;

function packSlot(slot: SlotPlan): number {
  const namesake = slot.namesake ? 0x4000 | (slot.namesake.start << 10) | (slot.namesake.member << 8) : 0;
  return SLOT_KNOWN | namesake | (slot.index << 6) | ((slot.size - 1) << 4) | slot.headSlot;
}

function unpackSlot(packed: number): SlotPlan {
  const namesake = packed & 0x4000 ? { start: (packed >>> 10) & 0xf, member: (packed >>> 8) & 0x3 } : null;
  return { headSlot: packed & 0xf, size: ((packed >>> 4) & 0x3) + 1, index: (packed >>> 6) & 0x3, namesake };
}

const BLOCK = 16;
const HOUSEHOLD_SIZES = new Weighted([
  [1, 85],
  [2, 12],
  [3, 2.5],
  [4, 0.5],
]);
const NAMESAKE_START = 0.04;
const SECOND_MEMBER_ROLES = new Weighted<Role>([
  ['spouse', 65],
  ['child', 23],
  ['parent', 12],
]);
/** With a landline at home: who gives it rather than a cell phone. */
const MEMBER_PHONES = new Weighted<PhoneSource>([
  ['home', 75],
  ['own', 20],
  ['none', 5],
]);

function eraOf(year: number): Era {
  return year < 1960 ? 0 : year < 1985 ? 1 : 2;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function birthInYear(rng: Rng, year: number): Birth {
  const month = rng.int(1, 12);
  return { year, month, day: rng.int(1, daysInMonth(year, month)) };
}

function drawBirthYear(rng: Rng): number {
  const [from, to] = BIRTH_DECADES.pick(rng);
  return rng.int(from, to);
}

function isoDate(birth: Birth): string {
  return `${birth.year}-${String(birth.month).padStart(2, '0')}-${String(birth.day).padStart(2, '0')}`;
}

function drawSurname(rng: Rng, culture: Culture, birthYear: number): Name[] {
  const one = () => SURNAME_PICKS[SURNAME_ORIGINS[culture].pick(rng)].pick(rng);
  // Quebec parents have given both surnames since 1981, most often in the 1980s–90s.
  const compoundShare = culture === 'en' ? 0.01 : birthYear >= 1980 ? 0.15 : birthYear >= 1970 ? 0.04 : 0.015;
  const first = one();
  if (!rng.chance(compoundShare)) return [first];
  let second = one();
  for (let i = 0; i < 5 && second === first; i++) second = one();
  return second === first ? [first] : [first, second];
}

function drawIdentity(rng: Rng, culture: Culture): Identity {
  const gender = rng.chance(0.53) ? 'f' : 'm'; // audiences lean female
  const birth = birthInYear(rng, drawBirthYear(rng));
  return {
    culture,
    gender,
    first: FIRST_NAME_PICKS[culture][gender][eraOf(birth.year)].pick(rng),
    last: drawSurname(rng, culture, birth.year),
    birth,
  };
}

function drawCulture(rng: Rng): Culture {
  return rng.chance(0.75) ? 'fr' : 'en';
}

function drawAddress(rng: Rng, place: number): Address {
  const street = rng.int(0, STREETS[place].length - 1);
  const big = place === 0 || PLACES[place].apartments >= 0.35;
  const number = rng.chance(big ? 0.6 : 0.35) ? rng.int(1000, big ? 9999 : 4999) : rng.int(1, 999);
  const apartment = rng.chance(PLACES[place].apartments)
    ? rng.chance(0.88)
      ? rng.int(1, 24)
      : rng.int(101, 1608)
    : null;
  return { place, street, number, apartment };
}

/**
 * The postal code of an address: a street lies in one district (FSA) per stretch of
 * 2,000 numbers, and the rest of the code is fixed for each 32 numbers, so
 * neighbours and household members share it.
 */
function postalCodeOf(address: Address): string {
  const fsas = PLACES[address.place].fsas;
  const fsa = fsas[seedOf(0x5eed, address.place, address.street, address.number >>> 11) % fsas.length];
  const h = seedOf(0x5eed, address.place, address.street, address.number >>> 5);
  return `${fsa} ${(h >>> 8) % 10}${POSTAL_LETTERS[(h >>> 12) % POSTAL_LETTERS.length]}${(h >>> 20) % 10}`;
}

function drawPhone(rng: Rng, place: number): string {
  const [main, overlay] = PLACES[place].areaCodes;
  const area = rng.chance(0.72) ? main : overlay;
  let exchange: number;
  do exchange = rng.int(200, 999);
  while (
    exchange % 100 === 11 ||
    exchange === 555 ||
    exchange === 950 ||
    exchange === 958 ||
    exchange === 959 ||
    exchange === 976
  );
  return `${area}${exchange}${String(rng.int(0, 9999)).padStart(4, '0')}`;
}

function blockPlan(seed: number, block: number): SlotPlan[] {
  const rng = new Rng(mulberry32(seedOf(seed, TAG.block, block)));
  const slots: SlotPlan[] = [];
  while (slots.length < BLOCK) {
    const headSlot = slots.length;
    const size = Math.min(BLOCK - headSlot, HOUSEHOLD_SIZES.pick(rng));
    for (let index = 0; index < size; index++) slots.push({ headSlot, size, index, namesake: null });
  }
  const singles = slots.filter((slot) => slot.size === 1);
  for (let i = 0; i + 1 < singles.length; i++) {
    if (!rng.chance(NAMESAKE_START)) continue;
    const group = singles.slice(i, i + (rng.chance(0.8) ? 2 : 3));
    group.forEach((slot, member) => (slot.namesake = { start: group[0].headSlot, member }));
    i += group.length - 1;
  }
  return slots;
}

/**
 * Member `member` of the namesake group starting at `start` in `block`: a common
 * name shared by the group, often the birth year (never the date), sometimes the city.
 */
function namesakeOf(
  seed: number,
  block: number,
  start: number,
  member: number,
): { identity: Identity; place: number | null } {
  const rng = new Rng(mulberry32(seedOf(seed, TAG.namesake, block, start)));
  const culture: Culture = rng.chance(0.8) ? 'fr' : 'en';
  const gender: Gender = rng.chance(0.5) ? 'f' : 'm';
  const year = drawBirthYear(rng);
  const first = COMMON_FIRST_NAME_PICKS[culture][gender][eraOf(year)].pick(rng);
  const last = [COMMON_SURNAME_PICKS[culture].pick(rng)];
  const groupPlace = PLACE_PICKS[culture].pick(rng);
  const births: string[] = [];
  let birth: Birth = { year, month: 1, day: 1 };
  let place: number | null = groupPlace;
  for (let j = 0; j <= member; j++) {
    birth = birthInYear(rng, j === 0 || rng.chance(0.65) ? year : drawBirthYear(rng));
    while (births.includes(isoDate(birth))) birth = birthInYear(rng, birth.year);
    births.push(isoDate(birth));
    place = j === 0 || rng.chance(0.45) ? groupPlace : null;
  }
  return { identity: { culture, gender, first, last, birth }, place };
}

function clampYear(year: number): number {
  return Math.min(2005, Math.max(1935, year));
}

/** A household's people: roles, names (never two first names a typo or nickname apart), birth years that fit the roles. */
function drawMembers(rng: Rng, head: Identity, size: number): Member[] {
  const members: Member[] = [{ identity: head, role: 'head', phone: 'home' }];
  let spouse: Identity | null = null;
  for (let i = 1; i < size; i++) {
    const childGap = 2005 - head.birth.year >= 22 ? rng.int(22, Math.min(38, 2005 - head.birth.year)) : null;
    const parentGap = head.birth.year - 1935 >= 22 ? rng.int(22, Math.min(38, head.birth.year - 1935)) : null;
    let role: Role = i === 1 ? SECOND_MEMBER_ROLES.pick(rng) : 'child';
    if (role === 'child' && childGap === null) role = i === 1 ? 'spouse' : 'sibling';
    if (role === 'parent' && parentGap === null) role = 'spouse';
    const culture = role === 'spouse' && rng.chance(0.15) ? (head.culture === 'fr' ? 'en' : 'fr') : head.culture;
    const gender: Gender =
      role === 'spouse' ? (rng.chance(0.92) === (head.gender === 'f') ? 'm' : 'f') : rng.chance(0.5) ? 'f' : 'm';
    const year =
      role === 'child'
        ? head.birth.year + childGap!
        : role === 'parent'
          ? head.birth.year - parentGap!
          : clampYear(head.birth.year + rng.int(-8, 8));
    let last: readonly Name[];
    if (role === 'spouse') {
      // Quebec women keep their name since 1981; older couples often share the husband's.
      last = rng.chance(year < 1960 ? 0.5 : 0.15) ? head.last : drawSurname(rng, culture, year);
    } else if (role === 'child') {
      const compound =
        spouse !== null &&
        year >= 1980 &&
        head.last.length === 1 &&
        spouse.last.length === 1 &&
        spouse.last[0] !== head.last[0];
      last =
        compound && rng.chance(0.25)
          ? [head.last[0], spouse!.last[0]]
          : spouse && rng.chance(0.15)
            ? spouse.last
            : head.last;
    } else {
      last = rng.chance(role === 'parent' ? 0.7 : 0.85) ? head.last : drawSurname(rng, culture, year);
    }
    let first: Name | null = null;
    for (let attempt = 0; attempt < 30 && first === null; attempt++) {
      const candidate = FIRST_NAME_PICKS[culture][gender][eraOf(year)].pick(rng);
      if (members.every((member) => distinctFirstNames(candidate, member.identity.first))) first = candidate;
    }
    first ??= nameOf(
      culture === 'fr' ? (gender === 'f' ? 'Bernadette' : 'Rosaire') : gender === 'f' ? 'Gwendolyn' : 'Reginald',
    );
    const identity: Identity = { culture, gender, first, last, birth: birthInYear(rng, year) };
    if (role === 'spouse') spouse = identity;
    members.push({ identity, role, phone: 'home' });
  }
  return members;
}

function drawHousehold(seed: number, block: number, slot: SlotPlan): Household {
  const rng = new Rng(mulberry32(seedOf(seed, TAG.household, block, slot.headSlot)));
  const head = block * BLOCK + slot.headSlot + 1;
  if (slot.size === 1) {
    const namesake = slot.namesake && namesakeOf(seed, block, slot.namesake.start, slot.namesake.member);
    const identity = namesake?.identity ?? drawIdentity(rng, drawCulture(rng));
    const place = namesake?.place ?? PLACE_PICKS[identity.culture].pick(rng);
    return {
      head,
      members: [{ identity, role: 'single', phone: rng.chance(0.88) ? 'own' : 'none' }],
      address: drawAddress(rng, place),
      sharedEmail: false,
    };
  }
  const headIdentity = drawIdentity(rng, drawCulture(rng));
  const members = drawMembers(rng, headIdentity, slot.size);
  const address = drawAddress(rng, PLACE_PICKS[headIdentity.culture].pick(rng));
  const landline = rng.chance(0.55);
  for (const member of members) {
    if (landline) member.phone = member.role === 'head' ? 'home' : MEMBER_PHONES.pick(rng);
    else member.phone = rng.chance(0.87) ? 'own' : 'none';
  }
  return { head, members, address, sharedEmail: rng.chance(0.1) };
}

// --- Records as drafts: what a record says, before it is written out ---------------------------

interface AddressStyle {
  comma: boolean;
  /** Writes streets that have an English form in English. */
  english: boolean;
  /** Index into the type's abbreviations, or -1 for the full word. */
  typeShort: number;
  typeCapital: boolean;
  directionShort: boolean;
  saintShort: boolean;
  apartmentStyle: number;
  apartmentInLine1: boolean;
}

/** The signals a duplicate can lose (changed beyond formatting, or gone): see keptSignals. */
const LOST = { email: 1, phone: 2, address: 4, birth: 8 } as const;

interface Draft {
  culture: Culture;
  /** The first name as written, accents included (accentless writes it without). */
  first: string;
  /** The name the first name is a short form of, or itself. */
  formalFirst: string;
  last: string[];
  /** 0 as is, 1 hyphen → space, 2 initials "J.-F.", 3 "JF". */
  firstHyphen: number;
  /** Compound surname: 0 both parts with a hyphen, 1 both with a space, 2 the first part only, 3 the second only. */
  lastForm: number;
  /** "St-Pierre" written 0 as is, 1 "Saint-Pierre", 2 "St Pierre". */
  saintForm: number;
  /** 0 as is, 1 surname in capitals, 2 all capitals, 3 all lower case. */
  nameCase: number;
  swapped: boolean;
  accentless: boolean;
  firstEdited: boolean;
  lastEdited: boolean;
  email: string | null;
  /** 0 lower case, 1 capitalized ("Marie.Tremblay@Gmail.com"), 2 capitals. */
  emailCase: number;
  phone: string | null;
  phoneFormat: number;
  address: Address | null;
  /** The street name with a typo, when it has one. */
  streetName: string | null;
  addressStyle: AddressStyle;
  city: string | null;
  /** 0 as is, 1 short saint ("St-Jérôme") or capitals, 2 capitals. */
  cityStyle: number;
  postalCode: string | null;
  /** 0 "H2X 1Y4", 1 "H2X1Y4", 2 "h2x 1y4". */
  postalStyle: number;
  birth: Birth | null;
  hiddenBirth: Birth;
  language: 'fr' | 'en' | null;
  lost: number;
}

const PHONE_FORMATS = new Weighted([
  [0, 28],
  [1, 30],
  [2, 6],
  [3, 8],
  [4, 12],
  [5, 4],
  [6, 4],
  [7, 8],
]);

function formatPhone(digits: string, format: number): string {
  const [a, x, l] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  switch (format) {
    case 0:
      return `(${a}) ${x}-${l}`;
    case 1:
      return `${a}-${x}-${l}`;
    case 2:
      return `+1 ${a} ${x} ${l}`;
    case 3:
      return `${a}${x}${l}`;
    case 4:
      return `${a} ${x}-${l}`;
    case 5:
      return `${a}.${x}.${l}`;
    case 6:
      return `1-${a}-${x}-${l}`;
    default:
      return `${a} ${x} ${l}`;
  }
}

const FRENCH_APARTMENT = [
  (n: number) => `app. ${n}`,
  (n: number) => `app ${n}`,
  (n: number) => `appartement ${n}`,
  (n: number) => `# ${n}`,
  (n: number) => `app. ${n}`,
];
const ENGLISH_APARTMENT = [
  (n: number) => `apt ${n}`,
  (n: number) => `Apt. ${n}`,
  (n: number) => `unit ${n}`,
  (n: number) => `#${n}`,
  (n: number) => `suite ${n}`,
];

function drawAddressStyle(rng: Rng, culture: Culture): AddressStyle {
  return {
    comma: culture === 'fr' ? rng.chance(0.45) : rng.chance(0.08),
    english: culture === 'en' ? rng.chance(0.75) : rng.chance(0.06),
    typeShort: rng.chance(0.22) ? rng.int(0, 3) : -1,
    typeCapital: rng.chance(0.12),
    directionShort: rng.chance(0.25),
    saintShort: rng.chance(0.12),
    apartmentStyle: rng.int(0, 4),
    apartmentInLine1: rng.chance(0.3),
  };
}

function renderStreet(street: Street, name: string, style: AddressStyle): { text: string; english: boolean } {
  const shown = style.saintShort ? name.replace(/\bSainte-/g, 'Ste-').replace(/\bSaint-/g, 'St-') : name;
  const direction = street.direction ? DIRECTIONS[street.direction] : null;
  if (style.english && street.english && street.type) {
    const full = STREET_TYPES[street.type].english!;
    const shorts = ENGLISH_TYPE_SHORT[full] ?? [];
    const type = style.typeShort >= 0 && shorts.length ? shorts[style.typeShort % shorts.length] : full;
    const dir = direction ? ` ${style.directionShort ? direction.englishShort : direction.english}` : '';
    return { text: `${shown} ${type}${dir}`, english: true };
  }
  let type = street.type;
  if (type) {
    const shorts = STREET_TYPES[type].short;
    if (style.typeShort >= 0 && shorts.length) type = shorts[style.typeShort % shorts.length];
    if (style.typeCapital) type = type[0].toUpperCase() + type.slice(1);
  }
  const dir = street.direction ? ` ${style.directionShort ? direction!.short : street.direction}` : '';
  return { text: `${type ? `${type} ` : ''}${shown}${dir}`, english: false };
}

function renderAddress(draft: Draft): [string | null, string | null] {
  const address = draft.address;
  if (!address) return [null, null];
  const street = STREETS[address.place][address.street];
  const style = draft.addressStyle;
  const { text, english } = renderStreet(street, draft.streetName ?? street.name, style);
  let line1 = `${address.number}${style.comma && !english ? ',' : ''} ${text}`;
  let line2: string | null = null;
  if (address.apartment !== null) {
    if (style.apartmentInLine1) line1 = `${address.apartment}-${line1}`;
    else line2 = (english ? ENGLISH_APARTMENT : FRENCH_APARTMENT)[style.apartmentStyle % 5](address.apartment);
  }
  return [line1, line2];
}

function renderNames(draft: Draft): [string, string] {
  let first = draft.first;
  if (first.includes('-') && draft.firstHyphen > 0) {
    const parts = first.split('-');
    first =
      draft.firstHyphen === 1
        ? parts.join(' ')
        : draft.firstHyphen === 2
          ? parts.map((p) => `${p[0]}.`).join('-')
          : parts.map((p) => p[0]).join('');
  }
  const parts = draft.last.map((part) => {
    if (draft.saintForm === 0 || !/^(St|Ste)-/.test(part)) return part;
    return draft.saintForm === 1 ? part.replace(/^Ste-/, 'Sainte-').replace(/^St-/, 'Saint-') : part.replace('-', ' ');
  });
  let last =
    parts.length === 1
      ? parts[0]
      : draft.lastForm === 2
        ? parts[0]
        : draft.lastForm === 3
          ? parts[1]
          : parts.join(draft.lastForm === 1 ? ' ' : '-');
  if (draft.accentless) {
    first = fold(first);
    last = fold(last);
  }
  switch (draft.nameCase) {
    case 1:
      last = last.toUpperCase();
      break;
    case 2:
      first = first.toUpperCase();
      last = last.toUpperCase();
      break;
    case 3:
      first = first.toLowerCase();
      last = last.toLowerCase();
      break;
    default:
      break;
  }
  return draft.swapped ? [last, first] : [first, last];
}

function renderEmail(email: string, emailCase: number): string {
  if (emailCase === 2) return email.toUpperCase();
  if (emailCase === 1) {
    const [local, domain] = email.split('@');
    return `${local
      .split('.')
      .map((p) => (p ? p[0].toUpperCase() + p.slice(1) : p))
      .join('.')}@${domain[0].toUpperCase()}${domain.slice(1)}`;
  }
  return email;
}

function renderCity(draft: Draft): string | null {
  if (draft.city === null) return null;
  let city = draft.city;
  if (draft.cityStyle === 1)
    city = /^Saint(e)?-/.test(city) ? city.replace(/^Sainte-/, 'Ste-').replace(/^Saint-/, 'St-') : city.toUpperCase();
  else if (draft.cityStyle === 2) city = city.toUpperCase();
  return draft.accentless ? fold(city) : city;
}

function render(entityId: number, draft: Draft): LabelledPerson {
  const [firstName, lastName] = renderNames(draft);
  const [addressLine1, addressLine2] = renderAddress(draft);
  const postal = draft.postalCode;
  return {
    entityId,
    firstName,
    lastName,
    email: draft.email === null ? null : renderEmail(draft.email, draft.emailCase),
    phone: draft.phone === null ? null : formatPhone(draft.phone, draft.phoneFormat),
    addressLine1: addressLine1 !== null && draft.accentless ? fold(addressLine1) : addressLine1,
    addressLine2,
    city: renderCity(draft),
    postalCode:
      postal === null
        ? null
        : draft.postalStyle === 1
          ? postal.replace(' ', '')
          : draft.postalStyle === 2
            ? postal.toLowerCase()
            : postal,
    birthDate: draft.birth === null ? null : isoDate(draft.birth),
    preferredLanguage: draft.language,
  };
}

// --- Emails ----------------------------------------------------------------------------------

/** What the import accepts as an email's local part: dot-separated atoms. */
const VALID_LOCAL_PART = /^[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*$/;

type LocalPattern = (f: string, l: string, fi: string, year: number, rng: Rng) => string;
const LOCAL_PATTERNS = new Weighted<LocalPattern>([
  [(f, l) => `${f}.${l}`, 30],
  [(f, l) => `${f}${l}`, 12],
  [(_f, l, fi) => `${fi}.${l}`, 5],
  [(_f, l, fi) => `${fi}${l}`, 8],
  [(f, l) => `${f}_${l}`, 4],
  [(f, l, _fi, year) => `${f}.${l}${String(year % 100).padStart(2, '0')}`, 8],
  [(f, l, _fi, _y, rng) => `${f}${l}${rng.int(1, 99)}`, 5],
  [(f, _l, _fi, _y, rng) => `${f}${rng.int(1, 999)}`, 5],
  [(f, l) => `${l}.${f}`, 4],
  [(f, l) => `${f}.${l[0]}`, 3],
  [(_f, l, fi) => `${l}${fi}`, 3],
  [
    (f, _l, _fi, _y, rng) =>
      rng.chance(0.5) ? `${rng.pick(EMAIL_WORDS)}${rng.int(1, 99)}` : `${rng.pick(EMAIL_WORDS)}_${f}`,
    4,
  ],
]);

/**
 * The email of a person, try `variant` (0 first): later tries add numbers, as a
 * provider does when "marie.tremblay" is taken.
 */
function emailFor(seed: number, entityId: number, identity: Identity, variant: number): string {
  const rng = new Rng(mulberry32(seedOf(seed, TAG.email, entityId, variant)));
  const keepHyphen = rng.chance(0.4);
  const f = keepHyphen ? identity.first.slug : identity.first.plainSlug;
  const l =
    identity.last.length === 1
      ? keepHyphen
        ? identity.last[0].slug
        : identity.last[0].plainSlug
      : identity.last.map((part) => (keepHyphen ? part.slug : part.plainSlug)).join(keepHyphen ? '-' : '');
  const initials = identity.first.initials;
  const year = identity.birth.year;
  if (rng.chance(0.08)) return `${f}.${l}${variant > 0 ? rng.int(2, 9) : ''}@${rng.pick(EMPLOYER_DOMAINS)}`;
  let local = LOCAL_PATTERNS.pick(rng)(f, l, initials, year, rng);
  if (variant > 0)
    local +=
      variant <= 3
        ? String(rng.chance(0.5) ? year % 100 : rng.int(1, 99)).padStart(2, '0')
        : String(rng.int(100, 9999));
  return `${local}@${EMAIL_DOMAIN_PICKS.pick(rng)}`;
}

// --- Duplicates: the changes a second record of a person shows --------------------------------

interface ChangeContext {
  rng: Rng;
  draft: Draft;
  original: Draft;
  seed: number;
  entityId: number;
  identity: Identity;
}

type Change = (context: ChangeContext) => boolean;

function hasAccents(draft: Draft): boolean {
  const street = draft.address ? (draft.streetName ?? STREETS[draft.address.place][draft.address.street].name) : '';
  return NON_ASCII.test(draft.first + draft.last.join('') + street + (draft.city ?? ''));
}

function otherThan(rng: Rng, choices: readonly number[], current: number): number {
  const others = choices.filter((choice) => choice !== current);
  return rng.pick(others);
}

/**
 * The changes, by weight. Each returns false when it does not apply to the record
 * (no accents to drop, no email to change...) and another is drawn.
 */
const CHANGES: readonly (readonly [string, number, Change])[] = [
  // Names
  [
    'accents',
    9,
    ({ draft }) => {
      if (!hasAccents(draft)) return false;
      draft.accentless = !draft.accentless;
      return true;
    },
  ],
  [
    'case',
    6,
    ({ rng, draft }) => {
      draft.nameCase = otherThan(rng, [0, 0, 1, 1, 2, 3], draft.nameCase);
      return true;
    },
  ],
  [
    'hyphen',
    12,
    ({ rng, draft }) => {
      const options: ('first' | 'compound' | 'saint')[] = [];
      if (draft.first.includes('-') && !draft.firstEdited) options.push('first');
      if (draft.last.length === 2 && draft.lastForm < 2) options.push('compound');
      if (draft.last.some((part) => /^(St|Ste)-/.test(part))) options.push('saint');
      if (options.length === 0) return false;
      const option = rng.pick(options);
      if (option === 'first')
        draft.firstHyphen = otherThan(
          rng,
          draft.first.startsWith('Marie-') ? [0, 1, 1, 2] : [0, 1, 1, 2, 3],
          draft.firstHyphen,
        );
      else if (option === 'compound') draft.lastForm = draft.lastForm === 0 ? 1 : 0;
      else draft.saintForm = otherThan(rng, [0, 1, 2], draft.saintForm);
      return true;
    },
  ],
  [
    'compound surname reduced',
    8,
    ({ rng, draft }) => {
      if (draft.last.length !== 2 || draft.lastForm >= 2) return false;
      draft.lastForm = rng.chance(0.7) ? 2 : 3;
      return true;
    },
  ],
  [
    'name typo',
    9,
    ({ rng, draft }) => {
      const onFirst = !draft.firstEdited && draft.firstHyphen < 2 && (draft.lastEdited || rng.chance(0.45));
      if (onFirst) {
        const changed = typo(rng, draft.first);
        if (changed === null) return false;
        draft.first = changed;
        draft.firstEdited = true;
        return true;
      }
      if (draft.lastEdited) return false;
      const part = draft.last.length === 1 || draft.lastForm === 2 ? 0 : draft.lastForm === 3 ? 1 : rng.int(0, 1);
      const changed = typo(rng, draft.last[part]);
      if (changed === null) return false;
      draft.last[part] = changed;
      draft.lastEdited = true;
      return true;
    },
  ],
  [
    'first and last swapped',
    3,
    ({ draft }) => {
      draft.swapped = !draft.swapped;
      return true;
    },
  ],
  [
    'nickname',
    8,
    ({ rng, draft }) => {
      // French first names are seldom shortened in a record: half the chances.
      if (!NICKNAMES[draft.formalFirst] || draft.firstEdited || (draft.culture === 'fr' && rng.chance(0.5)))
        return false;
      draft.first = rng.pick(nameGroup(draft.formalFirst).filter((name) => name !== draft.first));
      draft.firstHyphen = 0;
      draft.firstEdited = true;
      return true;
    },
  ],
  // Email
  [
    'email at another domain',
    4,
    ({ rng, draft }) => {
      if (draft.email === null || draft.lost & LOST.email) return false;
      const [local, domain] = draft.email.split('@');
      let next = EMAIL_DOMAIN_PICKS.pick(rng);
      while (next === domain) next = EMAIL_DOMAIN_PICKS.pick(rng);
      draft.email = `${local}@${next}`;
      draft.lost |= LOST.email;
      return true;
    },
  ],
  [
    'new email',
    4,
    ({ rng, draft, original, seed, entityId, identity }) => {
      if (draft.email === null || draft.lost & LOST.email) return false;
      const email = emailFor(seed, entityId, identity, 40 + rng.int(0, 1000));
      if (email === original.email) return false;
      draft.email = email;
      draft.lost |= LOST.email;
      return true;
    },
  ],
  [
    'email missing',
    5,
    ({ draft }) => {
      if (draft.email === null) return false;
      draft.email = null;
      draft.lost |= LOST.email;
      return true;
    },
  ],
  [
    'email typo',
    3,
    ({ rng, draft }) => {
      if (draft.email === null || draft.lost & LOST.email) return false;
      const [local, domain] = draft.email.split('@');
      const changed = typo(rng, local)?.toLowerCase();
      if (!changed || !VALID_LOCAL_PART.test(changed)) return false; // no "alexandra.@"
      draft.email = `${changed}@${domain}`;
      draft.lost |= LOST.email; // recognisable, but namesakes' emails are often one typo apart too
      return true;
    },
  ],
  [
    'email case',
    2,
    ({ rng, draft }) => {
      if (draft.email === null) return false;
      draft.emailCase = otherThan(rng, [0, 1, 1, 2], draft.emailCase);
      return true;
    },
  ],
  // Phone
  [
    'phone missing',
    5,
    ({ draft }) => {
      if (draft.phone === null) return false;
      draft.phone = null;
      draft.lost |= LOST.phone;
      return true;
    },
  ],
  [
    'phone reformatted',
    7,
    ({ rng, draft }) => {
      if (draft.phone === null) return false;
      draft.phoneFormat = otherThan(rng, [0, 1, 2, 3, 4, 5, 6, 7], draft.phoneFormat);
      return true;
    },
  ],
  [
    'new phone',
    3,
    ({ rng, draft, original }) => {
      if (draft.phone === null) return false;
      draft.phone = drawPhone(rng, original.address?.place ?? draft.address?.place ?? 0);
      draft.lost |= LOST.phone;
      return true;
    },
  ],
  // Address
  [
    'moved',
    5,
    ({ rng, draft }) => {
      const from = draft.address;
      if (from === null) return false;
      const place = rng.chance(0.6) ? from.place : PLACE_PICKS[draft.culture].pick(rng);
      let address = drawAddress(rng, place);
      for (let i = 0; i < 10 && address.place === from.place && address.street === from.street; i++)
        address = drawAddress(rng, place);
      if (address.place === from.place && address.street === from.street) return false;
      draft.address = address;
      draft.streetName = null;
      draft.city = PLACES[place].city;
      draft.postalCode = postalCodeOf(address);
      draft.lost |= LOST.address;
      return true;
    },
  ],
  [
    'street written differently',
    6,
    ({ rng, draft }) => {
      if (draft.address === null) return false;
      const street = STREETS[draft.address.place][draft.address.street];
      const style = { ...draft.addressStyle };
      const options = ['comma'];
      if (street.type && STREET_TYPES[street.type].short.length) options.push('type', 'type');
      if (street.direction) options.push('direction');
      if (/\bSainte?-/.test(street.name)) options.push('saint');
      if (street.english) options.push('english');
      for (const option of new Set([rng.pick(options), rng.pick(options)])) {
        if (option === 'comma') style.comma = !style.comma;
        else if (option === 'type') style.typeShort = style.typeShort >= 0 ? -1 : rng.int(0, 3);
        else if (option === 'direction') style.directionShort = !style.directionShort;
        else if (option === 'saint') style.saintShort = !style.saintShort;
        else style.english = !style.english;
      }
      draft.addressStyle = style;
      return true;
    },
  ],
  [
    'street typo',
    2,
    ({ rng, draft }) => {
      if (draft.address === null || draft.streetName !== null) return false;
      const words = STREETS[draft.address.place][draft.address.street].name.split(' ');
      const changed = typo(rng, words[words.length - 1]); // the name proper, not "de la"
      if (changed === null) return false;
      words[words.length - 1] = changed;
      draft.streetName = words.join(' ');
      return true;
    },
  ],
  [
    'apartment written differently',
    3,
    ({ rng, draft }) => {
      if (draft.address === null || draft.address.apartment === null) return false;
      const style = { ...draft.addressStyle };
      if (rng.chance(0.2)) draft.address = { ...draft.address, apartment: null };
      else if (rng.chance(0.5)) style.apartmentInLine1 = !style.apartmentInLine1;
      else style.apartmentStyle = otherThan(rng, [0, 1, 2, 3, 4], style.apartmentStyle % 5);
      draft.addressStyle = style;
      return true;
    },
  ],
  [
    'postal code written differently',
    2,
    ({ rng, draft }) => {
      if (draft.postalCode === null) return false;
      draft.postalStyle = otherThan(rng, [0, 1, 1, 2], draft.postalStyle);
      return true;
    },
  ],
  [
    'city written differently',
    2,
    ({ rng, draft }) => {
      if (draft.city === null) return false;
      draft.cityStyle = otherThan(rng, [0, 1, 2], draft.cityStyle);
      return true;
    },
  ],
  [
    'address missing',
    3,
    ({ rng, draft }) => {
      if (draft.address === null) return false;
      draft.address = null;
      draft.postalCode = null;
      if (rng.chance(0.6)) draft.city = null;
      draft.lost |= LOST.address;
      return true;
    },
  ],
  // Birth date and language
  [
    'birth date missing',
    5,
    ({ draft }) => {
      if (draft.birth === null) return false;
      draft.birth = null;
      draft.lost |= LOST.birth;
      return true;
    },
  ],
  [
    'birth date added',
    2,
    ({ draft }) => {
      if (draft.birth !== null || draft.lost & LOST.birth) return false;
      draft.birth = draft.hiddenBirth;
      return true;
    },
  ],
  [
    'day and month swapped',
    1,
    ({ draft }) => {
      const birth = draft.birth;
      if (birth === null || birth.day > 12 || birth.day === birth.month) return false;
      draft.birth = { year: birth.year, month: birth.day, day: birth.month };
      draft.lost |= LOST.birth;
      return true;
    },
  ],
  [
    'language changed or missing',
    2,
    ({ rng, draft }) => {
      draft.language =
        draft.language === null ? draft.culture : rng.chance(0.5) ? null : draft.language === 'fr' ? 'en' : 'fr';
      return true;
    },
  ],
];

/** Changes that neither lose a signal nor make a new email or phone: the fallback when draws keep failing. */
const SAFE_CHANGES = new Set([
  'accents',
  'case',
  'hyphen',
  'first and last swapped',
  'email case',
  'phone reformatted',
  'street written differently',
  'postal code written differently',
  'city written differently',
]);
const CHANGE_PICKS = new Weighted(CHANGES.map((change, i) => [i, change[1]] as const));
const SAFE_CHANGE_PICKS = new Weighted(
  CHANGES.map((change, i) => [i, SAFE_CHANGES.has(change[0]) ? change[1] : 0] as const),
);
const CHANGE_COUNTS = new Weighted([
  [1, 50],
  [2, 33],
  [3, 17],
]);
const DUPLICATE_COUNTS = new Weighted([
  [1, 80],
  [2, 15],
  [3, 5],
]);
/** Tries at making a duplicate before only safe changes are drawn. */
const SAFE_AFTER = 60;

/**
 * The signals (LOST bits) a duplicate shows as its original does, up to formatting:
 * present in both and not changed. A duplicate must keep at least one besides its
 * name, and share one with every other duplicate of the person, so each pair of a
 * person's records has something a careful reader can match on.
 */
function keptSignals(original: Draft, duplicate: Draft): number {
  let kept = 0;
  if (original.email !== null && duplicate.email !== null) kept |= LOST.email;
  if (original.phone !== null && duplicate.phone !== null) kept |= LOST.phone;
  if (original.address !== null && duplicate.address !== null) kept |= LOST.address;
  if (original.birth !== null && duplicate.birth !== null) kept |= LOST.birth;
  return kept & ~duplicate.lost;
}

function copyDraft(draft: Draft): Draft {
  return {
    ...draft,
    last: [...draft.last],
    addressStyle: { ...draft.addressStyle },
    address: draft.address && { ...draft.address },
  };
}

// --- Uniqueness of emails and phones (first pass) -----------------------------------------------

/** A set of 32-bit string hashes (open addressing): a false "taken" only makes the next variant be tried. */
class TakenSet {
  private slots: Uint32Array;
  private size = 0;
  constructor(expected: number) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Uint32Array(capacity);
  }
  private static hash(text: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return mix32(h) || 1;
  }
  has(text: string): boolean {
    const key = TakenSet.hash(text);
    const mask = this.slots.length - 1;
    for (let i = key & mask; this.slots[i] !== 0; i = (i + 1) & mask) if (this.slots[i] === key) return true;
    return false;
  }
  add(text: string): void {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const key = TakenSet.hash(text);
    const mask = this.slots.length - 1;
    let i = key & mask;
    while (this.slots[i] !== 0) {
      if (this.slots[i] === key) return;
      i = (i + 1) & mask;
    }
    this.slots[i] = key;
    this.size++;
  }
  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (const key of old) {
      if (key === 0) continue;
      let i = key & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = key;
    }
  }
}

/** The first variant (0, 1, ...) whose value is not taken, and that value; the last one (255) if all are. */
function firstFree(taken: TakenSet, valueOf: (variant: number) => string): [number, string] {
  for (let variant = 0; ; variant++) {
    const value = valueOf(variant);
    if (variant === 255 || !taken.has(value)) return [variant, value];
  }
}

// --- The population --------------------------------------------------------------------------

interface Person {
  entityId: number;
  identity: Identity;
  household: Household;
  member: Member;
  draft: Draft;
}

class Population {
  private cachedHousehold: Household | null = null;
  /** Per person (index = entityId): their slot in their block (packSlot), filled as blocks are first planned. */
  private readonly slots: Uint16Array;
  /** Per person: which email and phone variant they got (settled in pass 1). */
  readonly emailVariant: Uint8Array;
  readonly phoneVariant: Uint8Array;

  constructor(
    private readonly seed: number,
    private readonly people: number,
  ) {
    this.slots = new Uint16Array(people + 1);
    this.emailVariant = new Uint8Array(people + 1);
    this.phoneVariant = new Uint8Array(people + 1);
  }

  private household(entityId: number): { household: Household; index: number } {
    const block = Math.floor((entityId - 1) / BLOCK);
    if (!(this.slots[entityId] & SLOT_KNOWN)) {
      blockPlan(this.seed, block).forEach((slot, i) => {
        const id = block * BLOCK + i + 1;
        if (id <= this.people) this.slots[id] = packSlot(slot);
      });
    }
    const slot = unpackSlot(this.slots[entityId]);
    const head = block * BLOCK + slot.headSlot + 1;
    if (this.cachedHousehold?.head !== head) this.cachedHousehold = drawHousehold(this.seed, block, slot);
    return { household: this.cachedHousehold, index: slot.index };
  }

  email(entityId: number, identity: Identity, variant: number): string {
    return emailFor(this.seed, entityId, identity, variant);
  }

  phone(entityId: number, place: number, variant: number): string {
    return drawPhone(new Rng(mulberry32(seedOf(this.seed, TAG.phone, entityId, variant))), place);
  }

  /**
   * The start of a person's original: household, the first personal draws, email and
   * phone. With `taken` (pass 1), the person's own email and phone are settled: the
   * first variant no one has yet is recorded.
   */
  contacts(entityId: number, taken?: TakenSet) {
    const { household, index } = this.household(entityId);
    const member = household.members[index];
    const identity = member.identity;
    const rng = new Rng(mulberry32(seedOf(this.seed, TAG.person, entityId)));
    const showBirth = rng.chance(0.6);
    let wantsEmail = rng.chance(0.88);
    const hasAddress = rng.chance(0.93);

    const place = household.address.place;
    let phone: string | null = null;
    if (member.phone === 'home' && member.role !== 'head')
      phone = this.phone(household.head, place, this.phoneVariant[household.head]);
    else if (member.phone !== 'none' && taken)
      [this.phoneVariant[entityId], phone] = firstFree(taken, (variant) => this.phone(entityId, place, variant));
    else if (member.phone !== 'none') phone = this.phone(entityId, place, this.phoneVariant[entityId]);
    // Everyone is reachable somehow (no email, phone nor address means an email), and the
    // household email the others share is the head's own.
    if ((!wantsEmail && phone === null && !hasAddress) || (household.sharedEmail && index === 0)) wantsEmail = true;
    let email: string | null = null;
    if (wantsEmail) {
      const head = household.members[0];
      if (household.sharedEmail && index > 0)
        email = this.email(household.head, head.identity, this.emailVariant[household.head]);
      else if (taken)
        [this.emailVariant[entityId], email] = firstFree(taken, (variant) => this.email(entityId, identity, variant));
      else email = this.email(entityId, identity, this.emailVariant[entityId]);
    }
    return { household, member, identity, rng, showBirth, hasAddress, email, phone };
  }

  /** A person's original record (see contacts for `taken`). */
  person(entityId: number, taken?: TakenSet): Person {
    const { household, member, identity, rng, showBirth, hasAddress, email, phone } = this.contacts(entityId, taken);
    const culture = identity.culture;
    const language = rng.chance(culture === 'fr' ? 0.93 : 0.88)
      ? culture
      : rng.chance(0.75)
        ? culture === 'fr'
          ? 'en'
          : 'fr'
        : null;
    const short = NICKNAMES[identity.first.text];
    const first = short && rng.chance(culture === 'en' ? 0.08 : 0.02) ? rng.pick(short) : identity.first.text;
    const draftStyle = {
      accentless: rng.chance(0.05),
      nameCase: rng.chance(0.04) ? (rng.chance(0.75) ? 1 : 2) : 0,
      firstHyphen: identity.first.text.includes('-') && rng.chance(0.06) ? 1 : 0,
      phoneFormat: PHONE_FORMATS.pick(rng),
      addressStyle: drawAddressStyle(rng, culture),
      cityStyle: rng.chance(0.04) ? rng.int(1, 2) : 0,
      postalStyle: rng.chance(0.12) ? (rng.chance(0.8) ? 1 : 2) : 0,
      emailCase: rng.chance(0.03) ? 1 : 0,
    };
    const address = hasAddress ? household.address : null;
    const draft: Draft = {
      culture,
      first,
      formalFirst: identity.first.text,
      last: identity.last.map((part) => part.text),
      firstHyphen: draftStyle.firstHyphen,
      lastForm: 0,
      saintForm: 0,
      nameCase: draftStyle.nameCase,
      swapped: false,
      accentless: draftStyle.accentless,
      firstEdited: false,
      lastEdited: false,
      email,
      emailCase: draftStyle.emailCase,
      phone,
      phoneFormat: draftStyle.phoneFormat,
      address,
      streetName: null,
      addressStyle: draftStyle.addressStyle,
      city: PLACES[household.address.place].city,
      cityStyle: draftStyle.cityStyle,
      postalCode: address ? postalCodeOf(address) : null,
      postalStyle: draftStyle.postalStyle,
      birth: showBirth ? identity.birth : null,
      hiddenBirth: identity.birth,
      language,
      lost: 0,
    };
    return { entityId, identity, household, member, draft };
  }

  /** Duplicate `k` (1-based) of a person, from try `attempt`. */
  duplicate(person: Person, k: number, attempt: number): Draft {
    const rng = new Rng(mulberry32(seedOf(this.seed, TAG.duplicate, person.entityId, k, attempt)));
    const draft = copyDraft(person.draft);
    const context: ChangeContext = {
      rng,
      draft,
      original: person.draft,
      seed: this.seed,
      entityId: person.entityId,
      identity: person.identity,
    };
    const picks = attempt >= SAFE_AFTER ? SAFE_CHANGE_PICKS : CHANGE_PICKS;
    const wanted = CHANGE_COUNTS.pick(rng);
    const used = new Set<number>();
    for (let tries = 0; used.size < wanted && tries < 40; tries++) {
      const change = picks.pick(rng);
      if (used.has(change)) continue;
      if (CHANGES[change][2](context)) used.add(change);
    }
    return draft;
  }
}

// --- Which people have duplicates, and the order of the records -------------------------------

interface DuplicatePlan {
  /** Duplicates of each person (index = entityId). */
  counts: Uint8Array;
  total: number;
  peopleWithDuplicates: number;
}

function checkOptions(options: QuebecPeopleOptions): void {
  if (!Number.isInteger(options.people) || options.people < 1) throw new Error('people must be a positive integer');
  if (!(options.duplicateRate >= 0 && options.duplicateRate <= 0.75))
    throw new Error('duplicateRate must be between 0 and 0.75');
  if (!Number.isInteger(options.seed)) throw new Error('seed must be an integer');
}

function planDuplicates(options: QuebecPeopleOptions): DuplicatePlan {
  const { people, duplicateRate } = options;
  const total = Math.round((people * duplicateRate) / (1 - duplicateRate));
  const counts = new Uint8Array(people + 1);
  const rng = new Rng(mulberry32(seedOf(options.seed, TAG.plan, people)));
  const ids = new Uint32Array(people);
  for (let i = 0; i < people; i++) ids[i] = i + 1;
  let remaining = total;
  let peopleWithDuplicates = 0;
  // A random order of the people (a partial Fisher–Yates shuffle); each in turn gets 1–3 duplicates.
  for (let i = 0; remaining > 0 && i < people; i++) {
    const j = rng.int(i, people - 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
    const count = Math.min(remaining, DUPLICATE_COUNTS.pick(rng));
    counts[ids[i]] = count;
    remaining -= count;
    peopleWithDuplicates++;
  }
  // Only at rates above ~0.55: everyone has some, top them up to 3.
  for (let i = 0; remaining > 0; i = (i + 1) % people) {
    if (counts[ids[i]] < 3) {
      counts[ids[i]]++;
      remaining--;
    }
  }
  return { counts, total, peopleWithDuplicates };
}

/** How many records, duplicates and true pairs `quebecPeople(options)` gives, without making the records. */
export function quebecPeopleCounts(options: QuebecPeopleOptions): QuebecPeopleCounts {
  checkOptions(options);
  const plan = planDuplicates(options);
  let truePairs = 0;
  for (const count of plan.counts) truePairs += ((count + 1) * count) / 2;
  return {
    people: options.people,
    peopleWithDuplicates: plan.peopleWithDuplicates,
    duplicates: plan.total,
    records: options.people + plan.total,
    truePairs,
  };
}

/** Duplicate j (0-based, in entity order) is duplicate `duplicateK[j]` of person `duplicateOf[j]`, made by try `duplicateAttempt[j]`. */
interface Duplicates {
  duplicateOf: Uint32Array;
  duplicateK: Uint8Array;
  duplicateAttempt: Uint8Array;
}

/**
 * Pass 1, in entity order: settles every person's email and phone variant so that no
 * two people share one by chance, and for each duplicate the first try that keeps a
 * signal shared with its original and its earlier siblings, differs from all of them
 * in at least one field, and takes no one else's email or phone. The set of taken
 * values is dropped when it returns.
 */
function settle(population: Population, plan: DuplicatePlan): Duplicates {
  const people = plan.counts.length - 1;
  const duplicateOf = new Uint32Array(plan.total);
  const duplicateK = new Uint8Array(plan.total);
  const duplicateAttempt = new Uint8Array(plan.total);
  const taken = new TakenSet(2 * people + plan.total);
  for (let entityId = 1, j = 0; entityId <= people; entityId++) {
    if (plan.counts[entityId] === 0) {
      // no duplicates: only the email and phone matter now
      const { email, phone } = population.contacts(entityId, taken);
      if (email !== null) taken.add(email);
      if (phone !== null) taken.add(phone);
      continue;
    }
    const person = population.person(entityId, taken);
    if (person.draft.email !== null) taken.add(person.draft.email);
    if (person.draft.phone !== null) taken.add(person.draft.phone);

    const keptBefore: number[] = [];
    const rows = [csvRow(render(entityId, person.draft))];
    for (let k = 1; k <= plan.counts[entityId]; k++, j++) {
      duplicateOf[j] = entityId;
      duplicateK[j] = k;
      for (let attempt = 0; ; attempt++) {
        // past SAFE_AFTER only safe changes are drawn, which always pass: this ends well before 256
        if (attempt > 255) throw new Error(`no acceptable duplicate ${k} for person ${entityId}`);
        const draft = population.duplicate(person, k, attempt);
        const kept = keptSignals(person.draft, draft);
        if (kept === 0 || keptBefore.some((before) => (before & kept) === 0)) continue;
        const row = csvRow(render(entityId, draft));
        if (rows.includes(row)) continue; // a change that shows nothing (a comma on a street written in English)
        const newEmail = draft.email !== null && draft.email !== person.draft.email ? draft.email : null;
        const newPhone = draft.phone !== null && draft.phone !== person.draft.phone ? draft.phone : null;
        if ((newEmail && taken.has(newEmail)) || (newPhone && taken.has(newPhone))) continue;
        if (newEmail) taken.add(newEmail);
        if (newPhone) taken.add(newPhone);
        duplicateAttempt[j] = attempt;
        keptBefore.push(kept);
        rows.push(row);
        break;
      }
    }
  }
  return { duplicateOf, duplicateK, duplicateAttempt };
}

/**
 * The records, one at a time, in a shuffled order: `people` originals (entityId
 * 1..people) and their duplicates. Deterministic for given options.
 */
export function* quebecPeople(options: QuebecPeopleOptions): Generator<LabelledPerson> {
  checkOptions(options);
  const { people, seed } = options;
  const plan = planDuplicates(options);
  const population = new Population(seed, people);

  const duplicates = settle(population, plan);

  // Pass 2: the records in a shuffled order (Fisher–Yates over record numbers).
  const records = people + plan.total;
  const order = new Uint32Array(records);
  for (let i = 0; i < records; i++) order[i] = i;
  const rng = new Rng(mulberry32(seedOf(seed, TAG.shuffle, people, plan.total)));
  for (let i = records - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  for (const record of order) {
    if (record < people) {
      yield render(record + 1, population.person(record + 1).draft);
    } else {
      const j = record - people;
      const person = population.person(duplicates.duplicateOf[j]);
      yield render(
        person.entityId,
        population.duplicate(person, duplicates.duplicateK[j], duplicates.duplicateAttempt[j]),
      );
    }
  }
}

// --- Truth -------------------------------------------------------------------------------------

/** The number of pairs of records that describe the same person: Σ n(n − 1)/2 over people. */
export function countTruthPairs(entityIds: Iterable<number>): number {
  const records = new Map<number, number>();
  for (const id of entityIds) records.set(id, (records.get(id) ?? 0) + 1);
  let pairs = 0;
  for (const n of records.values()) pairs += (n * (n - 1)) / 2;
  return pairs;
}

/** The true pairs as positions in `entityIds` (the file's record order), each [i, j] with i < j. */
export function* truthPairs(entityIds: readonly number[]): Generator<[number, number]> {
  const positions = new Map<number, number[]>();
  entityIds.forEach((id, i) => {
    const list = positions.get(id);
    if (list) list.push(i);
    else positions.set(id, [i]);
  });
  for (const list of positions.values()) {
    for (let a = 0; a < list.length; a++) for (let b = a + 1; b < list.length; b++) yield [list[a], list[b]];
  }
}

// --- CSV ---------------------------------------------------------------------------------------

/** Headers the contacts import recognizes (libs/contacts import-columns.util.ts), and the truth label. */
export const QUEBEC_PEOPLE_HEADERS = [
  'Prénom',
  'Nom',
  'Courriel',
  'Téléphone',
  'Adresse',
  'Adresse 2',
  'Ville',
  'Code postal',
  'Date de naissance',
  'Langue',
  'person',
] as const;

export interface WriteQuebecPeopleResult extends QuebecPeopleCounts {
  file: string;
  bytes: number;
  ms: number;
}

function csvCell(value: string | null): string {
  if (value === null) return '';
  const plain = !value.includes(',') && !value.includes('"') && !value.includes('\n') && !value.includes('\r');
  return plain ? value : `"${value.replace(/"/g, '""')}"`;
}

function csvRow(p: LabelledPerson): string {
  return `${csvCell(p.firstName)},${csvCell(p.lastName)},${csvCell(p.email)},${csvCell(p.phone)},${csvCell(p.addressLine1)},${csvCell(p.addressLine2)},${csvCell(p.city)},${csvCell(p.postalCode)},${p.birthDate ?? ''},${p.preferredLanguage ?? ''},${p.entityId}\r\n`;
}

const CHUNK_RECORDS = 2_000;

/** Writes the records as a UTF-8, comma-separated CSV, streaming (one chunk of rows in memory at a time). */
export async function writeQuebecPeopleCsv(
  file: string,
  options: QuebecPeopleOptions,
): Promise<WriteQuebecPeopleResult> {
  const started = performance.now();
  const counts = quebecPeopleCounts(options);
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined); // observed by the races below
  let bytes = 0;
  const write = async (text: string) => {
    const buffer = Buffer.from(text, 'utf8');
    bytes += buffer.length;
    if (!out.write(buffer)) await Promise.race([once(out, 'drain'), failed]);
  };
  let chunk = `${QUEBEC_PEOPLE_HEADERS.join(',')}\r\n`;
  let inChunk = 0;
  for (const p of quebecPeople(options)) {
    chunk += csvRow(p);
    if (++inChunk === CHUNK_RECORDS) {
      await write(chunk);
      chunk = '';
      inChunk = 0;
    }
  }
  if (chunk) await write(chunk);
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { file, ...counts, bytes, ms: Math.round(performance.now() - started) };
}
