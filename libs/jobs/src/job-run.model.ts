import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsEnum, IsOptional } from 'class-validator';
import { INPUT_LIMITS, JSONObjectScalar, Paginated } from '@app/common';
import { JobName } from './job-name.enum.js';

export enum JobRunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(JobRunStatus, {
  name: 'JobRunStatus',
  description: 'Where a job run is in its life.',
  valuesMap: {
    QUEUED: { description: 'Waiting for a worker.' },
    RUNNING: { description: 'A worker is on it.' },
    SUCCEEDED: { description: 'Done; counts and errors are final.' },
    FAILED: { description: 'Failed for good, after its retries.' },
    CANCELLED: { description: 'Stopped on request.' },
  },
});
registerEnumType(JobName, {
  name: 'JobKind',
  description: 'What a job does.',
  valuesMap: {
    EXPORT_CONTACTS: { description: 'Writes the contacts matching a filter to a file (startExport).' },
    IMPORT_CONTACTS: { description: 'Creates or updates contacts from a CSV file (POST /imports).' },
    DEDUP_CONTACTS: { description: 'Looks for duplicate contacts, and merges them with autoMerge (startDedupRun).' },
    IMPORT_INTERACTIONS: { description: 'Records interactions from a CSV file (POST /imports/interactions).' },
    REFRESH_AUDIENCE: { description: 'Re-evaluates a DYNAMIC audience over every contact.' },
    SYNC_AUDIENCES: {
      description: 'Re-evaluates every DYNAMIC audience on the contacts whose data changed since the last sync.',
    },
    IMPORT_AUDIENCE_MEMBERS: {
      description: 'Adds the contacts of a CSV file to a STATIC audience (POST /audiences/{id}/members).',
    },
    SYNC_POOL_SEGMENTS: {
      description:
        "Brings my shared segments' fingerprints up to date with the changes noted since the last sync, and removes those of expired shares.",
    },
    COPY_REVEAL: {
      description:
        "Copies the people of an approved pool reveal (PARTNER_SHARING granted at the publisher) into the requester's contacts.",
    },
    POOL_BENCHMARK_FIGURES: {
      description:
        "Computes my organization's engagement figures for the benchmarks of the pools it contributes to (setPoolBenchmarks; then daily).",
    },
    CAMPAIGN_SNAPSHOT: {
      description: "Takes a scheduled campaign's recipients at its time (one message each), then starts its dispatch.",
    },
    CAMPAIGN_DISPATCH: {
      description:
        "Sends a campaign's queued messages at its rate, exactly once each; hands over to the next run as it goes.",
    },
  },
});

@ObjectType('JobError', {
  description:
    'One error a job met: a rejected row of an import, a field an import left empty ("imported without email: ..."), a column it did not import, or why the run failed.',
})
export class JobErrorModel {
  @Field({ description: 'What went wrong.' }) message!: string;
  @Field(() => Int, { nullable: true, description: 'Line of the input file, when the job reads one.' }) line?:
    number | null;
  @Field(() => String, { nullable: true, description: 'The column, by its header. Null for the ANALYST role.' })
  column?: string | null;
}

@ObjectType('JobRun', { description: 'A queued job as the organization sees it.' })
export class JobRunModel {
  @Field(() => ID, { description: 'The job run id.' }) id!: string;
  @Field(() => JobName, { description: 'What the job does.' }) kind!: JobName;
  @Field(() => JobRunStatus, { description: 'Where it is now.' }) status!: JobRunStatus;
  @Field(() => Int, { description: 'Items processed so far.' }) processed!: number;
  @Field(() => Int, { nullable: true, description: 'Items to process, when known.' }) total!: number | null;
  @Field(() => JSONObjectScalar, { description: 'Counts by outcome, e.g. { exported: 1200 }.' }) counts!: Record<
    string,
    number
  >;
  @Field(() => [JobErrorModel], { description: 'The first errors (at most 100).' }) errors!: JobErrorModel[];
  @Field(() => Int, { description: 'Attempts started (retries included).' }) attempts!: number;
  @Field({ description: 'Someone asked to cancel it (cancelJobRun).' }) cancelRequested!: boolean;
  @Field(() => ID, { nullable: true, description: 'The member who started it.' }) createdBy!: string | null;
  @Field({ description: 'When it was requested (UTC).' }) createdAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When a worker first took it up (UTC); null while QUEUED.' })
  startedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When it SUCCEEDED, FAILED or was CANCELLED (UTC).' })
  finishedAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Where to download its file (GET, with the API key): an export, or an import's rejected rows; null until it SUCCEEDED with one.",
  })
  downloadPath!: string | null;
}

@ObjectType('JobRunConnection', { description: 'A page of job runs.' })
export class JobRunConnectionModel extends Paginated(JobRunModel, 'JobRun') {}

@InputType({ description: 'Which job runs: every condition given must hold.' })
export class JobRunsFilterInput {
  @Field(() => [JobName], { nullable: true, description: 'Of one of these kinds.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.enumValues)
  @IsEnum(JobName, { each: true })
  kinds?: JobName[] | null;
  @Field(() => [JobRunStatus], { nullable: true, description: 'In one of these statuses.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.enumValues)
  @IsEnum(JobRunStatus, { each: true })
  statuses?: JobRunStatus[] | null;
}
