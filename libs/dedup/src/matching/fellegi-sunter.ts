import { COMPARISONS, levelOf } from './comparisons.js';

/**
 * Fellegi-Sunter parameters: for each field and level, m = P(level | same person) and u = P(level | different
 * people); lambda = the share of same-person pairs among the compared pairs. Index 0 (missing) is unused.
 */
export interface MatchParameters {
  lambda: number;
  m: number[][];
  u: number[][];
}

/**
 * Used when an organization has too few pairs to learn from (and as EM's starting point): a value agreeing exactly is
 * far likelier for the same person than for two people; emails and phones are shared by few people, cities by many.
 */
export const DEFAULT_PARAMETERS: MatchParameters = {
  lambda: 0.1,
  m: [
    [0, 0.05, 0.05, 0.15, 0.75], // first name: different, similar, close, exact
    [0, 0.05, 0.05, 0.1, 0.8], // last name
    [0, 0.3, 0.1, 0.6], // email: different, same name at another address, exact
    [0, 0.25, 0.05, 0.7], // phone
    [0, 0.05, 0.1, 0.85], // birth date
    [0, 0.2, 0.05, 0.75], // postal code
    [0, 0.25, 0.05, 0.1, 0.6], // address
    [0, 0.2, 0.1, 0.7], // address line 2
    [0, 0.15, 0.05, 0.8], // city
  ],
  u: [
    [0, 0.85, 0.08, 0.05, 0.02],
    [0, 0.9, 0.05, 0.04, 0.01],
    [0, 0.995, 0.004, 0.001],
    [0, 0.995, 0.004, 0.001],
    [0, 0.98, 0.015, 0.005],
    [0, 0.95, 0.03, 0.02],
    [0, 0.95, 0.03, 0.01, 0.01],
    [0, 0.9, 0.05, 0.05],
    [0, 0.85, 0.05, 0.1],
  ],
};

/** Below this many compared pairs the defaults are kept: too little to learn from. */
export const MIN_PAIRS_TO_LEARN = 500;
const ITERATIONS = 25;
// keeps every level possible under both hypotheses: a level never seen must not become proof
const FLOOR = 1e-4;

/** Pattern → how many compared pairs had it. */
export type PatternCounts = Map<number, number>;

/** Log2 weight of each field level: log2(m/u); 0 for missing. */
export function levelWeights(params: MatchParameters): number[][] {
  return params.m.map((m, field) => m.map((mi, level) => (level === 0 ? 0 : Math.log2(mi / params.u[field][level]))));
}

/** The match weight of a pattern given level weights, prior included (log2 odds that the pair is one person). */
export function patternWeight(pattern: number, weights: number[][], lambda: number): number {
  let weight = Math.log2(lambda / (1 - lambda));
  for (let field = 0; field < COMPARISONS.length; field++) weight += weights[field][levelOf(pattern, field)];
  return weight;
}

export function probability(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/**
 * Expectation-maximisation over the compared pairs' patterns (Splink's estimator, unsupervised): each pair's chance
 * of being one person weighs its levels into m, the rest into u. Starts from `start` (the defaults).
 */
export function learnParameters(counts: PatternCounts, start: MatchParameters = DEFAULT_PARAMETERS): MatchParameters {
  let total = 0;
  for (const count of counts.values()) total += count;
  if (total < MIN_PAIRS_TO_LEARN) return start;

  let params = start;
  const patterns = [...counts.entries()];
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const weights = levelWeights(params);
    const mSum = params.m.map((levels) => levels.map(() => 0));
    const uSum = params.u.map((levels) => levels.map(() => 0));
    let matches = 0;
    for (const [pattern, count] of patterns) {
      const p = probability(patternWeight(pattern, weights, params.lambda));
      matches += p * count;
      for (let field = 0; field < COMPARISONS.length; field++) {
        const level = levelOf(pattern, field);
        mSum[field][level] += p * count;
        uSum[field][level] += (1 - p) * count;
      }
    }
    params = {
      lambda: Math.min(0.99, Math.max(1e-6, matches / total)),
      m: mSum.map(normalizeLevels),
      u: uSum.map(normalizeLevels),
    };
  }
  return params;
}

/** Shares of the non-missing levels (level 0 stays 0), floored. */
function normalizeLevels(sums: number[]): number[] {
  const total = sums.reduce((sum, value, level) => (level === 0 ? sum : sum + value), 0);
  const shares = sums.map((value, level) => (level === 0 ? 0 : Math.max(FLOOR, total > 0 ? value / total : 1 / (sums.length - 1))));
  const floored = shares.reduce((sum, value) => sum + value, 0);
  return shares.map((value) => value / floored);
}
