import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { RequireRole, Role } from '@app/tenancy';
import { JobRunConnectionModel, JobRunModel, JobRunsFilterInput } from './job-run.model.js';
import { JobRunsService } from './job-runs.service.js';

@Resolver(() => JobRunModel)
export class JobRunsResolver {
  constructor(private readonly runs: JobRunsService) {}

  @Query(() => JobRunModel)
  @RequireRole(Role.ANALYST)
  jobRun(@Args('id', { type: () => ID }, UuidPipe) id: string): Promise<JobRunModel> {
    return this.runs.get(id);
  }

  @Query(() => JobRunConnectionModel, { description: 'Newest first.' })
  @RequireRole(Role.ANALYST)
  jobRuns(
    @Args('filter', { type: () => JobRunsFilterInput, nullable: true }) filter: JobRunsFilterInput | null,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<JobRunConnectionModel> {
    return this.runs.list(filter, Math.min(Math.max(first, 0), 100), after);
  }

  @Mutation(() => JobRunModel, { description: 'A queued run is cancelled at once; a running one stops at its next progress report.' })
  @RequireRole(Role.EDITOR)
  cancelJobRun(@Args('id', { type: () => ID }, UuidPipe) id: string): Promise<JobRunModel> {
    return this.runs.requestCancel(id);
  }
}
