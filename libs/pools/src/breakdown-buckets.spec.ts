import { describe, expect, it } from '@jest/globals';
import { QUEBEC_REGIONS } from '@app/contacts';
import { BUILT_IN_DISCIPLINES, EngagementFigure, FIGURE_PERIODS } from '@app/engagement';
import {
  BENCHMARK_METRICS,
  BENCHMARK_PERIODS,
  BENCHMARK_PLACES,
  BREAKDOWN_BUCKETS,
  BREAKDOWN_DIMENSIONS,
} from '../../database/src/migrations/1765267200000-pool-breakdowns-benchmarks.js';
import { PoolBenchmarkInterval } from './pool-benchmarks.models.js';
import { BreakdownDimension } from './segment-breakdown.models.js';

/** The breakdowns' and benchmarks' vocabularies, fixed in their migration, against the code they come from. */
describe('breakdown buckets and benchmark metrics', () => {
  it("the migration's buckets are today's regions and built-in disciplines, each bucket once", () => {
    expect(BREAKDOWN_BUCKETS.REGION.map(([key]) => key)).toEqual([...QUEBEC_REGIONS, 'OTHER', 'UNKNOWN']);
    expect(BREAKDOWN_BUCKETS.DISCIPLINE.map(([key]) => key)).toEqual([
      ...BUILT_IN_DISCIPLINES.map((term) => term.key),
      'OTHER',
      'NONE',
    ]);
    expect(BREAKDOWN_BUCKETS.DISCIPLINE.slice(0, -2).map(([, label]) => label)).toEqual(
      BUILT_IN_DISCIPLINES.map((term) => term.labelEn),
    );
    for (const buckets of Object.values(BREAKDOWN_BUCKETS))
      expect(new Set(buckets.map(([key]) => key)).size).toBe(buckets.length);
  });

  it('the GraphQL enums are the SQL vocabularies', () => {
    expect(Object.values(BreakdownDimension)).toEqual([...BREAKDOWN_DIMENSIONS]);
    expect(Object.keys(BREAKDOWN_BUCKETS)).toEqual([...BREAKDOWN_DIMENSIONS]);
    expect(Object.values(EngagementFigure)).toEqual([...BENCHMARK_METRICS]);
    expect(Object.keys(BENCHMARK_PLACES)).toEqual([...BENCHMARK_METRICS]);
    expect(Object.values(PoolBenchmarkInterval)).toEqual(Object.keys(BENCHMARK_PERIODS));
    expect({ ...FIGURE_PERIODS }).toEqual(BENCHMARK_PERIODS);
  });
});
