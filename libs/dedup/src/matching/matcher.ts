import { createHash } from 'node:crypto';
import { ALL_BLOCKS, type BlockShare, blockingHashes, BLOCKING_KEYS, forEachCandidatePair } from './blocking.js';
import { coherentClusters, type ScoredPair } from './clustering.js';
import type { ComparisonThreads } from './comparison-threads.js';
import { COMPARISONS, comparisonPattern, fieldIndex, levelOf } from './comparisons.js';
import {
  estimateU,
  learnParameters,
  PART_FIRST,
  levelWeights,
  type MatchParameters,
  matchWeight,
  type PatternCounts,
  patternWeight,
  type PatternWeight,
  probability,
} from './fellegi-sunter.js';
import type { MatchRecord } from './match-record.js';

/** The pairs blocking produced, with each pair's comparison pattern. */
export interface ComparedPairs {
  count: number;
  left: Int32Array;
  right: Int32Array;
  pattern: Int32Array;
  /** pairs first found by each blocking key */
  perKey: Record<string, number>;
}

/**
 * Compares every candidate pair (see blocking); with `focus`, only pairs touching a focused record. With `threads`,
 * on them (records given to them as they loaded).
 */
export async function compareCandidates(
  records: readonly MatchRecord[],
  focus: Uint8Array | null = null,
  threads: ComparisonThreads | null = null,
): Promise<ComparedPairs> {
  return threads ? threads.compare(records, focus) : comparePairs(records, blockingHashes(records), focus, ALL_BLOCKS);
}

/** The pairs of one share of the blocks, with their comparison patterns (one thread's part of compareCandidates). */
export async function comparePairs(
  records: readonly MatchRecord[],
  hashes: Int32Array,
  focus: Uint8Array | null,
  share: BlockShare,
): Promise<ComparedPairs> {
  let capacity = Math.max(1024, records.length * 4);
  let left = new Int32Array(capacity);
  let right = new Int32Array(capacity);
  let pattern = new Int32Array(capacity);
  let count = 0;
  const perKey = await forEachCandidatePair(
    records,
    hashes,
    (i, j) => {
      if (count === capacity) {
        capacity *= 2;
        left = grow(left, capacity);
        right = grow(right, capacity);
        pattern = grow(pattern, capacity);
      }
      left[count] = i;
      right[count] = j;
      pattern[count] = comparisonPattern(records[i], records[j]);
      count++;
    },
    focus,
    share,
  );
  return {
    count,
    left,
    right,
    pattern,
    perKey: Object.fromEntries(BLOCKING_KEYS.map((key, k) => [key.name, perKey[k]])),
  };
}

function grow(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(capacity);
  larger.set(array);
  return larger;
}

export function patternCounts(pairs: ComparedPairs): PatternCounts {
  const counts: PatternCounts = new Map();
  for (let p = 0; p < pairs.count; p++) counts.set(pairs.pattern[p], (counts.get(pairs.pattern[p]) ?? 0) + 1);
  return counts;
}

const FIRST_NAME = fieldIndex('firstName');
const LAST_NAME = fieldIndex('lastName');
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

  constructor(records: readonly MatchRecord[]) {
    this.size = Math.max(1, records.length);
    for (const record of records) {
      if (record.first) {
        this.first.set(record.first, (this.first.get(record.first) ?? 0) + 1);
        for (const word of new Set(record.first.split(' ')))
          this.firstWord.set(word, (this.firstWord.get(word) ?? 0) + 1);
      }
      if (record.last) this.last.set(record.last, (this.last.get(record.last) ?? 0) + 1);
    }
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
    const names = new NameFrequencies([]);
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
  static agreedNames(a: MatchRecord, b: MatchRecord, pattern: number): [NameKind, string][] {
    const names: [NameKind, string][] = [];
    const firstLevel = levelOf(pattern, FIRST_NAME);
    if (firstLevel === EXACT_FIRST) names.push(['first', a.first]);
    else if (firstLevel === PART_FIRST) {
      // the words both names have: "marie" (in Marie-Ève, Anne-Marie...) says little, "ophelie" much
      const [short, long] = a.first.length <= b.first.length ? [a.first, b.first] : [b.first, a.first];
      for (const word of short.split(' '))
        if (word.length > 1 && long.split(' ').includes(word)) names.push(['firstWord', word]);
    }
    if (levelOf(pattern, LAST_NAME) === EXACT_LAST) names.push(['last', a.last]);
    return names;
  }

  /** Per name, log2(average u of the level / this value's share): positive for rare names, negative for common ones. */
  adjustment(a: MatchRecord, b: MatchRecord, pattern: number, u: number[][]): { first: number; last: number } {
    const bits = { first: 0, last: 0 };
    const firstWords: number[] = [];
    for (const [kind, name] of NameFrequencies.agreedNames(a, b, pattern)) {
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

  /** Parameters learned from the records: u from random pairs, then m by expectation-maximisation over `pairs`. */
  static learned(records: readonly MatchRecord[], pairs: ComparedPairs, start?: MatchParameters): PairScorer {
    const u = estimateU(
      records.length,
      (i, j) => comparisonPattern(records[i], records[j]),
      (i) => records[i].last,
      (i, j) => COMPARISONS[FIRST_NAME].compare(records[i], records[j]) > PART_FIRST,
    );
    return new PairScorer(
      learnParameters(patternCounts(pairs), u, records.length, start),
      new NameFrequencies(records),
    );
  }

  /** The score of two records, compared here. */
  compareAndScore(a: MatchRecord, b: MatchRecord): number {
    return this.score(a, b, comparisonPattern(a, b));
  }

  score(a: MatchRecord, b: MatchRecord, pattern: number): number {
    const names = this.nameAdjustment(a, b, pattern);
    return probability(matchWeight(this.patternWeight(pattern), names.first + names.last));
  }

  private nameAdjustment(a: MatchRecord, b: MatchRecord, pattern: number): { first: number; last: number } {
    return this.names?.adjustment(a, b, pattern, this.parameters.u) ?? { first: 0, last: 0 };
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
  evidence(a: MatchRecord, b: MatchRecord, pattern: number): PairEvidence[] {
    const names = this.nameAdjustment(a, b, pattern);
    return COMPARISONS.map((comparison, field) => {
      const level = levelOf(pattern, field);
      const adjusted = field === FIRST_NAME ? names.first : field === LAST_NAME ? names.last : 0;
      return {
        field: comparison.field,
        level: comparison.levels[level],
        a: comparison.shown(a) || null,
        b: comparison.shown(b) || null,
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
  records: readonly MatchRecord[],
  pairs: ComparedPairs,
  scorer: PairScorer,
  threshold: number,
): { roots: Int32Array; links: (ScoredPair & { pattern: number })[] } {
  const links: (ScoredPair & { pattern: number })[] = [];
  for (let p = 0; p < pairs.count; p++) {
    const [a, b, pattern] = [pairs.left[p], pairs.right[p], pairs.pattern[p]];
    const score = scorer.score(records[a], records[b], pattern);
    if (score >= threshold) links.push({ a, b, score, pattern });
  }
  return coherentClusters(records.length, links, (a, b) => scorer.compareAndScore(records[a], records[b]));
}

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
export function pairFingerprint(a: MatchRecord, b: MatchRecord): string {
  const values = COMPARISONS.map((comparison) => `${comparison.shown(a)}\u0001${comparison.shown(b)}`).join('\u0002');
  return createHash('sha1').update(values).digest('base64url');
}
