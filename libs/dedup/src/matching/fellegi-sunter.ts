import { COMPARISONS, DIFFERENT, fieldIndex, levelOf } from './comparisons.js';

/**
 * Fellegi-Sunter parameters: for each field and level, m = P(level | same person) and u = P(level | different
 * people); lambda = the share of same-person pairs among the compared pairs. Index 0 (missing) is unused.
 */
export interface MatchParameters {
  lambda: number;
  m: number[][];
  u: number[][];
  /**
   * u of the contact points among people who share a last name but not a first name, a stand-in for households:
   * people who live together (spouses, who keep their names in Quebec, children, roommates) share addresses, phones
   * and often emails, and records of two of them are what a contact-point agreement must not be mistaken for.
   */
  uHousehold: number[][];
  /**
   * Records per person, as the pairs EM takes for one person imply (1 + 2 × pairs / records; 1 when not learned): with
   * four records a person, a name expected four times by chance is expected once as a person (see Namesakes).
   */
  recordsPerPerson?: number;
}

/**
 * Used when an organization has too few pairs to learn from (and as EM's starting point): a value agreeing exactly is
 * far likelier for the same person than for two people; emails and phones are shared by few people, cities by many.
 */
export const DEFAULT_PARAMETERS: MatchParameters = {
  lambda: 0.1,
  // names that differ weigh as the floor of anything learned (FLOOR): strong, yet a typo no level catches
  // ("Hanah" / "Hanna") can still be outweighed by a birth date, an address and a postal code
  m: [
    [0, 0.0001, 0.02, 0.08, 0.12, 0.78], // first name: different, misspelt, initials or part, typo, exact
    [0, 0.0001, 0.01, 0.19, 0.8], // last name: different, similar, close, exact
    [0, 0.3, 0.1, 0.6], // email: different, same name at another address, exact
    [0, 0.25, 0.05, 0.7], // phone
    [0, 0.0005, 0.01, 0.03, 0.9595], // birth date: different, within a year, a typo apart, exact
    [0, 0.2, 0.05, 0.75], // postal code
    [0, 0.25, 0.05, 0.1, 0.6], // address
    [0, 0.2, 0.1, 0.7], // address line 2
    [0, 0.15, 0.05, 0.8], // city
  ],
  u: [
    [0, 0.95, 0.01, 0.015, 0.005, 0.02],
    [0, 0.9, 0.05, 0.04, 0.01],
    [0, 0.995, 0.004, 0.001],
    [0, 0.995, 0.004, 0.001],
    [0, 0.97, 0.01, 0.015, 0.005],
    [0, 0.95, 0.03, 0.02],
    [0, 0.95, 0.03, 0.01, 0.01],
    [0, 0.9, 0.05, 0.05],
    [0, 0.85, 0.05, 0.1],
  ],
  uHousehold: [
    [0, 0.95, 0.01, 0.015, 0.005, 0.02],
    [0, 0.9, 0.05, 0.04, 0.01],
    [0, 0.997, 0.001, 0.002],
    [0, 0.997, 0.001, 0.002],
    [0, 0.97, 0.01, 0.015, 0.005],
    [0, 0.995, 0.003, 0.002],
    [0, 0.995, 0.002, 0.001, 0.002],
    [0, 0.9, 0.05, 0.05],
    [0, 0.85, 0.05, 0.1],
  ],
};

/**
 * Whether parameters (stored by an earlier version) have a share for each level of each comparison: those learned
 * before a comparison gained a level do not, and are relearned by the next full run.
 */
export function fitComparisons(params: MatchParameters): boolean {
  return [params.m, params.u, params.uHousehold].every(
    (fields) =>
      Array.isArray(fields) &&
      fields.length === COMPARISONS.length &&
      fields.every((levels, field) => Array.isArray(levels) && levels.length === COMPARISONS[field].levels.length),
  );
}

/** Below this many compared pairs the defaults are kept: too little to learn from. */
export const MIN_PAIRS_TO_LEARN = 500;
const ITERATIONS = 25;
// keeps every level possible under both hypotheses: a level never seen must not become proof
const FLOOR = 1e-4;

/** Pattern → how many compared pairs had it. */
export type PatternCounts = Map<number, number>;

/** Log2 weight of each field level, log2(m/u), 0 for missing; for contact points, u is the households'. */
export function levelWeights(params: MatchParameters): number[][] {
  return params.m.map((m, field) => {
    const u = COMPARISONS[field].contactPoint ? params.uHousehold[field] : params.u[field];
    return m.map((mi, level) => (level === 0 ? 0 : Math.log2(mi / u[level])));
  });
}

/**
 * Bits the fields other than the names must bring together to corroborate them, one of them not weak (a shared city
 * alone does not).
 */
const CORROBORATION = 5;

/**
 * What a pattern's levels weigh, prior included (log2 odds that the pair is one person), before the adjustments for
 * how common the names are. Contact points count once, their strongest agreement (weighed as in households), since
 * people living together share them all. `corroborated`: some field other than the names agrees strongly.
 */
export function patternWeight(pattern: number, weights: number[][], lambda: number): PatternWeight {
  let weight = Math.log2(lambda / (1 - lambda));
  let strongestContactPoint = 0;
  let support = 0;
  let strongField = false;
  for (let field = 0; field < COMPARISONS.length; field++) {
    const w = weights[field][levelOf(pattern, field)];
    if (w > 0 && !COMPARISONS[field].name) {
      support += w;
      if (!COMPARISONS[field].weak) strongField = true;
    }
    if (w > 0 && COMPARISONS[field].contactPoint) strongestContactPoint = Math.max(strongestContactPoint, w);
    else weight += w;
  }
  // several close agreements corroborate as one exact one does ("1979-11-27" / "1978-11-27" in the same city)
  const corroborated = support >= CORROBORATION && strongField;
  const [firstLevel, birthLevel] = [levelOf(pattern, FIRST_NAME), levelOf(pattern, BIRTH_DATE)];
  const partialNames =
    firstLevel === MISSPELT_FIRST ||
    ((firstLevel === PART_FIRST || firstLevel === MISSING_FIRST) && birthLevel !== EXACT_BIRTH);
  const birthsDiffer = birthLevel === DIFFERENT || birthLevel === WITHIN_A_YEAR;
  return {
    weight: weight + strongestContactPoint,
    corroborated,
    reviewOnly: partialNames || birthsDiffer,
    namesOnly: !corroborated && namesCloseAndNothingDiffers(pattern),
    birthsDiffer,
  };
}

/** Both names agree at least by a typo or a nickname, and no other field holds two different values. */
export function namesCloseAndNothingDiffers(pattern: number): boolean {
  if (levelOf(pattern, FIRST_NAME) < CLOSE_FIRST || levelOf(pattern, LAST_NAME) < CLOSE_LAST) return false;
  return COMPARISONS.every((comparison, field) => comparison.name || levelOf(pattern, field) !== DIFFERENT);
}

export interface PatternWeight {
  weight: number;
  corroborated: boolean;
  /**
   * Never merged automatically: first names two edits apart (a misspelling, or two names: "Marc" / "Mario"); first
   * names that agree only by a part or initials ("Marie" / "Marie-Josée": often mother and daughter), or one missing
   * (a household shares the last name, the address and often the email), where no birth date confirms; or birth dates
   * that conflict (a father and his son of the same name, sharing the family's email) or are only within a year (an
   * approximate date, a mistake beyond a typo, or twins).
   */
  reviewOnly: boolean;
  /**
   * Not corroborated, but the names agree closely and nothing disagrees: one person, unless a namesake exists. Proposed
   * for review (at most 0.95) when the records' names show no namesake (see Namesakes), at even odds otherwise.
   */
  namesOnly: boolean;
  /**
   * The birth dates conflict, or are only within a year: uncorroborated, the pair is namesakes (at most 0.01), whatever
   * the rest weighs.
   */
  birthsDiffer: boolean;
}

const FIRST_NAME = fieldIndex('firstName');
const LAST_NAME = fieldIndex('lastName');
const BIRTH_DATE = fieldIndex('birthDate');
/** The name levels "nickname, typo or same sound" (first) and "part or typo" (last), and above. */
const CLOSE_FIRST = 4;
const CLOSE_LAST = 3;
/** The first-name levels "misspelt" (two edits apart) and "initials or part". */
const MISSPELT_FIRST = 2;
export const PART_FIRST = 3;
const MISSING_FIRST = 0;
const EXACT_BIRTH = COMPARISONS[BIRTH_DATE].levels.length - 1;
/** The birth-date level "within a year": an approximate date, or a mistake beyond a typo (or a namesake's). */
export const WITHIN_A_YEAR = 2;
/** log2 odds of 0.95: a review-only pair is proposed for review, never merged automatically by default. */
const REVIEW_ONLY_MAX_WEIGHT = Math.log2(0.95 / 0.05);
/** log2 odds of 0.01: names alike, birth dates that conflict, nothing else. */
const NAMESAKES_MAX_WEIGHT = Math.log2(0.01 / 0.99);

/**
 * The final weight. A pair that agrees on nothing but names (or on little else, like a city) is at best even odds:
 * namesakes are common. Two exceptions: at most 0.95 if its names agree closely, nothing disagrees and `noNamesakes`
 * (its names show no namesake); at most 0.01 if its birth dates conflict, however mildly the data weighs a conflict
 * (where dates have typos, a conflict is common among true pairs that other fields corroborate). A review-only pair is
 * at most 0.95.
 */
export function matchWeight(
  { weight, corroborated, reviewOnly, namesOnly, birthsDiffer }: PatternWeight,
  nameAdjustment = 0,
  noNamesakes = false,
): number {
  const adjusted = weight + nameAdjustment;
  if (!corroborated) {
    if (namesOnly && noNamesakes) return Math.min(adjusted, REVIEW_ONLY_MAX_WEIGHT);
    return Math.min(adjusted, birthsDiffer ? NAMESAKES_MAX_WEIGHT : 0);
  }
  return reviewOnly ? Math.min(adjusted, REVIEW_ONLY_MAX_WEIGHT) : adjusted;
}

export function probability(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/**
 * u from random pairs: two records drawn at random are almost never one person, so how often their fields agree at
 * each level is how often different people's do. (Pairs from blocking agree on the blocked fields far more often;
 * u learned from them would make agreeing on a last name worthless.) Then the same among pairs sharing a last name
 * whose first names differ (`firstNamesDiffer`): families and namesakes, not the duplicates that share both. Kept
 * to the defaults below MIN_PAIRS_TO_LEARN such pairs.
 * Seeded: a run's result is reproducible.
 */
export function estimateU(
  size: number,
  compare: (i: number, j: number) => number,
  lastName: (i: number) => string,
  firstNamesDiffer: (i: number, j: number) => boolean,
  samples = 100_000,
): Pick<MatchParameters, 'u' | 'uHousehold'> {
  const random = seededRandom(42);
  /** Level shares over the pairs `pick` draws; null when it gave fewer than `enough`. */
  const count = (pick: () => [number, number] | null | undefined, enough = 1): number[][] | null => {
    const counts = COMPARISONS.map((comparison) => comparison.levels.map(() => 1)); // add-one smoothing
    let counted = 0;
    for (let attempts = 0; counted < samples && attempts < samples * 4; attempts++) {
      const pair = pick();
      if (pair === null) break;
      if (pair === undefined) continue; // drawn, but not a pair to count
      counted++;
      const pattern = compare(pair[0], pair[1]);
      for (let field = 0; field < COMPARISONS.length; field++) counts[field][levelOf(pattern, field)]++;
    }
    return counted >= enough ? counts.map(normalizeLevels) : null;
  };
  const u = count(() => {
    if (size < 2) return null;
    const i = Math.floor(random() * size);
    return [i, (i + 1 + Math.floor(random() * (size - 1))) % size];
  });

  // pairs within a last name, each pair equally likely: a group is drawn by its number of pairs
  const groups = new Map<string, number[]>();
  for (let i = 0; i < size; i++) {
    const name = lastName(i);
    if (name) (groups.get(name) ?? groups.set(name, []).get(name)!).push(i);
  }
  const families = [...groups.values()].filter((group) => group.length > 1);
  const cumulative: number[] = [];
  let pairs = 0;
  for (const group of families) cumulative.push((pairs += (group.length * (group.length - 1)) / 2));
  const uHousehold = count(() => {
    if (pairs < MIN_PAIRS_TO_LEARN) return null;
    const target = random() * pairs;
    let low = 0;
    for (let high = cumulative.length - 1; low < high;) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    const group = families[low];
    const i = Math.floor(random() * group.length);
    const pair: [number, number] = [
      group[i],
      group[(i + 1 + Math.floor(random() * (group.length - 1))) % group.length],
    ];
    return firstNamesDiffer(...pair) ? pair : undefined;
  }, MIN_PAIRS_TO_LEARN);
  return { u: u ?? DEFAULT_PARAMETERS.u, uHousehold: uHousehold ?? DEFAULT_PARAMETERS.uHousehold };
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * The fields whose m stays at its default: names are what tell one person from their household (same address, phone
 * and often email) and from namesakes; learned, expectation-maximisation finds households or namesakes instead of
 * people (measured: it did, on every set with households). What it learns is how often a person's other fields
 * change, birth dates included: some exports mistype them often, others never.
 */
const FIXED_M = new Set(['firstName', 'lastName']);

/** Pairs whose names agree at least closely: among them, the other fields tell one person from namesakes. */
function namesAgree(pattern: number): boolean {
  return COMPARISONS.every(
    (comparison, field) => !comparison.name || levelOf(pattern, field) >= comparison.levels.length - 2,
  );
}

/**
 * The prior: a record's duplicates (as many as EM finds) are spread over this many candidates. It grows with the
 * organization, one in a thousand contacts (at least 5): in a larger list each person has more namesakes, so a
 * resemblance proves less. It does not depend on how many pairs blocking happened to produce, so a threshold means
 * the same whatever the blocking keys.
 */
export function candidatesPerRecord(recordCount: number): number {
  return Math.max(5, recordCount / 1000);
}

/**
 * Expectation-maximisation (Splink's estimator, unsupervised), u fixed (from random pairs), over the pairs whose
 * names agree: each pair's chance of being one person weighs its levels into m (names and birth date fixed). The
 * same-person pairs it finds set the prior. Starts from `start` (the defaults); keeps them when there are too few
 * pairs to learn from.
 */
export function learnParameters(
  counts: PatternCounts,
  u: Pick<MatchParameters, 'u' | 'uHousehold'>,
  recordCount: number,
  start: MatchParameters = DEFAULT_PARAMETERS,
): MatchParameters {
  const namesakes = new Map([...counts].filter(([pattern]) => namesAgree(pattern)));
  const compared = sum(namesakes.values());
  if (compared < MIN_PAIRS_TO_LEARN) return start;
  const learned = expectationMaximisation(namesakes, { ...start, ...u });
  const duplicatePairs = learned.lambda * compared;
  return {
    ...learned,
    lambda: Math.min(0.5, (2 * duplicatePairs) / recordCount / candidatesPerRecord(recordCount)),
    recordsPerPerson: 1 + (2 * corroboratedMatches(namesakes, learned)) / recordCount,
  };
}

/**
 * How many of the pairs are one person, counting only those other fields corroborate: EM counts a pair of namesakes
 * that agrees on names alone at even odds, and where namesakes abound that would take half of them for one person.
 */
function corroboratedMatches(counts: PatternCounts, params: MatchParameters): number {
  const weights = levelWeights(params);
  let matches = 0;
  for (const [pattern, count] of counts) {
    const weight = patternWeight(pattern, weights, params.lambda);
    if (weight.corroborated) matches += probability(matchWeight(weight)) * count;
  }
  return matches;
}

function expectationMaximisation(counts: PatternCounts, start: MatchParameters): MatchParameters {
  const total = sum(counts.values());
  let params = start;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const weights = levelWeights(params);
    const mSum = params.m.map((levels) => levels.map(() => 0));
    let matches = 0;
    for (const [pattern, count] of counts) {
      // namesakes whose birth dates conflict count as any uncorroborated pair: at 0.01, EM learned a conflict as rare
      // among matches, and on the Quebec generator (100,000) review precision fell from 0.987 to 0.977
      const p = probability(matchWeight({ ...patternWeight(pattern, weights, params.lambda), birthsDiffer: false }));
      matches += p * count;
      for (let field = 0; field < COMPARISONS.length; field++) mSum[field][levelOf(pattern, field)] += p * count;
    }
    params = {
      lambda: Math.min(0.99, Math.max(1e-6, matches / total)),
      m: mSum.map((sums, field) => (FIXED_M.has(COMPARISONS[field].field) ? start.m[field] : normalizeLevels(sums))),
      u: params.u,
      uHousehold: params.uHousehold,
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
  const shares = sums.map((value, level) =>
    level === 0 ? 0 : Math.max(FLOOR, total > 0 ? value / total : 1 / (sums.length - 1)),
  );
  const floored = shares.reduce((sum, value) => sum + value, 0);
  return shares.map((value) => value / floored);
}
