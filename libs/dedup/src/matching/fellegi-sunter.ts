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
    [0, 0.000001, 0.05, 0.15, 0.8], // first name: different, similar, close, exact
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
  let strongestContactPoint = 0;
  for (let field = 0; field < COMPARISONS.length; field++) {
    const w = weights[field][levelOf(pattern, field)];
    if (COMPARISONS[field].contactPoint && w > 0) strongestContactPoint = Math.max(strongestContactPoint, w);
    else weight += w;
  }
  return weight + strongestContactPoint;
}

export function probability(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/**
 * u from random pairs: two records drawn at random are almost never one person, so how often their fields agree at
 * each level is how often different people's do. (Pairs from blocking agree on the blocked fields far more often;
 * u learned from them would make agreeing on a last name worthless.) Seeded: a run's result is reproducible.
 */
export function estimateU(size: number, compare: (i: number, j: number) => number, samples = 200_000, seed = 42): number[][] {
  const counts = COMPARISONS.map((comparison) => comparison.levels.map(() => 1)); // add-one smoothing
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  for (let s = 0; s < samples && size > 1; s++) {
    const i = Math.floor(random() * size);
    const j = (i + 1 + Math.floor(random() * (size - 1))) % size;
    const pattern = compare(i, j);
    for (let field = 0; field < COMPARISONS.length; field++) counts[field][levelOf(pattern, field)]++;
  }
  return counts.map(normalizeLevels);
}

/**
 * The fields whose m stays at its default: names are what tell one person from their household (same address, phone
 * and often email); left free, expectation-maximisation finds households instead of people.
 */
const FIXED_M = new Set(['firstName', 'lastName']);

/** Pairs whose names agree at least closely: among them, the other fields tell one person from namesakes. */
function namesAgree(pattern: number): boolean {
  return COMPARISONS.every((comparison, field) => !FIXED_M.has(comparison.field) || levelOf(pattern, field) >= comparison.levels.length - 2);
}

/**
 * Expectation-maximisation (Splink's estimator, unsupervised), u fixed (from random pairs):
 * 1. over the pairs whose names agree, each pair's chance of being one person weighs its levels into m (names fixed);
 * 2. over all compared pairs, with m fixed, the share of pairs that are one person (lambda, the prior).
 * Starts from `start` (the defaults); keeps them when there are too few pairs to learn from.
 */
export function learnParameters(counts: PatternCounts, u: number[][], start: MatchParameters = DEFAULT_PARAMETERS): MatchParameters {
  const namesakes = new Map([...counts].filter(([pattern]) => namesAgree(pattern)));
  if (sum(namesakes.values()) < MIN_PAIRS_TO_LEARN) return start;
  const learned = expectationMaximisation(namesakes, { ...start, u }, true);
  return expectationMaximisation(counts, learned, false);
}

function expectationMaximisation(counts: PatternCounts, start: MatchParameters, learnM: boolean): MatchParameters {
  const total = sum(counts.values());
  let params = start;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const weights = levelWeights(params);
    const mSum = params.m.map((levels) => levels.map(() => 0));
    let matches = 0;
    for (const [pattern, count] of counts) {
      const p = probability(patternWeight(pattern, weights, params.lambda));
      matches += p * count;
      if (learnM) for (let field = 0; field < COMPARISONS.length; field++) mSum[field][levelOf(pattern, field)] += p * count;
    }
    params = {
      lambda: Math.min(0.99, Math.max(1e-6, matches / total)),
      m: learnM ? mSum.map((sums, field) => (FIXED_M.has(COMPARISONS[field].field) ? start.m[field] : normalizeLevels(sums))) : params.m,
      u: params.u,
    };
  }
  return params;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Shares of the non-missing levels (level 0 stays 0), floored. */
function normalizeLevels(sums: number[]): number[] {
  const total = sums.reduce((sum, value, level) => (level === 0 ? sum : sum + value), 0);
  const shares = sums.map((value, level) => (level === 0 ? 0 : Math.max(FLOOR, total > 0 ? value / total : 1 / (sums.length - 1))));
  const floored = shares.reduce((sum, value) => sum + value, 0);
  return shares.map((value) => value / floored);
}
