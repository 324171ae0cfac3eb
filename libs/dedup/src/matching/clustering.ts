/** A compared pair of records (indexes) and its score. */
export interface ScoredPair {
  a: number;
  b: number;
  score: number;
}

/**
 * A link joins two groups only when the pairs compared between them are, on average, at least this likely one person
 * (average linkage). Measured on every labelled set (BENCHMARKS.md): 0.5 gave the best F1 on the kinds with families
 * and namesakes, and changed nothing on FEBRL or the Quebec generator.
 */
export const COHERENCE = 0.5;

/**
 * Groups records by their links (pairs at or above `threshold`), strongest first, as average linkage does: a link
 * joins two groups only when the pairs compared between them score COHERENCE or more on average. Connected components
 * would let one wrong link chain two people's records into one group (a namesake born the same year, a family sharing
 * a name, an address and an email), and every pair of that group would be merged.
 *
 * `pairs` are what the groups are judged on: every compared pair between records that have a link, those under the
 * threshold included (they are the evidence against). Returns each record's group (its smallest member) and the
 * links inside a group.
 */
export function coherentClusters<Pair extends ScoredPair>(
  size: number,
  pairs: readonly Pair[],
  threshold: number,
): { roots: Int32Array; links: Pair[] } {
  const neighbours = new Map<number, Pair[]>();
  for (const pair of pairs) {
    for (const end of [pair.a, pair.b]) {
      const list = neighbours.get(end);
      if (list) list.push(pair);
      else neighbours.set(end, [pair]);
    }
  }
  const group = new Int32Array(size);
  for (let i = 0; i < size; i++) group[i] = i;
  const members = new Map<number, number[]>();
  const membersOf = (g: number): number[] => members.get(g) ?? [g];

  const links = pairs.filter((pair) => pair.score >= threshold).sort((x, y) => y.score - x.score);
  for (const link of links) {
    const [ga, gb] = [group[link.a], group[link.b]];
    if (ga === gb) continue;
    const [small, large] = membersOf(ga).length <= membersOf(gb).length ? [ga, gb] : [gb, ga];
    let [sum, count] = [0, 0];
    for (const member of membersOf(small)) {
      for (const pair of neighbours.get(member)!) {
        if (group[pair.a === member ? pair.b : pair.a] !== large) continue;
        sum += pair.score;
        count++;
      }
    }
    if (sum / count < COHERENCE) continue;
    const joined = [...membersOf(large), ...membersOf(small)];
    for (const member of membersOf(small)) group[member] = large;
    members.set(large, joined);
    members.delete(small);
  }

  const roots = new Int32Array(size);
  for (let i = 0; i < size; i++) roots[i] = i;
  for (const list of members.values()) {
    const root = Math.min(...list);
    for (const member of list) roots[member] = root;
  }
  return { roots, links: links.filter((link) => roots[link.a] === roots[link.b]) };
}
