import jaroWinkler from 'talisman/metrics/jaro-winkler.js';
import type { MatchTable } from './match-table.js';
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
  /** How rows a and b of the table compare. */
  compare(t: MatchTable, a: number, b: number): number;
  /** What a person reading the evidence sees of a row's value. */
  shown(t: MatchTable, row: number): string;
}

const MISSING = 0;
/** The level every comparison gives two values that disagree. */
export const DIFFERENT = 1;

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

/**
 * At most two edits apart (optimal string alignment: insertions, deletions, substitutions, adjacent transpositions).
 * Letter counts first: an edit changes them by at most two, and most pairs compared differ far more than that.
 */
export function twoEditsApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  for (let i = 0; i < a.length; i++) LETTER_COUNTS[a.charCodeAt(i) & 127]++; // all 0 between calls
  for (let i = 0; i < b.length; i++) LETTER_COUNTS[b.charCodeAt(i) & 127]--;
  if (takeCounts(a) + takeCounts(b) > 4) return false;
  // d[i][j] over three rows: the edits between a's first i and b's first j characters
  let [before, previous, current] = [
    new Int32Array(b.length + 1),
    new Int32Array(b.length + 1),
    new Int32Array(b.length + 1),
  ];
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
      best = Math.min(best, d);
    }
    if (best > 2) return false;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] <= 2;
}
const LETTER_COUNTS = new Int32Array(128);

/** The letter-count differences left on a word's letters, each letter once, zeroed as they are read. */
function takeCounts(word: string): number {
  let apart = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) & 127;
    apart += Math.abs(LETTER_COUNTS[c]);
    LETTER_COUNTS[c] = 0;
  }
  return apart;
}

/** Top-level domains common here: two of them are two providers ("hotmail.ca" / "hotmail.com"), not a typo. */
const COMMON_TOP_LEVEL = new Set(['ca', 'com', 'net', 'org', 'fr', 'be', 'ch', 'uk', 'us', 'edu', 'gov', 'info']);

/**
 * One provider mistyped: an edit apart, or two in names long enough not to be two providers ("gmail" / "hotmail"),
 * and not two common top-level domains ("gmail.con" is a typo; "hotmail.ca" and "hotmail.com" each have namesakes).
 */
function providerMistyped(a: string, b: string): boolean {
  const [ta, tb] = [a.slice(a.lastIndexOf('.') + 1), b.slice(b.lastIndexOf('.') + 1)];
  if (ta !== tb && COMMON_TOP_LEVEL.has(ta) && COMMON_TOP_LEVEL.has(tb)) return false;
  return oneEditApart(a, b) || (Math.min(a.length, b.length) >= 12 && twoEditsApart(a, b));
}

/** Misspelt beyond a typo ("Olvevr" / "Oliver", "Fosia" / "Sofia"): two edits apart, on words long enough to tell. */
function misspelt(a: string, b: string): boolean {
  return a.length >= 4 && b.length >= 4 && !a.includes(' ') && !b.includes(' ') && twoEditsApart(a, b);
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

/** About the days since year 0 of YYYYMMDD (months of 31 days: cheap, and an impossible date still has one). */
function dayNumber(date: string): number {
  const digit = (i: number) => date.charCodeAt(i) - 48;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  return year * 372 + (digit(4) * 10 + digit(5)) * 31 + digit(6) * 10 + digit(7);
}

function yearsApart(a: string, b: string): number {
  return Math.abs(Number(a.slice(0, 4)) - Number(b.slice(0, 4)));
}

/**
 * Whether b's first and last names are best read the other way round ("Tremblay Marie"): each crossed name close to
 * the other's, and closer than in place. Cheap first-letter test first: most pairs share no letter there.
 */
export function namesSwapped(t: MatchTable, a: number, b: number): boolean {
  const [aFirst, aLast, bFirst, bLast] = [t.first.at(a), t.last.at(a), t.first.at(b), t.last.at(b)];
  if (!aFirst || !aLast || !bFirst || !bLast) return false;
  if (aFirst[0] !== bLast[0] && aLast[0] !== bFirst[0]) return false;
  const crossed =
    closeAcross(aFirst, bLast, t.firstSound.at(a), t.lastSound.at(b)) +
    closeAcross(aLast, bFirst, t.lastSound.at(a), t.firstSound.at(b));
  return crossed >= 2 * SWAP_SIMILARITY && crossed > similarity(aFirst, bFirst) + similarity(aLast, bLast) + 0.1;
}

/** How alike two crossed names are; one that sounds alike counts as close enough (Oleksandr / Aleksandr). */
function closeAcross(x: string, y: string, xSounds: string, ySounds: string): number {
  const spelled = similarity(x, y);
  return spelled < SWAP_SIMILARITY && shareSound(xSounds, ySounds) ? SWAP_SIMILARITY : spelled;
}

/**
 * With names swapped, one row's `name` against the other's other name; the same whichever row comes first (the one
 * whose names sort first leads).
 */
function crossed(t: MatchTable, a: number, b: number, name: 'first' | 'last'): [string, string, boolean] {
  const aLeads = t.first.at(a) + t.last.at(a) <= t.first.at(b) + t.last.at(b);
  const [x, y] = aLeads ? [a, b] : [b, a];
  return name === 'first'
    ? [t.first.at(x), t.last.at(y), shareSound(t.firstSound.at(x), t.lastSound.at(y))]
    : [t.last.at(x), t.first.at(y), shareSound(t.lastSound.at(x), t.firstSound.at(y))];
}

const SWAP_SIMILARITY = 0.88;

function compareFirst(a: string, b: string, sameSound: boolean, sameName = false): number {
  if (!a || !b) return MISSING;
  if (a === b || ((a.includes(' ') || b.includes(' ')) && a.replace(/ /g, '') === b.replace(/ /g, ''))) return 5;
  // word by word: "marie eve" and "marie pier" share a word but are two names
  if (a.includes(' ') === b.includes(' ') && (sameName || closeSpelling(a, b) || isShortFormOf(a, b))) return 4;
  // Daitch-Mokotoff codes M and N alike: "Nicole" and "Michael" share a code, spelled far apart
  if (sameSound && similarity(a, b) >= SOUND_SIMILARITY) return 4;
  if (compatibleFirstNames(a, b)) return 3;
  // a level of its own: many names are two edits from another ("Marc" / "Mario", "Nicolas" / "Nicole")
  return misspelt(a, b) ? 2 : DIFFERENT;
}

/** How alike first names that sound alike must still be spelled: Jaro-Winkler, Iurii / Yuriy 0.73, Nicole / Michael 0.66. */
const SOUND_SIMILARITY = 0.7;

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
    levels: ['missing', 'different', 'misspelt', 'initials or part', 'nickname, typo or same sound', 'exact'],
    compare: (t, a, b) =>
      namesSwapped(t, a, b)
        ? compareFirst(...crossed(t, a, b, 'first'))
        : compareFirst(
            t.first.at(a),
            t.first.at(b),
            shareSound(t.firstSound.at(a), t.firstSound.at(b)),
            t.firstAcrossLanguages.numbers[a] !== 0 &&
              t.firstAcrossLanguages.numbers[a] === t.firstAcrossLanguages.numbers[b],
          ),
    shown: (t, row) => t.first.at(row),
  },
  {
    field: 'lastName',
    name: true,
    levels: ['missing', 'different', 'similar or same sound', 'part or typo', 'exact'],
    compare: (t, a, b) =>
      namesSwapped(t, a, b)
        ? compareLast(...crossed(t, a, b, 'last'))
        : compareLast(t.last.at(a), t.last.at(b), shareSound(t.lastSound.at(a), t.lastSound.at(b))),
    shown: (t, row) => t.last.at(row),
  },
  {
    field: 'email',
    contactPoint: true,
    levels: ['missing', 'different', 'same distinctive name at another provider, or the provider mistyped', 'exact'],
    compare: (t, a, b) => {
      const [ea, eb] = [t.email.numbers[a], t.email.numbers[b]];
      if (ea === 0 || eb === 0) return MISSING;
      if (ea === eb) return 3;
      // "marie.tremblay@" at two providers may be two Marie Tremblay; "mtremblay1962@" at two is one person
      if (t.emailExtra.numbers[a] === t.emailExtra.numbers[b] && t.emailExtra.at(a).length > 2) return 2;
      const [da, db] = [t.emailDomain.at(a), t.emailDomain.at(b)];
      // one address, its provider mistyped ("gdavidson@jonnson-browh.com" / "gdavidson@johnson-brown.com")
      const user = t.emailUser.numbers[a];
      if (user !== 0 && user === t.emailUser.numbers[b] && providerMistyped(da, db)) return 2;
      // variants of one address at one provider ("lhill@" / "lhill13@", "m.cote@" / "mcote@") say neither: one
      // person's accounts, or namesakes' addresses made alike from their names
      const local = t.emailLocal.numbers[a];
      if (local === 0 || local !== t.emailLocal.numbers[b]) return DIFFERENT;
      return da === db || oneEditApart(da, db) ? MISSING : DIFFERENT;
    },
    shown: (t, row) => t.email.at(row),
  },
  {
    field: 'phone',
    contactPoint: true,
    levels: ['missing', 'different', 'one digit apart', 'exact'],
    compare: (t, a, b) => {
      const [pa, pb] = [t.phone.at(a), t.phone.at(b)];
      if (!pa || !pb) return MISSING;
      if (pa === pb) return 3;
      return oneEditApart(pa, pb) ? 2 : DIFFERENT;
    },
    shown: (t, row) => t.phone.at(row),
  },
  {
    field: 'birthDate',
    levels: ['missing', 'different', 'within a year', 'one digit or a year apart, or day and month swapped', 'exact'],
    compare: (t, a, b) => {
      const [ba, bb] = [t.birth.at(a), t.birth.at(b)];
      if (!ba || !bb) return MISSING;
      if (ba === bb) return 4;
      // a year alone ("c. 1867") agrees with any date of that year, as closely as a typo does
      if (ba.length === 4 || bb.length === 4) {
        const apart = yearsApart(ba, bb);
        return apart === 0 ? 3 : apart === 1 ? 2 : DIFFERENT;
      }
      const swapped =
        ba.length === 8 &&
        bb.length === 8 &&
        ba.slice(0, 4) === bb.slice(0, 4) &&
        ba.slice(4, 6) === bb.slice(6, 8) &&
        ba.slice(6, 8) === bb.slice(4, 6);
      // a year typo that changes two digits (1979 / 1980), or a two-digit year read in the wrong century (57 → 2057)
      const yearOff =
        ba.length === 8 && bb.length === 8 && ba.slice(4) === bb.slice(4) && [1, 100].includes(yearsApart(ba, bb));
      if (swapped || yearOff || oneEditApart(ba, bb)) return 3;
      // an approximate date, or a mistake beyond a typo ("1922-08-25" / "1922-08-19"): weaker, learned as such
      return ba.length === 8 && bb.length === 8 && Math.abs(dayNumber(ba) - dayNumber(bb)) <= 372 ? 2 : DIFFERENT;
    },
    shown: (t, row) => t.birth.at(row),
  },
  {
    field: 'postalCode',
    contactPoint: true,
    levels: ['missing', 'different', 'one character apart', 'exact'],
    compare: (t, a, b) => {
      const [pa, pb] = [t.postal.at(a), t.postal.at(b)];
      if (!pa || !pb) return MISSING;
      // neighbours: the addresses say two buildings, the shared postal code says nothing more
      const [na, nb] = [t.addressNumber.numbers[a], t.addressNumber.numbers[b]];
      if (na !== 0 && nb !== 0 && na !== nb) return MISSING;
      if (pa === pb) return 3;
      return oneEditApart(pa, pb) ? 2 : DIFFERENT;
    },
    shown: (t, row) => t.postal.at(row),
  },
  {
    field: 'address',
    contactPoint: true,
    levels: ['missing', 'different', 'similar street', 'same number, close street', 'exact'],
    compare: (t, a, b) => {
      const [fa, fb] = [t.addressFull.numbers[a], t.addressFull.numbers[b]];
      if (fa === 0 || fb === 0) return MISSING;
      if (fa === fb) return 4;
      const street = similarity(t.addressStreet.at(a), t.addressStreet.at(b));
      const sameNumber = t.addressNumber.numbers[a] === t.addressNumber.numbers[b];
      if (sameNumber && street >= 0.9) return 3;
      return street >= 0.9 || (sameNumber && street >= 0.75) ? 2 : DIFFERENT;
    },
    shown: (t, row) => t.addressFull.at(row),
  },
  {
    field: 'addressLine2',
    contactPoint: true,
    weak: true,
    levels: ['missing', 'different', 'close', 'exact'],
    compare: (t, a, b) => {
      const [ua, ub] = [t.unit.at(a), t.unit.at(b)];
      if (!ua || !ub) return MISSING;
      if (ua === ub) return 3;
      // an apartment is its number ("app 4" / "4"); other lines (a building's name) compare by spelling
      const [da, db] = [ua.replace(/\D/g, ''), ub.replace(/\D/g, '')];
      if (da || db) return da === db ? 2 : DIFFERENT;
      return similarity(ua, ub) >= 0.9 ? 2 : DIFFERENT;
    },
    shown: (t, row) => t.unit.at(row),
  },
  {
    field: 'city',
    contactPoint: true,
    weak: true,
    levels: ['missing', 'different', 'close', 'exact'],
    compare: (t, a, b) => {
      const [ca, cb] = [t.city.at(a), t.city.at(b)];
      if (!ca || !cb) return MISSING;
      if (ca === cb) return 3;
      // "Saint-Léonard" / "Montréal", "Ville de Laval" / "Laval": one city, written two ways
      const sameCity = t.cityArea.numbers[a] === t.cityArea.numbers[b];
      return sameCity || similarity(ca, cb) >= 0.9 ? 2 : DIFFERENT;
    },
    shown: (t, row) => t.city.at(row),
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

/** The levels of rows a and b, all fields, as one integer. */
export function comparisonPattern(t: MatchTable, a: number, b: number): number {
  let pattern = 0;
  for (let i = 0; i < COMPARISONS.length; i++) pattern += COMPARISONS[i].compare(t, a, b) * PATTERN_STRIDES[i];
  return pattern;
}

export function levelOf(pattern: number, field: number): number {
  return Math.floor(pattern / PATTERN_STRIDES[field]) % COMPARISONS[field].levels.length;
}
