import { Module } from '@nestjs/common';
import { PoolLoaders, PoolsResolver } from './pools.resolver.js';
import { PoolsService } from './pools.service.js';
import { SharedSegmentsResolver } from './shared-segments.resolver.js';
import { SharedSegmentsService } from './shared-segments.service.js';

/** Pools: organizations pooling audiences, their invitations, agreements and memberships. */
@Module({
  providers: [PoolsService, SharedSegmentsService],
  exports: [PoolsService, SharedSegmentsService],
})
export class PoolsModule {}

/** What the API serves of pools: the GraphQL resolver. */
@Module({
  imports: [PoolsModule],
  providers: [PoolsResolver, PoolLoaders, SharedSegmentsResolver],
})
export class PoolsApiModule {}
