/** A pair of records (indexes) and its score. */
export interface ScoredPair {
  a: number;
  b: number;
  score: number;
}

/**
 * A link joins two groups only when the pairs between them are, on average, at least this likely one person (average
 * linkage). Chosen on the tuning sets (BENCHMARKS.md): 0.5 split the heavily corrupted records of one person
 * (transliterated names, FEBRL 2), 0.2 let more families and namesakes join.
 */
export const COHERENCE = 0.3;
/** At most this many pairs between two groups are scored to judge a link (the first, in member order). */
export const MAX_JUDGED_PAIRS = 400;

/**
 * Groups records by their links (pairs at or above a threshold), strongest first, as average linkage does: a link
 * joins two groups only when the pairs between them score COHERENCE or more on average, each pair scored by `scoreOf`
 * (compared or not by blocking). Connected components would let one wrong link chain two people's records into one
 * group (a namesake born the same year, a family sharing a name, an address and an email), and every pair of that
 * group would be merged. Returns each record's group (its smallest member) and the links inside a group.
 */
export function coherentClusters<Link extends ScoredPair>(
  size: number,
  links: readonly Link[],
  scoreOf: (a: number, b: number) => number,
): { roots: Int32Array; links: Link[] } {
  const group = new Int32Array(size);
  for (let i = 0; i < size; i++) group[i] = i;
  const members = new Map<number, number[]>();
  const membersOf = (g: number): number[] => members.get(g) ?? [g];

  for (const link of [...links].sort((x, y) => y.score - x.score)) {
    const [ga, gb] = [group[link.a], group[link.b]];
    if (ga === gb) continue;
    let [sum, count] = [0, 0];
    judge: for (const x of membersOf(ga)) {
      for (const y of membersOf(gb)) {
        sum += x === link.a && y === link.b ? link.score : scoreOf(x, y);
        if (++count === MAX_JUDGED_PAIRS) break judge;
      }
    }
    if (sum / count < COHERENCE) continue;
    const joined = [...membersOf(ga), ...membersOf(gb)];
    for (const member of membersOf(gb)) group[member] = ga;
    members.set(ga, joined);
    members.delete(gb);
  }

  const roots = new Int32Array(size);
  for (let i = 0; i < size; i++) roots[i] = i;
  for (const list of members.values()) {
    const root = Math.min(...list);
    for (const member of list) roots[member] = root;
  }
  return { roots, links: links.filter((link) => roots[link.a] === roots[link.b]) };
}
