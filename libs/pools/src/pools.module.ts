import { Module } from '@nestjs/common';
import { PoolLoaders, PoolsResolver } from './pools.resolver.js';
import { PoolsService } from './pools.service.js';

/** Pools: organizations pooling audiences, their invitations, agreements and memberships. */
@Module({
  providers: [PoolsService],
  exports: [PoolsService],
})
export class PoolsModule {}

/** What the API serves of pools: the GraphQL resolver. */
@Module({
  imports: [PoolsModule],
  providers: [PoolsResolver, PoolLoaders],
})
export class PoolsApiModule {}
