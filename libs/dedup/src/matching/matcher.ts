import { createHash } from 'node:crypto';
import { ALL_BLOCKS, type BlockShare, BLOCKING_KEYS, forEachCandidatePair, writeBlockingHashes } from './blocking.js';
import { coherentClusters, type ScoredPair } from './clustering.js';
import type { ComparisonThreads } from './comparison-threads.js';
import { COMPARISONS, comparisonPattern, DIFFERENT, fieldIndex, levelOf } from './comparisons.js';
import {
  estimateU,
  learnParameters,
  PART_FIRST,
  levelWeights,
  WITHIN_A_YEAR,
  type MatchParameters,
  matchWeight,
  namesCloseAndNothingDiffers,
  type PatternCounts,
  patternWeight,
  type PatternWeight,
  probability,
} from './fellegi-sunter.js';
import type { MatchRecord } from './match-record.js';
import { grow, type MatchTable, MatchTableBuilder, sharedCopy } from './match-table.js';

/**
 * The pairs blocking produced, with each pair's comparison pattern: in the chunks the threads filled (joined, they
 * would be held twice while copied).
 */
export interface ComparedPairs {
  count: number;
  chunks: readonly PairChunk[];
  /** pairs first found by each blocking key */
  perKey: Record<string, number>;
}

/** Pairs left[p] < right[p] (rows), p < count. */
export interface PairChunk {
  count: number;
  left: Int32Array;
  right: Int32Array;
  pattern: Int32Array;
}

/** Calls `pair` with each pair's rows and pattern, in order. */
export function forEachPair(pairs: ComparedPairs, pair: (a: number, b: number, pattern: number) => void): void {
  for (const { count, left, right, pattern } of pairs.chunks)
    for (let p = 0; p < count; p++) pair(left[p], right[p], pattern[p]);
}

/** Records as a run compares them: their table, and their blocking key hashes (hashes[row * KEYS + key]). */
export interface MatchInput {
  table: MatchTable;
  hashes: Int32Array;
}

/** Builds a MatchInput batch by batch: the records as objects can go once added. */
export class MatchInputBuilder {
  private readonly table = new MatchTableBuilder();
  private hashes = new Int32Array(1024 * BLOCKING_KEYS.length);

  add(records: readonly MatchRecord[]): void {
    const needed = (this.table.length + records.length) * BLOCKING_KEYS.length;
    if (needed > this.hashes.length) this.hashes = grow(this.hashes, Math.max(needed, this.hashes.length * 2));
    for (const record of records) {
      writeBlockingHashes(record, this.hashes, this.table.length);
      this.table.add(record);
    }
  }

  build(): MatchInput {
    const table = this.table.build();
    return { table, hashes: sharedCopy(this.hashes.subarray(0, table.size * BLOCKING_KEYS.length)) };
  }
}

export function matchInput(records: readonly MatchRecord[]): MatchInput {
  const builder = new MatchInputBuilder();
  builder.add(records);
  return builder.build();
}

/**
 * Compares every candidate pair (see blocking); with `focus`, only pairs touching a focused record. With `threads`,
 * on them.
 */
export async function compareCandidates(
  { table, hashes }: MatchInput,
  focus: Uint8Array | null = null,
  threads: ComparisonThreads | null = null,
): Promise<ComparedPairs> {
  return threads
    ? threads.compare(table, hashes, focus)
    : joinShares([await comparePairs(table, hashes, focus, ALL_BLOCKS)]);
}

/** One thread's pairs, in the chunks it filled: none is copied while the count grows. */
export interface PairShare {
  chunks: PairChunk[];
  /** pairs first found by each blocking key, in BLOCKING_KEYS order */
  perKey: number[];
}
const CHUNK_PAIRS = 1 << 20;

function newChunk(capacity: number): PairChunk {
  return {
    count: 0,
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
    pattern: new Int32Array(capacity),
  };
}

/** The pairs of one share of the blocks, with their comparison patterns (one thread's part of compareCandidates). */
export async function comparePairs(
  table: MatchTable,
  hashes: Int32Array,
  focus: Uint8Array | null,
  share: BlockShare,
): Promise<PairShare> {
  let chunk = newChunk(Math.min(CHUNK_PAIRS, Math.max(1024, table.size * 4)));
  const chunks = [chunk];
  const perKey = await forEachCandidatePair(
    table,
    hashes,
    (i, j) => {
      if (chunk.count === chunk.left.length) chunks.push((chunk = newChunk(CHUNK_PAIRS)));
      chunk.left[chunk.count] = i;
      chunk.right[chunk.count] = j;
      chunk.pattern[chunk.count] = comparisonPattern(table, i, j);
      chunk.count++;
    },
    focus,
    share,
  );
  return { chunks, perKey };
}

/** The pairs of every share. */
export function joinShares(shares: readonly PairShare[]): ComparedPairs {
  const chunks = shares.flatMap((share) => share.chunks);
  const perKey = BLOCKING_KEYS.map((_, k) => shares.reduce((sum, share) => sum + share.perKey[k], 0));
  return {
    count: chunks.reduce((sum, chunk) => sum + chunk.count, 0),
    chunks,
    perKey: Object.fromEntries(BLOCKING_KEYS.map((key, k) => [key.name, perKey[k]])),
  };
}

export function patternCounts(pairs: ComparedPairs): PatternCounts {
  const counts: PatternCounts = new Map();
  forEachPair(pairs, (_a, _b, pattern) => counts.set(pattern, (counts.get(pattern) ?? 0) + 1));
  return counts;
}

const FIRST_NAME = fieldIndex('firstName');
const LAST_NAME = fieldIndex('lastName');
const BIRTH_DATE = fieldIndex('birthDate');
const EXACT_FIRST = COMPARISONS[FIRST_NAME].levels.length - 1;
const EXACT_LAST = COMPARISONS[LAST_NAME].levels.length - 1;
/**
 * An adjustment for how common a name is adds at most 4 bits (a rare last name is shared by a whole family) and takes
 * away at most 8.
 */
const ADJUSTMENT = { min: -8, max: 4 };

/** What NameFrequencies counts: whole first names, first-name words, last names. */
export const NAME_KINDS = ['first', 'firstWord', 'last'] as const;
export type NameKind = (typeof NAME_KINDS)[number];

/**
 * How common each name is among the organization's contacts: agreeing on "Marie Tremblay" says less than agreeing on
 * "Ophélie Vanasse" (Splink's term-frequency adjustment). Shares of the records; first-name words for the "part" level.
 */
export class NameFrequencies {
  private readonly first = new Map<string, number>();
  private readonly firstWord = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private size: number;

  /** Counted over a table's rows (none: every name is rare). */
  constructor(table?: MatchTable) {
    this.size = Math.max(1, table?.size ?? 0);
    if (!table) return;
    // per value first (a column numbers its values), then per name
    const perValue = (column: MatchTable['first']) => {
      const counts = new Int32Array(column.values.length);
      for (let row = 0; row < table.size; row++) counts[column.numbers[row]]++;
      return counts;
    };
    const [first, last] = [perValue(table.first), perValue(table.last)];
    table.first.values.forEach((name, id) => {
      if (!name) return;
      this.first.set(name, first[id]);
      for (const word of new Set(name.split(' ')))
        this.firstWord.set(word, (this.firstWord.get(word) ?? 0) + first[id]);
    });
    table.last.values.forEach((name, id) => name && this.last.set(name, last[id]));
  }

  /** The names a record is counted under, by kind: what `fromCounts` needs counted for it. */
  static termsOf(record: MatchRecord): Record<NameKind, string[]> {
    return {
      first: record.first ? [record.first] : [],
      firstWord: record.first ? [...new Set(record.first.split(' '))] : [],
      last: record.last ? [record.last] : [],
    };
  }

  /**
   * The same frequencies from counts made elsewhere (SQL over stored names): `size` records, and for each kind how
   * many records have each name. Names absent from the counts count as rare, as in the constructor.
   */
  static fromCounts(size: number, counts: Record<NameKind, ReadonlyMap<string, number>>): NameFrequencies {
    const names = new NameFrequencies();
    names.size = Math.max(1, size);
    for (const kind of NAME_KINDS) for (const [name, count] of counts[kind]) names[kind].set(name, count);
    return names;
  }

  /** Every name counted, with its kind and count. */
  *counts(): Generator<[NameKind, string, number]> {
    for (const kind of NAME_KINDS) for (const [name, count] of this[kind]) yield [kind, name, count];
  }

  /**
   * The names the adjustment of a pair looks up: those the pair agrees on (`a`'s value), by kind. What must be counted
   * for `fromCounts` to adjust the pair.
   */
  static agreedNames(t: MatchTable, a: number, b: number, pattern: number): [NameKind, string][] {
    const names: [NameKind, string][] = [];
    const firstLevel = levelOf(pattern, FIRST_NAME);
    if (firstLevel === EXACT_FIRST) names.push(['first', t.first.at(a)]);
    else if (firstLevel === PART_FIRST) {
      // the words both names have: "marie" (in Marie-Ève, Anne-Marie...) says little, "ophelie" much
      const [fa, fb] = [t.first.at(a), t.first.at(b)];
      const [short, long] = fa.length <= fb.length ? [fa, fb] : [fb, fa];
      for (const word of short.split(' '))
        if (word.length > 1 && long.split(' ').includes(word)) names.push(['firstWord', word]);
    }
    if (levelOf(pattern, LAST_NAME) === EXACT_LAST) names.push(['last', t.last.at(a)]);
    return names;
  }

  /**
   * How many records would bear the row's full name by chance, were first and last names drawn independently:
   * count(first) × count(last) / records. Below 1, the name's records are likely one person's.
   */
  byChance(t: MatchTable, row: number): number {
    return ((this.first.get(t.first.at(row)) ?? 1) * (this.last.get(t.last.at(row)) ?? 1)) / this.size;
  }

  /**
   * The whole first and last names of both rows, by kind, where the pair may be scored as names alone
   * (namesCloseAndNothingDiffers): what `byChance` needs counted for `fromCounts`.
   */
  static fullNames(t: MatchTable, a: number, b: number, pattern: number): [NameKind, string][] {
    if (!namesCloseAndNothingDiffers(pattern)) return [];
    return [a, b].flatMap((row): [NameKind, string][] => [
      ['first', t.first.at(row)],
      ['last', t.last.at(row)],
    ]);
  }

  /** Per name, log2(average u of the level / this value's share): positive for rare names, negative for common ones. */
  adjustment(t: MatchTable, a: number, b: number, pattern: number, u: number[][]): { first: number; last: number } {
    const bits = { first: 0, last: 0 };
    const firstWords: number[] = [];
    for (const [kind, name] of NameFrequencies.agreedNames(t, a, b, pattern)) {
      if (kind === 'first') bits.first = this.bits(u[FIRST_NAME][EXACT_FIRST], this.first.get(name));
      else if (kind === 'firstWord') firstWords.push(this.firstWord.get(name) ?? 1);
      else bits.last = this.bits(u[LAST_NAME][EXACT_LAST], this.last.get(name));
    }
    // the rarest shared word
    if (firstWords.length > 0) bits.first = this.bits(u[FIRST_NAME][PART_FIRST], Math.min(...firstWords));
    return bits;
  }

  private bits(averageU: number, count: number | undefined): number {
    const share = Math.max(1, count ?? 1) / this.size;
    return Math.max(ADJUSTMENT.min, Math.min(ADJUSTMENT.max, Math.log2(averageU / share)));
  }
}

/** Scores pairs: the probability that they are one person. */
export class PairScorer {
  private readonly weights: number[][];
  private readonly patterns = new Map<number, PatternWeight>();

  constructor(
    readonly parameters: MatchParameters,
    readonly names: NameFrequencies | null = null,
  ) {
    this.weights = levelWeights(parameters);
  }

  /**
   * Parameters learned from the records: u from `uSamples` random pairs (estimateU), then m by
   * expectation-maximisation over `pairs`.
   */
  static learned(table: MatchTable, pairs: ComparedPairs, start?: MatchParameters, uSamples?: number): PairScorer {
    const u = estimateU(
      table.size,
      (i, j) => comparisonPattern(table, i, j),
      (i) => table.last.at(i),
      // both given and nothing alike: a missing or misspelt first name is more often one of the person's own records
      (i, j) => COMPARISONS[FIRST_NAME].compare(table, i, j) === DIFFERENT,
      uSamples,
    );
    return new PairScorer(learnParameters(patternCounts(pairs), u, table.size, start), new NameFrequencies(table));
  }

  /** The score of rows a and b, compared here. */
  compareAndScore(t: MatchTable, a: number, b: number): number {
    return this.score(t, a, b, comparisonPattern(t, a, b));
  }

  /** `noNamesakes`: the pair's names show no namesake (Namesakes.ruledOut), which a names-only pair needs for review. */
  score(t: MatchTable, a: number, b: number, pattern: number, noNamesakes = false): number {
    const names = this.nameAdjustment(t, a, b, pattern);
    return probability(matchWeight(this.patternWeight(pattern), names.first + names.last, noNamesakes));
  }

  /** Whether a pair with this pattern agrees closely on names, on nothing else strongly, and disagrees on nothing. */
  namesOnly(pattern: number): boolean {
    return this.patternWeight(pattern).namesOnly;
  }

  /** The highest score a pair with this pattern can have, whatever its names (the most a rarity adjustment adds). */
  bestScore(pattern: number): number {
    return probability(matchWeight(this.patternWeight(pattern), this.names ? 2 * ADJUSTMENT.max : 0));
  }

  private nameAdjustment(t: MatchTable, a: number, b: number, pattern: number): { first: number; last: number } {
    return this.names?.adjustment(t, a, b, pattern, this.parameters.u) ?? { first: 0, last: 0 };
  }

  private patternWeight(pattern: number): PatternWeight {
    let weight = this.patterns.get(pattern);
    if (!weight) {
      weight = patternWeight(pattern, this.weights, this.parameters.lambda);
      this.patterns.set(pattern, weight);
    }
    return weight;
  }

  /** Field by field, what each record holds, how they compare and what it weighed (log2 odds; names as adjusted). */
  evidence(t: MatchTable, a: number, b: number, pattern: number): PairEvidence[] {
    const names = this.nameAdjustment(t, a, b, pattern);
    return COMPARISONS.map((comparison, field) => {
      const level = levelOf(pattern, field);
      const adjusted = field === FIRST_NAME ? names.first : field === LAST_NAME ? names.last : 0;
      return {
        field: comparison.field,
        level: comparison.levels[level],
        a: comparison.shown(t, a) || null,
        b: comparison.shown(t, b) || null,
        weight: Math.round((this.weights[field][level] + adjusted) * 100) / 100,
      };
    });
  }
}

export interface PairEvidence {
  field: string;
  level: string;
  a: string | null;
  b: string | null;
  weight: number;
}

/**
 * What a run keeps of its compared pairs: those scoring at or above `threshold`, grouped by coherentClusters (each pair
 * between two groups scored by `scorer`). Each record's group (its smallest member) and the links inside a group.
 */
export function linkedPairs(
  table: MatchTable,
  pairs: ComparedPairs,
  scorer: PairScorer,
  threshold: number,
): { roots: Int32Array; links: (ScoredPair & { pattern: number })[] } {
  const links: (ScoredPair & { pattern: number })[] = [];
  const [namesOnly, namesOnlyPatterns]: number[][] = [[], []]; // rows a and b of each pair, and its pattern
  forEachPair(pairs, (a, b, pattern) => {
    if (scorer.namesOnly(pattern)) {
      namesOnly.push(a, b);
      namesOnlyPatterns.push(pattern);
    }
    // most pairs are far from the threshold, whatever their names: their names are not looked up
    else if (scorer.bestScore(pattern) >= threshold) {
      const score = scorer.score(table, a, b, pattern);
      if (score >= threshold) links.push({ a, b, score, pattern });
    }
  });
  const namesakes = new Namesakes(table, scorer, namesOnly);
  namesOnlyPatterns.forEach((pattern, p) => {
    const [a, b] = [namesOnly[2 * p], namesOnly[2 * p + 1]];
    const score = scorer.score(table, a, b, pattern, namesakes.ruledOut(a, b));
    if (score >= threshold) links.push({ a, b, score, pattern });
  });
  return coherentClusters(table.size, links, (a, b) => scorer.compareAndScore(table, a, b));
}

/**
 * Whether a full name may be borne by several people. It may when it is common enough that a person or more of it is
 * expected by chance (NameFrequencies.byChance, records, over the records per person EM found: "Stéphane Labrecque"
 * among a million contacts), or when its records show birth dates that cannot be one person's ("Jean Roy" born 1950
 * and 1978; any two more than a typo apart, unless one date is a typo or less from all the others). Otherwise records
 * that agree on it and disagree on nothing are likely one person (Splink links them on the names' rarity alone). Birth
 * dates are looked up in the table (a focused run or possibleDuplicates: the contacts sharing a key with the focus,
 * which include those of a rare name), for the names of `rows` only; without frequencies every name is rare.
 */
export class Namesakes {
  /** full name → the rows of its distinct birth dates, null past MAX_BIRTHS_PER_NAME */
  private readonly births = new Map<number, number[] | null>();

  private readonly names: NameFrequencies | null;
  private readonly recordsPerPerson: number;

  constructor(
    private readonly table: MatchTable,
    scorer: PairScorer,
    rows: Iterable<number>,
  ) {
    this.names = scorer.names;
    this.recordsPerPerson = Math.max(1, scorer.parameters.recordsPerPerson ?? 1);
    for (const row of rows) this.births.set(this.nameOf(row), []);
    for (let row = 0; row < table.size; row++) {
      const birth = table.birth.numbers[row];
      const births = birth ? this.births.get(this.nameOf(row)) : undefined;
      if (!births || births.some((other) => table.birth.numbers[other] === birth)) continue;
      if (births.length < MAX_BIRTHS_PER_NAME) births.push(row);
      else this.births.set(this.nameOf(row), null);
    }
  }

  /** Neither a's full name nor b's is expected by chance, and one birth date on them is a typo or less from every other. */
  ruledOut(a: number, b: number): boolean {
    const byChance = this.names ? Math.max(this.names.byChance(this.table, a), this.names.byChance(this.table, b)) : 0;
    if (byChance / this.recordsPerPerson >= 1) return false;
    const [ofA, ofB] = [this.births.get(this.nameOf(a)), this.births.get(this.nameOf(b))];
    if (!ofA || !ofB) return false;
    // one person's dates, mistyped each a different way, are each a typo from the true one but may be two from each
    // other ("19140617", "19170617", "19140611")
    const rows = [...ofA, ...ofB];
    return rows.length === 0 || rows.some((center) => rows.every((other) => !this.conflict(center, other)));
  }

  private conflict(a: number, b: number): boolean {
    return a !== b && COMPARISONS[BIRTH_DATE].compare(this.table, a, b) <= WITHIN_A_YEAR;
  }

  private nameOf(row: number): number {
    return this.table.first.numbers[row] * this.table.last.values.length + this.table.last.numbers[row];
  }
}

/** A name with more distinct birth dates than this has namesakes (or too many errors to tell). */
const MAX_BIRTHS_PER_NAME = 6;

/** Connected components of the pairs (union-find): what merging every pair would make. Returns each record's root. */
export function clusterRoots(size: number, pairs: Iterable<[number, number]>): Int32Array {
  const parent = new Int32Array(size);
  for (let i = 0; i < size; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (const [a, b] of pairs) {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  for (let i = 0; i < size; i++) parent[i] = find(i);
  return parent;
}

/** What the pair's compared values are: a dismissed pair is proposed again only when this changes. */
export function pairFingerprint(t: MatchTable, a: number, b: number): string {
  const values = COMPARISONS.map((comparison) => `${comparison.shown(t, a)}\u0001${comparison.shown(t, b)}`).join(
    '\u0002',
  );
  return createHash('sha1').update(values).digest('base64url');
}
