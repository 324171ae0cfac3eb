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
registerEnumType(DedupScope, {
  name: 'DedupScope',
  description: 'Which contacts a deduplication run compares.',
  valuesMap: {
    ALL: { description: "Every contact against every other; also learns the organization's match parameters." },
    CHANGED_SINCE: { description: 'Contacts created or changed since a time, against every contact.' },
    CONTACT_IDS: { description: 'The given contacts, against every contact.' },
  },
});

export enum DuplicateStatus {
  PENDING = 'PENDING',
  DISMISSED = 'DISMISSED',
}
registerEnumType(DuplicateStatus, {
  name: 'DuplicateStatus',
  description: 'Where a candidate pair is in the review.',
  valuesMap: {
    PENDING: { description: 'Waiting for review.' },
    DISMISSED: { description: 'Said to be different people (dismissDuplicate).' },
  },
});

/** What a dedup job run receives. */
export interface DedupRunParams {
  scope: DedupScope;
  since?: string | null;
  contactIds?: string[] | null;
  autoMerge: boolean;
}

@ObjectType('MatchEvidence', { description: 'How two contacts compare on one field, and what it weighed.' })
export class MatchEvidenceModel {
  @Field({
    description:
      'The field compared: firstName, lastName, email, phone, birthDate, postalCode, address, addressLine2 or city.',
  })
  field!: string;
  @Field({
    description: 'How close the values are, from "missing" and "different" to "exact" (e.g. "nickname or typo").',
  })
  level!: string;
  @Field(() => String, { nullable: true, description: "The first contact's value as compared (normalized)." }) a!:
    string | null;
  @Field(() => String, { nullable: true, description: "The second contact's value as compared (normalized)." }) b!:
    string | null;
  @Field(() => Float, {
    description: 'The log2 of how much likelier this is for one person than for two; 0 when a value is missing.',
  })
  weight!: number;
}

@ObjectType('DuplicateCandidate', { description: 'Two contacts that may be one person.' })
export class DuplicateCandidateModel {
  @Field(() => ContactModel, { description: 'One contact of the pair (the lower id).' }) contactA!: ContactModel;
  @Field(() => ContactModel, { description: 'The other contact of the pair.' }) contactB!: ContactModel;
  @Field(() => Float, { description: 'Probability (0 to 1) that they are one person.' }) score!: number;
  @Field(() => DuplicateStatus, { description: 'Pending review or dismissed.' }) status!: DuplicateStatus;
  @Field(() => ID, { description: 'Pairs sharing a contact share a cluster: review them together.' })
  clusterId!: string;
  @Field(() => [MatchEvidenceModel], { description: 'Field by field, how the two compare.' })
  evidence!: MatchEvidenceModel[];
  @Field({ description: 'When a run last found the pair, or it was dismissed (UTC).' }) updatedAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When the pair was dismissed (UTC); null while pending.' })
  dismissedAt!: Date | null;
}

@ObjectType('DuplicateCandidateConnection', { description: 'A page of duplicate candidates.' })
export class DuplicateCandidateConnectionModel extends Paginated(DuplicateCandidateModel, 'DuplicateCandidate') {}

@ObjectType('DedupSettings', {
  description: "The organization's deduplication thresholds, on the match score (0 to 1).",
})
export class DedupSettingsModel {
  @Field(() => Float, { description: 'Pairs scoring at or above it are merged by runs started with autoMerge.' })
  autoMergeThreshold!: number;
  @Field(() => Float, { description: 'Pairs scoring at or above it are proposed for review.' })
  reviewThreshold!: number;
  @Field(() => Date, {
    nullable: true,
    description: 'When the last full run learned the match parameters (UTC); null: the defaults are used.',
  })
  parametersLearnedAt!: Date | null;
}

@InputType({
  description: 'New thresholds; an absent one is kept. The review threshold may not exceed the auto-merge one.',
})
export class DedupSettingsInput {
  @Field(() => Float, {
    nullable: true,
    description: 'Score from which runs with autoMerge merge, 0.5 to 1 (default 0.99).',
  })
  @IsOptional()
  @IsNumber()
  @Min(0.5)
  @Max(1)
  autoMergeThreshold?: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Score from which pairs are proposed for review, 0.01 to 1 (default 0.8).',
  })
  @IsOptional()
  @IsNumber()
  @Min(0.01)
  @Max(1)
  reviewThreshold?: number | null;
}
