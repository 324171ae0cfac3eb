import { describe, expect, it } from '@jest/globals';
import { coherentClusters, type ScoredPair } from './clustering.js';

const pair = (a: number, b: number, score: number): ScoredPair => ({ a, b, score });

describe('coherentClusters', () => {
  // two people of two records each (0-1 and 2-3); 1 and 2 are namesakes that scored as a link
  const twoPeople = [pair(0, 1, 0.999), pair(2, 3, 0.998), pair(1, 2, 0.85)];

  it('refuses a link that would join two groups whose other pairs say they are different people', () => {
    const { roots, links } = coherentClusters(
      5,
      [...twoPeople, pair(0, 2, 0.01), pair(0, 3, 0.02), pair(1, 3, 0.05)],
      0.8,
    );
    expect([...roots]).toEqual([0, 0, 2, 2, 4]);
    expect(links.map(({ a, b }) => `${a}-${b}`)).toEqual(['0-1', '2-3']);
  });

  it('joins them when the pairs between the groups agree on average, as connected components would', () => {
    const { roots, links } = coherentClusters(
      5,
      [...twoPeople, pair(0, 2, 0.6), pair(0, 3, 0.3), pair(1, 3, 0.9)],
      0.8,
    );
    expect([...roots]).toEqual([0, 0, 0, 0, 4]);
    expect(links.map(({ a, b }) => `${a}-${b}`).sort()).toEqual(['0-1', '1-2', '1-3', '2-3']);
  });

  it('judges only on pairs that were compared, strongest links first', () => {
    // 1-2 was compared only through the link itself: nothing says otherwise
    expect([...coherentClusters(4, twoPeople, 0.8).roots]).toEqual([0, 0, 0, 0]);
    // a pair under the threshold is evidence, never a link
    expect(coherentClusters(3, [pair(0, 1, 0.79), pair(1, 2, 0.9)], 0.8).links).toEqual([pair(1, 2, 0.9)]);
  });
});
