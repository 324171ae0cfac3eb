import { describe, expect, it } from '@jest/globals';
import { outcomeCounts } from './pool-aggregates.service.js';

describe('outcomeCounts (a ledger outcome as named counts)', () => {
  it('flattens nested counts, keeps suppressed ones as null, and names a breakdown’s buckets by their label', () => {
    expect(
      outcomeCounts({
        overlap: 195,
        newReach: null,
        by: 'REGION',
        buckets: [
          { bucket: 'Estrie', people: 35 },
          { bucket: 'Mauricie', people: null },
        ],
        cells: { 'a:b': 100 },
      }),
    ).toEqual([
      { name: 'overlap', value: 195 },
      { name: 'newReach', value: null },
      { name: 'buckets.Estrie.people', value: 35 },
      { name: 'buckets.Mauricie.people', value: null },
      { name: 'cells.a:b', value: 100 },
    ]);
  });
});
