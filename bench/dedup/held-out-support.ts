/**
 * What the held-out generators (synthetic-people.ts, historical-people.ts, translit-people.ts) share: seeded streams,
 * the ways a typed or scanned value goes wrong (keyboard slips, OCR confusions, spelling by ear, case and accents),
 * birth-date errors, the record order, and a CSV writer with headers the contacts import recognizes.
 *
 * The error models here come from how exports go wrong (box-office and newsletter files, parish and municipal
 * registers, OCR of printed lists), chosen without looking at the matcher (libs/dedup/src/matching): these sets
 * measure whether it generalizes, so they must not be shaped by what it handles.
 */
import { writeFile } from 'node:fs/promises';
import { mix32, mulberry32, Rng } from '@app/fixtures';
import { KEYBOARD } from './quebec-people.js';

/** One record of a held-out set: `person` says which records describe the same person. */
export interface HeldOutRow {
  /** The truth label: rows with the same person are duplicates of one another. */
  person: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** YYYY-MM-DD, or as a clerk wrote it (a year alone, an impossible date). */
  birthDate: string | null;
  city: string | null;
  postalCode: string | null;
}

/** The size of a set: a number of people (entities), or (stopping at the person that reaches it) of records. */
export type HeldOutSize = { people: number; records?: undefined } | { records: number; people?: undefined };
export type HeldOutOptions = HeldOutSize & { seed: number };

export function checkHeldOutOptions(options: HeldOutOptions): void {
  const size = options.people ?? options.records;
  if (!Number.isInteger(size) || size < 1) throw new Error('people or records must be a positive integer');
  if (!Number.isInteger(options.seed)) throw new Error('seed must be an integer');
}

/** An independent stream per (seed, tag, a, b): one per person and record, so sizes do not shift one another. */
export function streamOf(seed: number, tag: number, a = 0, b = 0): Rng {
  let h = mix32(Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(tag, 0x7feb352d));
  h = mix32(h ^ Math.imul((a + 1) | 0, 0x85ebca77));
  h = mix32(h ^ Math.imul((b + 1) | 0, 0xc2b2ae3d));
  return new Rng(mulberry32(h));
}

/** Picks from [item, weight] pairs. */
export const weighted = <T>(rng: Rng, items: readonly (readonly [T, number])[]): T => rng.weighted(items);

/** Zipf-like weights over a list ordered from the most common: what name frequencies look like. */
export function zipf<T>(items: readonly T[], offset = 2): [T, number][] {
  return items.map((item, rank) => [item, 1 / (rank + 1 + offset)]);
}

// --- Text -------------------------------------------------------------------------------------

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/ł/g, 'l').replace(/Ł/g, 'L');
}

export function capitalize(word: string): string {
  return word
    .toLowerCase()
    .replace(/(^|[\s'-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

function sameCase(model: string, text: string): string {
  return model === model.toLowerCase() ? text.toLowerCase() : text.toUpperCase();
}

/** One typing slip: a neighbouring key, a dropped, doubled or extra letter, two letters swapped. Seldom the first letter. */
export function keyboardTypo(rng: Rng, word: string): string {
  if (word.length < 2) return word;
  for (let attempt = 0; attempt < 6; attempt++) {
    const at = rng.chance(0.08) ? 0 : rng.int(1, word.length - 1);
    const char = word[at];
    if (!/\p{L}/u.test(char)) continue;
    const keys = KEYBOARD[stripAccents(char).toLowerCase()] ?? 'aeiou';
    const roll = rng.float();
    let result: string;
    if (roll < 0.35) result = word.slice(0, at) + sameCase(char, rng.pick([...keys])) + word.slice(at + 1);
    else if (roll < 0.6) result = word.length > 3 ? word.slice(0, at) + word.slice(at + 1) : word;
    else if (roll < 0.75) result = word.slice(0, at + 1) + char + word.slice(at + 1);
    else if (roll < 0.82) result = word.slice(0, at + 1) + sameCase(char, rng.pick([...keys])) + word.slice(at + 1);
    else {
      const next = at + 1 < word.length ? at + 1 : at - 1;
      const [i, j] = next > at ? [at, next] : [next, at];
      result = word.slice(0, i) + word[j] + word[i] + word.slice(j + 1);
    }
    if (result !== word) return result;
  }
  return word;
}

/** What a scanner reads wrong in printed names: rn/m, cl/d, li/h, u/v, e/c, i/l, O/0, I/1, S/5. */
const OCR_CONFUSIONS: readonly (readonly [string, string])[] = [
  ['rn', 'm'],
  ['m', 'rn'],
  ['cl', 'd'],
  ['d', 'cl'],
  ['li', 'h'],
  ['h', 'li'],
  ['u', 'v'],
  ['v', 'u'],
  ['n', 'u'],
  ['u', 'n'],
  ['e', 'c'],
  ['c', 'e'],
  ['i', 'l'],
  ['l', 'i'],
  ['l', '1'],
  ['o', '0'],
  ['O', '0'],
  ['I', 'l'],
  ['S', '5'],
  ['B', '8'],
  ['a', 'o'],
  ['t', 'f'],
];

export function ocrError(rng: Rng, word: string): string {
  const options = OCR_CONFUSIONS.filter(([from]) => word.includes(from, 1));
  if (options.length === 0) return keyboardTypo(rng, word);
  const [from, to] = rng.pick(options);
  const positions: number[] = [];
  for (let at = word.indexOf(from, 1); at >= 0; at = word.indexOf(from, at + 1)) positions.push(at);
  const at = rng.pick(positions);
  return word.slice(0, at) + to + word.slice(at + from.length);
}

/** Spelled by ear: what someone writes down from a name said aloud (ph/f, c/k, doubled or single letters, ie/ei, y/i). */
const BY_EAR: readonly (readonly [RegExp, string])[] = [
  [/ph/, 'f'],
  [/f/, 'ph'],
  [/ck/, 'k'],
  [/c(?=[aou])/, 'k'],
  [/k/, 'c'],
  [/([lnrstmp])\1/, '$1'],
  [/([aeiou])([lnrst])(?=[aeiou])/, '$1$2$2'],
  [/ie/, 'ei'],
  [/ei/, 'ie'],
  [/y/, 'i'],
  [/i(?=[aeou])/, 'y'],
  [/eau$/, 'o'],
  [/ault$/, 'eault'],
  [/th/, 't'],
  [/s$/, ''],
  [/e$/, ''],
  [/([^e])$/, '$1e'],
  [/ou/, 'u'],
  [/w/, 'v'],
  [/v/, 'w'],
];

export function byEar(rng: Rng, word: string): string {
  const lower = word.toLowerCase();
  const options = BY_EAR.filter(([pattern]) => pattern.test(lower.slice(1)));
  if (options.length === 0) return keyboardTypo(rng, word);
  const [pattern, replacement] = rng.pick(options);
  const changed = word[0] + lower.slice(1).replace(pattern, replacement);
  return word === word.toUpperCase() ? changed.toUpperCase() : changed;
}

/** A name as it comes out of an export: maybe in capitals, lower case or without accents. */
export function exportCase(
  rng: Rng,
  text: string,
  rates: { upper: number; lower: number; accentless: number },
): string {
  let result = rng.chance(rates.accentless) ? stripAccents(text) : text;
  const roll = rng.float();
  if (roll < rates.upper) result = result.toUpperCase();
  else if (roll < rates.upper + rates.lower) result = result.toLowerCase();
  return result;
}

// --- Dates -------------------------------------------------------------------------------------

export interface Ymd {
  year: number;
  month: number;
  day: number;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

export function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function iso({ year, month, day }: Ymd): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

export function randomDate(rng: Rng, fromYear: number, toYear: number): Ymd {
  const year = rng.int(fromYear, toYear);
  const month = rng.int(1, 12);
  return { year, month, day: rng.int(1, daysIn(year, month)) };
}

export function addDays(date: Ymd, days: number): Ymd {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** Day and month read the other way round: a real but wrong date when the day is 12 or less, else an impossible one (kept as typed). */
export function transposed(date: Ymd): string {
  return `${pad(date.year, 4)}-${pad(date.day)}-${pad(date.month)}`;
}

/** One wrong digit in the year, or its last two digits swapped (1978 → 1987). */
export function yearTypo(rng: Rng, year: number): number {
  const text = String(year);
  if (rng.chance(0.4) && text[2] !== text[3]) return Number(text.slice(0, 2) + text[3] + text[2]);
  const at = rng.chance(0.75) ? 3 : 2;
  let digit = Number(text[at]);
  digit = rng.chance(0.5) ? (digit + 1) % 10 : (digit + 9) % 10;
  return Number(text.slice(0, at) + String(digit) + text.slice(at + 1));
}

/** The same date written as a date-typed column might hold it, when a record does not give it ISO. */
export function dateFormat(rng: Rng, date: Ymd, rates: { slashes: number; compact: number }): string {
  const roll = rng.float();
  if (roll < rates.slashes) return `${pad(date.year, 4)}/${pad(date.month)}/${pad(date.day)}`;
  if (roll < rates.slashes + rates.compact) return `${pad(date.year, 4)}${pad(date.month)}${pad(date.day)}`;
  return iso(date);
}

// --- Record order and CSV ----------------------------------------------------------------------

/** Fisher–Yates with a seeded stream: the records of a person should not come together. */
export function shuffled<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Headers the contacts import recognizes (libs/contacts/src/import/import-columns.util.ts), then the truth label. */
export const HELD_OUT_HEADERS = ['first_name', 'last_name', 'email', 'birth_date', 'city', 'postal_code', 'person'];

function csvCell(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function heldOutCsv(rows: readonly HeldOutRow[]): string {
  const lines = [HELD_OUT_HEADERS.join(',')];
  for (const row of rows)
    lines.push(
      [row.firstName, row.lastName, row.email, row.birthDate, row.city, row.postalCode, row.person]
        .map(csvCell)
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}

export interface HeldOutCounts {
  people: number;
  records: number;
  /** Σ n(n − 1)/2 over the people */
  truePairs: number;
}

export function heldOutCounts(rows: readonly HeldOutRow[]): HeldOutCounts {
  const sizes = new Map<string, number>();
  for (const row of rows) sizes.set(row.person, (sizes.get(row.person) ?? 0) + 1);
  let truePairs = 0;
  for (const n of sizes.values()) truePairs += (n * (n - 1)) / 2;
  return { people: sizes.size, records: rows.length, truePairs };
}

/** Writes the rows as a UTF-8 CSV (HELD_OUT_HEADERS); the sets are small enough to build in memory. */
export async function writeHeldOutCsv(file: string, rows: readonly HeldOutRow[]): Promise<HeldOutCounts> {
  await writeFile(file, heldOutCsv(rows), 'utf8');
  return heldOutCounts(rows);
}

/**
 * Records group by group (a person, or a household or namesakes made together) until the size is reached, then
 * shuffled: `make(groupIndex)` gives a group's records. Stops after `people` people, or at the group whose records
 * reach `records` (cut to fit).
 */
export function collect(options: HeldOutOptions, make: (group: number) => HeldOutRow[]): HeldOutRow[] {
  checkHeldOutOptions(options);
  const rows: HeldOutRow[] = [];
  const people = new Set<string>();
  for (let group = 0; ; group++) {
    if (options.people !== undefined && people.size >= options.people) break;
    if (options.records !== undefined && rows.length >= options.records) break;
    for (const row of make(group)) {
      if (options.people !== undefined && !people.has(row.person) && people.size >= options.people) continue;
      people.add(row.person);
      rows.push(row);
    }
  }
  if (options.records !== undefined) rows.length = Math.min(rows.length, options.records);
  return shuffled(streamOf(options.seed, 0xfeed, rows.length), rows);
}
