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
registerEnumType(JobRunStatus, { name: 'JobRunStatus' });
registerEnumType(JobName, { name: 'JobKind', description: 'What a job does.' });

@ObjectType('JobError')
export class JobErrorModel {
  @Field() message!: string;
  @Field(() => Int, { nullable: true, description: 'Line of the input file, when the job reads one.' }) line?: number | null;
  @Field(() => String, { nullable: true, description: 'The column, by its header. Null for the ANALYST role.' }) column?: string | null;
}

@ObjectType('JobRun', { description: 'A queued job as the organization sees it.' })
export class JobRunModel {
  @Field(() => ID) id!: string;
  @Field(() => JobName) kind!: JobName;
  @Field(() => JobRunStatus) status!: JobRunStatus;
  @Field(() => Int, { description: 'Items processed so far.' }) processed!: number;
  @Field(() => Int, { nullable: true, description: 'Items to process, when known.' }) total!: number | null;
  @Field(() => JSONObjectScalar, { description: 'Counts by outcome, e.g. { exported: 1200 }.' }) counts!: Record<string, number>;
  @Field(() => [JobErrorModel], { description: 'The first errors (at most 100).' }) errors!: JobErrorModel[];
  @Field(() => Int, { description: 'Attempts started (retries included).' }) attempts!: number;
  @Field() cancelRequested!: boolean;
  @Field(() => ID, { nullable: true, description: 'The member who started it.' }) createdBy!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Where to download what it produced (GET, with the API key).' }) downloadPath!: string | null;
}

@ObjectType('JobRunConnection', { description: 'A page of job runs.' })
export class JobRunConnectionModel extends Paginated(JobRunModel, 'JobRun') {}

@InputType()
export class JobRunsFilterInput {
  @Field(() => [JobName], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.enumValues) @IsEnum(JobName, { each: true }) kinds?: JobName[] | null;
  @Field(() => [JobRunStatus], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.enumValues) @IsEnum(JobRunStatus, { each: true }) statuses?: JobRunStatus[] | null;
}
