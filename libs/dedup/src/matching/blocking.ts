import daitchMokotoff from 'talisman/phonetics/daitch-mokotoff.js';
import fonem from 'talisman/phonetics/french/fonem.js';
import { cityOf } from './city-areas.js';
import type { MatchRecord } from './match-record.js';
import type { MatchTable } from './match-table.js';

/**
 * Blocking: only records sharing a key are compared. Several keys, each from different fields, so that a true pair
 * differing in some fields still shares one; each key is narrow enough that the pair count stays near linear. (A
 * last name + first initial key was measured and dropped: a third of the pairs, and no true pair of its own.)
 */
const phoneticCache = new Map<string, string>();

/** FONEM, a French phonetic code (talisman), of a name's letters; it also groups English spellings (Smith/Smyth). */
export function phonetic(name: string): string {
  if (!name) return '';
  let code = phoneticCache.get(name);
  if (code === undefined) {
    code = fonem(name.replace(/[^a-z]/g, '').toUpperCase());
    if (phoneticCache.size > 200_000) phoneticCache.clear();
    phoneticCache.set(name, code);
  }
  return code;
}

/**
 * Daitch-Mokotoff soundex codes of a name's letters, space-separated: made for Slavic and Germanic names, it gives
 * one code to their transliterations (Oleksandr / Aleksandr / Alexander, Shevchenko / Szewczenko).
 */
export function soundCodes(name: string): string {
  if (!name) return '';
  const key = `dm:${name}`;
  let codes = phoneticCache.get(key);
  if (codes === undefined) {
    const letters = name.replace(/[^a-z]/g, '');
    codes = letters ? daitchMokotoff(letters).join(' ') : '';
    if (phoneticCache.size > 200_000) phoneticCache.clear();
    phoneticCache.set(key, codes);
  }
  return codes;
}

/** Whether two space-separated code lists share a code (compared in place: it runs for every pair compared). */
export function shareSound(a: string, b: string): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  for (let i = 0; i < a.length;) {
    const iEnd = endOfCode(a, i);
    for (let j = 0; j < b.length;) {
      const jEnd = endOfCode(b, j);
      if (iEnd - i === jEnd - j && sameCode(a, i, b, j, iEnd - i)) return true;
      j = jEnd + 1;
    }
    i = iEnd + 1;
  }
  return false;
}

function endOfCode(codes: string, from: number): number {
  const end = codes.indexOf(' ', from);
  return end === -1 ? codes.length : end;
}

function sameCode(a: string, i: number, b: string, j: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (a.charCodeAt(i + k) !== b.charCodeAt(j + k)) return false;
  return true;
}

const initial = (text: string): string => text.charAt(0);
const firstWord = (text: string): string => text.split(' ', 1)[0];
const year = (birth: string): string => (birth.length === 8 ? birth.slice(0, 4) : '');
/** A birth date with its day and month in either order (a transposed date shares it): year, then the two sorted. */
const dayAndMonthEitherWay = (birth: string): string =>
  birth.length === 8 ? `${birth.slice(0, 4)}${[birth.slice(4, 6), birth.slice(6, 8)].sort().join('')}` : '';

export interface BlockingKey {
  name: string;
  /** The record's key, '' when it lacks what the key needs. */
  of(record: MatchRecord): string;
  /**
   * Sorted neighbourhood: records whose keys start with the same two letters are one block, sorted by the whole key;
   * each meets its WINDOW neighbours in that order (or all, in a block of at most MAX_BLOCK). Catches a typo that
   * changes every phonetic code ("Jennfer" / "Jenpifer").
   */
  sorted?: boolean;
  /**
   * The order of an oversized block (the sorted key's own order, else names then birth date, as MatchRecord.sortKey):
   * likely duplicates end up close.
   */
  orderBy?: readonly OrderColumn[];
}

type OrderColumn = 'last' | 'first' | 'birth';
const NAMES_THEN_BIRTH: readonly OrderColumn[] = ['last', 'first', 'birth'];

/**
 * Each key, in order. Every key is a different combination of fields, so that a true pair differing in most fields
 * still shares one; see BENCHMARKS.md for what each adds on each labelled set.
 */
export const BLOCKING_KEYS: readonly BlockingKey[] = [
  { name: 'email', of: (r) => r.email },
  // the local part at another provider, letters only: "marie.tremblay62@" and "marietremblay@" differ here, though
  { name: 'email local part', of: (r) => r.emailLocal },
  { name: 'phone', of: (r) => (r.phone.length >= 7 ? r.phone : '') },
  {
    // both names phonetically, in either order: catches first and last names swapped
    name: 'names',
    of: (r) => {
      if (!r.first || !r.last) return '';
      const [a, b] = [phonetic(firstWord(r.first)), phonetic(r.last)].sort();
      return `${a}|${b}`;
    },
  },
  {
    // both names by sound, in either order: transliterations (Khmelnytskyi / Chmielnicki) and other spellings
    name: 'names by sound',
    of: (r) => {
      if (!r.firstSound || !r.lastSound) return '';
      const [a, b] = [r.firstSound.split(' ', 1)[0], r.lastSound.split(' ', 1)[0]].sort();
      return `${a}|${b}`;
    },
  },
  // the last name with the birth year or the city: the first name mistyped, abbreviated or missing
  {
    name: 'last name and birth year',
    of: (r) => (r.last && year(r.birth) ? `${phonetic(r.last)}|${year(r.birth)}` : ''),
  },
  { name: 'last name and city', of: (r) => (r.last && r.city ? `${phonetic(r.last)}|${cityOf(r.city)}` : '') },
  { name: 'birth date', of: (r) => dayAndMonthEitherWay(r.birth) },
  { name: 'postal code and first initial', of: (r) => (r.postal ? `${r.postal}|${initial(r.first)}` : '') },
  {
    name: 'street address',
    of: (r) => (r.address?.number && r.address.street ? `${r.address.number}|${r.address.street}` : ''),
  },
  {
    name: 'last name, then first name (sorted)',
    sorted: true,
    orderBy: ['last', 'first'],
    of: (r) => (r.last ? `${r.last} ${r.first}` : ''),
  },
  {
    name: 'first name, then last name (sorted)',
    sorted: true,
    orderBy: ['first', 'last'],
    of: (r) => (r.first ? `${r.first} ${r.last}` : ''),
  },
];

/** 32-bit FNV-1a of a key; 0 is kept for "no key". */
export function keyHash(key: string): number {
  if (!key) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash === 0 ? 1 : hash;
}

/** Blocks larger than this are not compared all against all: sorted by name, each record meets its WINDOW next. */
export const MAX_BLOCK = 20;
export const WINDOW = 3;

/** Writes a record's key hashes as row `row` of `hashes` (hashes[row * KEYS + key]). */
export function writeBlockingHashes(record: MatchRecord, hashes: Int32Array, row: number): void {
  const keys = BLOCKING_KEYS.length;
  for (let k = 0; k < keys; k++) {
    const key = BLOCKING_KEYS[k].of(record);
    hashes[row * keys + k] = keyHash(BLOCKING_KEYS[k].sorted ? key.slice(0, 2) : key);
  }
}

/** Which blocks a thread visits: those whose key hash is `index` modulo `of`. */
export interface BlockShare {
  index: number;
  of: number;
}
export const ALL_BLOCKS: BlockShare = { index: 0, of: 1 };

/**
 * Calls `pair(i, j)` once for every pair of records sharing a key (i < j), counted under the first key they share.
 * With `focus`, only pairs with at least one focused record (an incremental run). With `share`, only the pairs of
 * that share of the blocks: the shares of one run, on several threads, make every pair once. It yields to the event
 * loop every few milliseconds: a job's lock must keep being renewed while it computes.
 */
export async function forEachCandidatePair(
  table: MatchTable,
  hashes: Int32Array,
  pair: (i: number, j: number) => void,
  focus: Uint8Array | null = null,
  share: BlockShare = ALL_BLOCKS,
): Promise<number[]> {
  let ranSince = Date.now();
  const keys = BLOCKING_KEYS.length;
  const pairsPerKey = new Array<number>(keys).fill(0);
  // a record's position in its sorted oversized block, per key; -1 when its block was compared all against all.
  // Every share computes them for every block: whether an earlier key produced a pair does not depend on the share.
  const windowPosition = new Int32Array(table.size * keys).fill(-1);
  /** Whether an earlier key already produced the pair: same block, compared all against all or within the window. */
  const producedEarlier = (i: number, j: number, key: number): boolean => {
    for (let k = 0; k < key; k++) {
      const h = hashes[i * keys + k];
      if (h === 0 || h !== hashes[j * keys + k]) continue;
      const [pi, pj] = [windowPosition[i * keys + k], windowPosition[j * keys + k]];
      if (pi === -1 || Math.abs(pi - pj) <= WINDOW) return true;
    }
    return false;
  };
  const visit = (a: number, b: number, key: number): void => {
    const i = a < b ? a : b;
    const j = a < b ? b : a;
    if (focus && !focus[i] && !focus[j]) return;
    if (producedEarlier(i, j, key)) return;
    pairsPerKey[key]++;
    pair(i, j);
  };

  for (let key = 0; key < keys; key++) {
    const rows = rowsByKey(hashes, key, table.size);
    for (let start = 0, end = 0; start < rows.length; start = end) {
      const hash = hashes[rows[start] * keys + key];
      for (end = start + 1; end < rows.length && hashes[rows[end] * keys + key] === hash;) end++;
      const block = rows.subarray(start, end);
      if (block.length < 2) continue;
      if (Date.now() - ranSince > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        ranSince = Date.now();
      }
      if (focus && !block.some((r) => focus[r])) continue;
      const mine = (hash >>> 0) % share.of === share.index;
      if (block.length <= MAX_BLOCK) {
        if (!mine) continue;
        for (let x = 0; x < block.length; x++)
          for (let y = x + 1; y < block.length; y++) visit(block[x], block[y], key);
      } else {
        const columns = (BLOCKING_KEYS[key].orderBy ?? NAMES_THEN_BIRTH).map((column) => table[column]);
        const order = block.sort((a, b) => {
          for (const column of columns) {
            const by = column.rank(a) - column.rank(b);
            if (by !== 0) return by;
          }
          return a - b;
        });
        for (let x = 0; x < order.length; x++) windowPosition[order[x] * keys + key] = x;
        if (!mine) continue;
        for (let x = 0; x < order.length; x++) {
          for (let y = x + 1; y < Math.min(order.length, x + 1 + WINDOW); y++) visit(order[x], order[y], key);
        }
      }
    }
  }
  return pairsPerKey;
}

/**
 * The rows that have the key (hash not 0), grouped by hash: each block is a run of equal hashes, its rows in order.
 * Two stable counting sorts, on the low then the high 16 bits: a few passes over typed arrays, no object per block.
 */
function rowsByKey(hashes: Int32Array, key: number, size: number): Int32Array {
  const keys = BLOCKING_KEYS.length;
  let count = 0;
  for (let r = 0; r < size; r++) if (hashes[r * keys + key] !== 0) count++;
  let rows = new Int32Array(count);
  for (let r = 0, at = 0; r < size; r++) if (hashes[r * keys + key] !== 0) rows[at++] = r;
  let sorted = new Int32Array(count);
  for (const shift of [0, 16]) {
    const starts = new Int32Array(0x10001);
    for (let i = 0; i < count; i++) starts[((hashes[rows[i] * keys + key] >>> shift) & 0xffff) + 1]++;
    for (let digit = 1; digit <= 0xffff; digit++) starts[digit] += starts[digit - 1];
    for (let i = 0; i < count; i++) sorted[starts[(hashes[rows[i] * keys + key] >>> shift) & 0xffff]++] = rows[i];
    [rows, sorted] = [sorted, rows];
  }
  return rows;
}
