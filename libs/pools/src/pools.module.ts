import { Module } from '@nestjs/common';
import { EngagementModule } from '@app/engagement';
import { BenchmarkFiguresJob } from './benchmark-figures.job.js';
import { PoolBenchmarksResolver } from './pool-benchmarks.resolver.js';
import { PoolBenchmarksService } from './pool-benchmarks.service.js';
import { PoolLoaders, PoolsResolver } from './pools.resolver.js';
import { PoolsService } from './pools.service.js';
import { SegmentBreakdownResolver } from './segment-breakdown.resolver.js';
import { SegmentBreakdownService } from './segment-breakdown.service.js';
import { SharedSegmentsResolver } from './shared-segments.resolver.js';
import { SharedSegmentsService } from './shared-segments.service.js';

/**
 * Pools: organizations pooling audiences, their invitations, agreements and memberships, shared segments, breakdowns
 * and benchmarks (whose figures job runs wherever jobs run).
 */
@Module({
  imports: [EngagementModule],
  providers: [PoolsService, SharedSegmentsService, SegmentBreakdownService, PoolBenchmarksService, BenchmarkFiguresJob],
  exports: [PoolsService, SharedSegmentsService, SegmentBreakdownService, PoolBenchmarksService],
})
export class PoolsModule {}

/** What the API serves of pools: the GraphQL resolver. */
@Module({
  imports: [PoolsModule],
  providers: [PoolsResolver, PoolLoaders, SharedSegmentsResolver, SegmentBreakdownResolver, PoolBenchmarksResolver],
})
export class PoolsApiModule {}
