import { describe, expect, it } from '@jest/globals';
import { coherentClusters, type ScoredPair } from './clustering.js';

const pair = (a: number, b: number, score: number): ScoredPair => ({ a, b, score });
/** Scores of the given pairs, either way round; any other pair scores `otherwise`. */
const scores =
  (pairs: readonly ScoredPair[], otherwise = 0.5) =>
  (a: number, b: number): number =>
    pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a))?.score ?? otherwise;

describe('coherentClusters', () => {
  // two people of two records each (0-1 and 2-3); 1 and 2 are namesakes that scored as a link
  const links = [pair(0, 1, 0.999), pair(2, 3, 0.998), pair(1, 2, 0.85)];

  it('refuses a link that would join two groups whose other pairs say they are different people', () => {
    const scoreOf = scores([...links, pair(0, 2, 0.01), pair(0, 3, 0.02), pair(1, 3, 0.05)]);
    const { roots, links: kept } = coherentClusters(5, links, scoreOf);
    expect([...roots]).toEqual([0, 0, 2, 2, 4]);
    expect(kept.map(({ a, b }) => `${a}-${b}`)).toEqual(['0-1', '2-3']);
  });

  it('joins them when the pairs between the groups agree on average', () => {
    const scoreOf = scores([...links, pair(0, 2, 0.6), pair(0, 3, 0.3), pair(1, 3, 0.9)]);
    const { roots, links: kept } = coherentClusters(5, links, scoreOf);
    expect([...roots]).toEqual([0, 0, 0, 0, 4]);
    expect(kept).toEqual(links);
  });

  it('judges the strongest links first, and keeps only links inside a group', () => {
    // 1-2 is judged after 0-1 and 2-3 joined their records: three pairs against it
    expect([...coherentClusters(4, links, scores(links, 0.1)).roots]).toEqual([0, 0, 2, 2]);
    // alone, the same link is the only pair between its two records
    expect([...coherentClusters(4, [pair(1, 2, 0.85)], scores([], 0)).roots]).toEqual([0, 1, 1, 3]);
  });
});
