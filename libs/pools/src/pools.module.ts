import { Module } from '@nestjs/common';
import { PoolAggregatesResolver } from './pool-aggregates.resolver.js';
import { PoolAggregatesService } from './pool-aggregates.service.js';
import { PoolLedgerController } from './pool-ledger.controller.js';
import { PoolLoaders, PoolsResolver } from './pools.resolver.js';
import { PoolsService } from './pools.service.js';
import { SharedSegmentsResolver } from './shared-segments.resolver.js';
import { SharedSegmentsService } from './shared-segments.service.js';

/** Pools: organizations pooling audiences, their invitations, agreements, memberships, shares and aggregates. */
@Module({
  providers: [PoolsService, SharedSegmentsService, PoolAggregatesService],
  exports: [PoolsService, SharedSegmentsService, PoolAggregatesService],
})
export class PoolsModule {}

/** What the API serves of pools: the GraphQL resolvers and the ledger's CSV download. */
@Module({
  imports: [PoolsModule],
  providers: [PoolsResolver, PoolLoaders, SharedSegmentsResolver, PoolAggregatesResolver],
  controllers: [PoolLedgerController],
})
export class PoolsApiModule {}
