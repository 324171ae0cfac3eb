import jaroWinkler from 'talisman/metrics/jaro-winkler.js';
import type { MatchRecord } from './match-record.js';
import { shareSound } from './blocking.js';
import { isShortFormOf } from './nicknames.js';

/**
 * Comparison levels, Fellegi-Sunter style: for each field, how well two records agree. Level 0 is always "missing"
 * (either side blank: it neither helps nor hurts), level 1 "different", higher levels closer agreement; the last is
 * "exact". The match weight of each level is learned (m/u) from the organization's data.
 */
export interface FieldComparison {
  field: string;
  levels: readonly string[];
  /**
   * Ways to reach a person (email, phone, address): a household shares them all, so their agreements are not
   * independent evidence. Only the strongest agreement among them counts (their disagreements all do).
   */
  contactPoint?: boolean;
  /** A name: agreeing on names alone never makes two records one person (see patternWeight). */
  name?: boolean;
  /** Too common to corroborate names on its own (a city, an apartment number). */
  weak?: boolean;
  compare(a: MatchRecord, b: MatchRecord): number;
  /** What a person reading the evidence sees of a record's value. */
  shown(record: MatchRecord): string;
}

const MISSING = 0;
const DIFFERENT = 1;

/** Jaro-Winkler similarity. */
function similarity(a: string, b: string): number {
  return a === b ? 1 : jaroWinkler(a, b);
}

/** One edit (insertion, deletion, substitution or transposition of adjacent characters) apart, in one pass. */
export function oneEditApart(a: string, b: string): boolean {
  if (a.length < b.length) [a, b] = [b, a];
  if (a.length - b.length > 1) return false;
  let i = 0;
  while (i < b.length && a[i] === b[i]) i++;
  if (i === b.length) return true; // equal, or one character added at the end
  if (a.length > b.length) return a.slice(i + 1) === b.slice(i); // one inserted
  if (a.slice(i + 1) === b.slice(i + 1)) return true; // one substituted
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // two swapped
}

/** "j f" agrees with "jean francois", "jean" with "jean francois", "marie eve" with "marie" — not "jean" with "marie". */
function compatibleFirstNames(a: string, b: string): boolean {
  if (a.length > 1 && b.length > 1 && !a.includes(' ') && !b.includes(' ')) return false;
  const aw = a.split(' ');
  const bw = b.split(' ');
  const [short, long] = aw.length <= bw.length ? [aw, bw] : [bw, aw];
  if (short.length === long.length && short.every((w) => w.length > 1) && long.every((w) => w.length > 1)) return false;
  let at = 0;
  for (const word of short) {
    while (
      at < long.length &&
      !(
        long[at] === word ||
        (word.length === 1 && long[at][0] === word) ||
        (long[at].length === 1 && word[0] === long[at])
      )
    )
      at++;
    if (at === long.length) return false;
    at++;
  }
  return true;
}

/**
 * Whether b's first and last names are best read the other way round ("Tremblay Marie"): each crossed name close to
 * the other's, and closer than in place. Cheap first-letter test first: most pairs share no letter there.
 */
export function namesSwapped(a: MatchRecord, b: MatchRecord): boolean {
  if (!a.first || !a.last || !b.first || !b.last) return false;
  if (a.first[0] !== b.last[0] && a.last[0] !== b.first[0]) return false;
  const crossed = similarity(a.first, b.last) + similarity(a.last, b.first);
  return crossed >= 2 * SWAP_SIMILARITY && crossed > similarity(a.first, b.first) + similarity(a.last, b.last) + 0.1;
}

/** With names swapped, one record's `name` against the other's other name; the same whichever record comes first. */
function crossed(a: MatchRecord, b: MatchRecord, name: 'first' | 'last'): [string, string, boolean] {
  const [x, y] = a.id <= b.id ? [a, b] : [b, a];
  return name === 'first'
    ? [x.first, y.last, shareSound(x.firstSound, y.lastSound)]
    : [x.last, y.first, shareSound(x.lastSound, y.firstSound)];
}

const SWAP_SIMILARITY = 0.88;

function compareFirst(a: string, b: string, sameSound: boolean): number {
  if (!a || !b) return MISSING;
  if (a === b || ((a.includes(' ') || b.includes(' ')) && a.replace(/ /g, '') === b.replace(/ /g, ''))) return 4;
  // word by word: "marie eve" and "marie pier" share a word but are two names
  if (a.includes(' ') === b.includes(' ') && (closeSpelling(a, b) || isShortFormOf(a, b))) return 3;
  if (sameSound) return 3;
  return compatibleFirstNames(a, b) ? 2 : DIFFERENT;
}

/** A typo apart: one edit, or Jaro-Winkler at least 0.94 on names long enough for it to mean something. */
function closeSpelling(a: string, b: string): boolean {
  return oneEditApart(a, b) || (Math.min(a.length, b.length) >= 6 && similarity(a, b) >= 0.94);
}

function compareLast(a: string, b: string, sameSound: boolean): number {
  if (!a || !b) return MISSING;
  if (a === b || ((a.includes(' ') || b.includes(' ')) && a.replace(/ /g, '') === b.replace(/ /g, ''))) return 4;
  // a typo, or a compound name reduced to one of its parts ("Gagnon-Tremblay" / "Tremblay")
  if (
    closeSpelling(a, b) ||
    ((a.includes(' ') || b.includes(' ')) && a.split(' ').some((w) => w.length > 2 && b.split(' ').includes(w)))
  )
    return 3;
  return sameSound || similarity(a, b) >= 0.88 ? 2 : DIFFERENT;
}

export const COMPARISONS: readonly FieldComparison[] = [
  {
    field: 'firstName',
    name: true,
    levels: ['missing', 'different', 'initials or part', 'nickname, typo or same sound', 'exact'],
    compare: (a, b) =>
      namesSwapped(a, b)
        ? compareFirst(...crossed(a, b, 'first'))
        : compareFirst(a.first, b.first, shareSound(a.firstSound, b.firstSound)),
    shown: (r) => r.first,
  },
  {
    field: 'lastName',
    name: true,
    levels: ['missing', 'different', 'similar or same sound', 'part or typo', 'exact'],
    compare: (a, b) =>
      namesSwapped(a, b)
        ? compareLast(...crossed(a, b, 'last'))
        : compareLast(a.last, b.last, shareSound(a.lastSound, b.lastSound)),
    shown: (r) => r.last,
  },
  {
    field: 'email',
    contactPoint: true,
    levels: ['missing', 'different', 'same distinctive name, other provider', 'exact'],
    compare: (a, b) => {
      if (!a.email || !b.email) return MISSING;
      if (a.email === b.email) return 3;
      // "marie.tremblay@" at two providers may be two Marie Tremblay; "mtremblay1962@" at two is one person
      if (a.emailExtra.length > 2 && a.emailExtra === b.emailExtra) return 2;
      return DIFFERENT;
    },
    shown: (r) => r.email,
  },
  {
    field: 'phone',
    contactPoint: true,
    levels: ['missing', 'different', 'one digit apart', 'exact'],
    compare: (a, b) => {
      if (!a.phone || !b.phone) return MISSING;
      if (a.phone === b.phone) return 3;
      return oneEditApart(a.phone, b.phone) ? 2 : DIFFERENT;
    },
    shown: (r) => r.phone,
  },
  {
    field: 'birthDate',
    levels: ['missing', 'different', 'one digit or a year apart, or day and month swapped', 'exact'],
    compare: (a, b) => {
      if (!a.birth || !b.birth) return MISSING;
      if (a.birth === b.birth) return 3;
      // a year alone ("c. 1867") agrees with any date of that year, as closely as a typo does
      if (a.birth.length === 4 || b.birth.length === 4)
        return a.birth.slice(0, 4) === b.birth.slice(0, 4) ? 2 : DIFFERENT;
      const swapped =
        a.birth.length === 8 &&
        b.birth.length === 8 &&
        a.birth.slice(0, 4) === b.birth.slice(0, 4) &&
        a.birth.slice(4, 6) === b.birth.slice(6, 8) &&
        a.birth.slice(6, 8) === b.birth.slice(4, 6);
      // a year typo that changes two digits (1979 / 1980), same day and month
      const yearOff =
        a.birth.length === 8 &&
        b.birth.length === 8 &&
        a.birth.slice(4) === b.birth.slice(4) &&
        Math.abs(Number(a.birth.slice(0, 4)) - Number(b.birth.slice(0, 4))) === 1;
      return swapped || yearOff || oneEditApart(a.birth, b.birth) ? 2 : DIFFERENT;
    },
    shown: (r) => r.birth,
  },
  {
    field: 'postalCode',
    contactPoint: true,
    levels: ['missing', 'different', 'one character apart', 'exact'],
    compare: (a, b) => {
      if (!a.postal || !b.postal) return MISSING;
      // neighbours: the addresses say two buildings, the shared postal code says nothing more
      if (a.address?.number && b.address?.number && a.address.number !== b.address.number) return MISSING;
      if (a.postal === b.postal) return 3;
      return oneEditApart(a.postal, b.postal) ? 2 : DIFFERENT;
    },
    shown: (r) => r.postal,
  },
  {
    field: 'address',
    contactPoint: true,
    levels: ['missing', 'different', 'similar street', 'same number, close street', 'exact'],
    compare: (a, b) => {
      if (!a.address || !b.address) return MISSING;
      if (a.address.full === b.address.full) return 4;
      const street = similarity(a.address.street, b.address.street);
      if (a.address.number === b.address.number && street >= 0.9) return 3;
      return street >= 0.9 || (a.address.number === b.address.number && street >= 0.75) ? 2 : DIFFERENT;
    },
    shown: (r) => r.address?.full ?? '',
  },
  {
    field: 'addressLine2',
    contactPoint: true,
    weak: true,
    levels: ['missing', 'different', 'close', 'exact'],
    compare: (a, b) => {
      if (!a.unit || !b.unit) return MISSING;
      if (a.unit === b.unit) return 3;
      // an apartment is its number ("app 4" / "4"); other lines (a building's name) compare by spelling
      const [da, db] = [a.unit.replace(/\D/g, ''), b.unit.replace(/\D/g, '')];
      if (da || db) return da === db ? 2 : DIFFERENT;
      return similarity(a.unit, b.unit) >= 0.9 ? 2 : DIFFERENT;
    },
    shown: (r) => r.unit,
  },
  {
    field: 'city',
    contactPoint: true,
    weak: true,
    levels: ['missing', 'different', 'close', 'exact'],
    compare: (a, b) => {
      if (!a.city || !b.city) return MISSING;
      if (a.city === b.city) return 3;
      return similarity(a.city, b.city) >= 0.9 ? 2 : DIFFERENT;
    },
    shown: (r) => r.city,
  },
];

/** Where a field is in COMPARISONS (and in a pattern). */
export function fieldIndex(field: string): number {
  return COMPARISONS.findIndex((comparison) => comparison.field === field);
}

/** Radix of each field in a comparison pattern: a pair's levels, all fields, as one integer. */
export const PATTERN_STRIDES: readonly number[] = COMPARISONS.reduce<number[]>((strides, _, i) => {
  strides.push(i === 0 ? 1 : strides[i - 1] * COMPARISONS[i - 1].levels.length);
  return strides;
}, []);

/** The pair's levels, all fields, as one integer. */
export function comparisonPattern(a: MatchRecord, b: MatchRecord): number {
  let pattern = 0;
  for (let i = 0; i < COMPARISONS.length; i++) pattern += COMPARISONS[i].compare(a, b) * PATTERN_STRIDES[i];
  return pattern;
}

export function levelOf(pattern: number, field: number): number {
  return Math.floor(pattern / PATTERN_STRIDES[field]) % COMPARISONS[field].levels.length;
}
