import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { JobErrorModel, JobRunConnectionModel, JobRunModel, JobRunsFilterInput, JobRunsService } from '@app/jobs';
import { Caller, mayReadIdentifiers, type RequestCaller, RequireRole, Role } from '@app/tenancy';

/** Job runs over GraphQL. In the API, not in libs/jobs: the role checks are @app/tenancy's, which libs/jobs does not depend on. */
@Resolver(() => JobRunModel)
export class JobRunsResolver {
  constructor(private readonly runs: JobRunsService) {}

  @Query(() => JobRunModel, { description: 'One job run of the organization by id (every role).' })
  @RequireRole(Role.ANALYST)
  jobRun(@Args('id', { type: () => ID, description: 'The job run id.' }, UuidPipe) id: string): Promise<JobRunModel> {
    return this.runs.get(id);
  }

  @Query(() => JobRunConnectionModel, { description: 'The job runs of the organization, newest first (every role).' })
  @RequireRole(Role.ANALYST)
  jobRuns(
    @Args('first', { type: () => Int, defaultValue: 20, description: 'Runs per page, at most 100.' }) first: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'The endCursor of the previous page; absent for the first page.',
    })
    after: string | null,
    // optional, not `| null`: TypeScript emits `X | null` as Object, and the validation pipe would not see X's rules
    @Args('filter', {
      type: () => JobRunsFilterInput,
      nullable: true,
      description: 'Which runs; every run when absent.',
    })
    filter?: JobRunsFilterInput,
  ): Promise<JobRunConnectionModel> {
    return this.runs.list(filter ?? null, Math.min(Math.max(first, 0), 100), after);
  }

  @Mutation(() => JobRunModel, {
    description:
      'Cancels a job run (EDITOR and up): a queued run is cancelled at once; a running one stops at its next progress report.',
  })
  @RequireRole(Role.EDITOR)
  cancelJobRun(
    @Args('id', { type: () => ID, description: 'The job run id.' }, UuidPipe) id: string,
  ): Promise<JobRunModel> {
    return this.runs.requestCancel(id);
  }

  /** Wherever a run is returned (startExport, refreshAudience...), its errors as the caller may see them. */
  @ResolveField(() => [JobErrorModel], {
    description: 'The first errors (at most 100); no column for the ANALYST role.',
  })
  errors(@Parent() run: JobRunModel, @Caller() caller: RequestCaller): JobErrorModel[] {
    // a file without a header line names its columns by its first row's values (an email, a name): not for ANALYST
    if (mayReadIdentifiers(caller.role)) return run.errors;
    return run.errors.map((error) => ({ ...error, column: null }));
  }
}
