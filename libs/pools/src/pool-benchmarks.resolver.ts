import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { RequireRole, Role } from '@app/tenancy';
import {
  PoolBenchmarkInterval,
  PoolBenchmarkMetric,
  PoolBenchmarkSettingModel,
  PoolBenchmarksModel,
} from './pool-benchmarks.models.js';
import { PoolBenchmarksService } from './pool-benchmarks.service.js';

const poolId = () => Args('poolId', { type: () => ID, description: 'The pool id.' }, UuidPipe);

@Resolver()
export class PoolBenchmarksResolver {
  constructor(private readonly benchmarks: PoolBenchmarksService) {}

  @Query(() => PoolBenchmarksModel, {
    description:
      "My organization's engagement figure per period against the median and quartiles of the pool's contributing organizations (every role of an ACTIVE member; NOT_FOUND for anyone else). Only a contributing organization sees the pool's cells; each needs at least 3 organizations and k people (5 organizations for quartiles). Written to the pool's ledger.",
  })
  @RequireRole(Role.ANALYST)
  poolBenchmarks(
    @poolId() pool: string,
    @Args('metric', { type: () => PoolBenchmarkMetric, description: 'The figure to compare.' })
    metric: PoolBenchmarkMetric,
    @Args('interval', { type: () => PoolBenchmarkInterval, description: 'The periods: months, quarters or years.' })
    interval: PoolBenchmarkInterval,
  ): Promise<PoolBenchmarksModel> {
    return this.benchmarks.benchmarks(pool, metric, interval);
  }

  @Mutation(() => PoolBenchmarkSettingModel, {
    description:
      "Whether my organization contributes its engagement figures to a pool's benchmarks (OWNER, ADMIN; an ACTIVE member). Contributing starts a job computing them (then daily); stopping in the last pool deletes them.",
  })
  @RequireRole(Role.ADMIN)
  setPoolBenchmarks(
    @poolId() pool: string,
    @Args('contribute', { description: 'True to contribute (and see the pool’s cells), false to stop.' })
    contribute: boolean,
  ): Promise<PoolBenchmarkSettingModel> {
    return this.benchmarks.setContributing(pool, contribute);
  }
}
