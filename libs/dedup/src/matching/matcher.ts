import { createHash } from 'node:crypto';
import { blockingHashes, BLOCKING_KEYS, forEachCandidatePair } from './blocking.js';
import { COMPARISONS, comparisonPattern, levelOf } from './comparisons.js';
import { estimateU, learnParameters, levelWeights, type MatchParameters, type PatternCounts, patternWeight, probability } from './fellegi-sunter.js';
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

/** Compares every candidate pair (see blocking); with `focus`, only pairs touching a focused record. */
export async function compareCandidates(records: readonly MatchRecord[], focus: Uint8Array | null = null): Promise<ComparedPairs> {
  let capacity = Math.max(1024, records.length * 4);
  let left = new Int32Array(capacity);
  let right = new Int32Array(capacity);
  let pattern = new Int32Array(capacity);
  let count = 0;
  const perKey = await forEachCandidatePair(
    records,
    blockingHashes(records),
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
  );
  return { count, left, right, pattern, perKey: Object.fromEntries(BLOCKING_KEYS.map((key, k) => [key.name, perKey[k]])) };
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

/** Scores patterns: the probability that a pair with this pattern is one person. */
export class PairScorer {
  private readonly weights: number[][];
  private readonly cache = new Map<number, number>();

  constructor(readonly parameters: MatchParameters) {
    this.weights = levelWeights(parameters);
  }

  /** Parameters learned from the records: u from random pairs, then m by expectation-maximisation over `pairs`. */
  static learned(records: readonly MatchRecord[], pairs: ComparedPairs, start?: MatchParameters): PairScorer {
    const u = estimateU(records.length, (i, j) => comparisonPattern(records[i], records[j]));
    return new PairScorer(learnParameters(patternCounts(pairs), u, start));
  }

  score(pattern: number): number {
    let score = this.cache.get(pattern);
    if (score === undefined) {
      score = probability(patternWeight(pattern, this.weights, this.parameters.lambda));
      this.cache.set(pattern, score);
    }
    return score;
  }

  /** Field by field, what each record holds, how they compare and what it weighed (log2 odds). */
  evidence(a: MatchRecord, b: MatchRecord, pattern: number): PairEvidence[] {
    return COMPARISONS.map((comparison, field) => {
      const level = levelOf(pattern, field);
      return {
        field: comparison.field,
        level: comparison.levels[level],
        a: comparison.shown(a) || null,
        b: comparison.shown(b) || null,
        weight: Math.round(this.weights[field][level] * 100) / 100,
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
