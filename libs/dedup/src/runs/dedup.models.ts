import { Field, Float, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';
import { Paginated } from '@app/common';
import { ContactModel } from '@app/contacts';

export enum DedupScope {
  /** Every contact against every other; also learns the organization's match parameters. */
  ALL = 'ALL',
  /** Contacts created or changed since a time, against every contact. */
  CHANGED_SINCE = 'CHANGED_SINCE',
  /** The given contacts, against every contact. */
  CONTACT_IDS = 'CONTACT_IDS',
}
registerEnumType(DedupScope, { name: 'DedupScope' });

export enum DuplicateStatus {
  PENDING = 'PENDING',
  DISMISSED = 'DISMISSED',
}
registerEnumType(DuplicateStatus, { name: 'DuplicateStatus' });

/** What a dedup job run receives. */
export interface DedupRunParams {
  scope: DedupScope;
  since?: string | null;
  contactIds?: string[] | null;
  autoMerge: boolean;
}

@ObjectType('MatchEvidence', { description: 'How two contacts compare on one field, and what it weighed.' })
export class MatchEvidenceModel {
  @Field() field!: string;
  @Field({ description: 'exact, close, different, missing, ...' }) level!: string;
  @Field(() => String, { nullable: true, description: "The first contact's value as compared (normalized)." }) a!: string | null;
  @Field(() => String, { nullable: true }) b!: string | null;
  @Field(() => Float, { description: 'log2 of how much likelier this is for one person than for two; 0 when a value is missing.' })
  weight!: number;
}

@ObjectType('DuplicateCandidate', { description: 'Two contacts that may be one person.' })
export class DuplicateCandidateModel {
  @Field(() => ContactModel) contactA!: ContactModel;
  @Field(() => ContactModel) contactB!: ContactModel;
  @Field(() => Float, { description: 'Probability (0 to 1) that they are one person.' }) score!: number;
  @Field(() => DuplicateStatus) status!: DuplicateStatus;
  @Field(() => ID, { description: 'Pairs sharing a contact share a cluster: review them together.' }) clusterId!: string;
  @Field(() => [MatchEvidenceModel]) evidence!: MatchEvidenceModel[];
  @Field() updatedAt!: Date;
  @Field(() => Date, { nullable: true }) dismissedAt!: Date | null;
}

@ObjectType('DuplicateCandidateConnection', { description: 'A page of duplicate candidates.' })
export class DuplicateCandidateConnectionModel extends Paginated(DuplicateCandidateModel, 'DuplicateCandidate') {}

@ObjectType('DedupSettings')
export class DedupSettingsModel {
  @Field(() => Float, { description: 'Pairs scoring at or above it are merged by runs started with autoMerge.' }) autoMergeThreshold!: number;
  @Field(() => Float, { description: 'Pairs scoring at or above it are proposed for review.' }) reviewThreshold!: number;
  @Field(() => Date, { nullable: true, description: 'When the last full run learned the match parameters; null: the defaults are used.' })
  parametersLearnedAt!: Date | null;
}

@InputType()
export class DedupSettingsInput {
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber() @Min(0.5) @Max(1) autoMergeThreshold?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber() @Min(0.01) @Max(1) reviewThreshold?: number | null;
}

