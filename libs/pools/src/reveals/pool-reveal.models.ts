import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PoolPurpose } from '../pool.models.js';

export enum PoolRevealStatus {
  REQUESTED = 'REQUESTED',
  APPROVED = 'APPROVED',
  REFUSED = 'REFUSED',
  COPIED = 'COPIED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(PoolRevealStatus, {
  name: 'PoolRevealStatus',
  description: 'Where a reveal is in its life.',
  valuesMap: {
    REQUESTED: { description: "Asked for; waiting for the publisher's answer." },
    APPROVED: {
      description:
        'Approved (by the publisher, or at once by a share set to auto-approve); being copied by a job of the requester.',
    },
    REFUSED: { description: 'Refused by the publisher.' },
    COPIED: { description: "Its people are in the requester's contacts." },
    FAILED: {
      description:
        'Approved, but it could no longer be copied (the share withdrawn or expired, a member gone): see failure.',
    },
    CANCELLED: { description: 'Withdrawn by the requester before it was copied.' },
  },
});

@ObjectType('PoolReveal', {
  description:
    "A member's request for the people of another member's shared segment who consented to partner sharing (PARTNER_SHARING granted at the publisher), and what came of it. Seen by the requester and the publisher only.",
})
export class PoolRevealModel {
  @Field(() => ID, { description: 'The reveal id.' }) id!: string;
  @Field(() => ID, { description: 'The pool id.' }) poolId!: string;
  @Field({ description: "The pool's name." }) poolName!: string;
  @Field(() => ID, { description: 'The shared segment revealed.' }) sharedSegmentId!: string;
  @Field({ description: "The shared segment's name (its audience's name when shared)." }) segmentName!: string;
  @Field({ description: "The publishing organization's name." }) publisherName!: string;
  @Field({ description: "The requesting organization's name." }) requesterName!: string;
  @Field(() => PoolPurpose, { description: "What the people are revealed for: the shared segment's purpose." })
  purpose!: PoolPurpose;
  @Field(() => PoolRevealStatus, { description: 'Where it is now.' }) status!: PoolRevealStatus;
  @Field({ description: 'Whether my organization asked for it.' }) isRequester!: boolean;
  @Field({ description: 'Whether my organization published the shared segment (and decides).' }) isPublisher!: boolean;
  @Field(() => ID, { nullable: true, description: 'The member (user) who asked; shown to the requester only.' })
  requestedBy!: string | null;
  @Field({ description: 'When it was asked for (UTC).' }) requestedAt!: Date;
  @Field({ description: 'Whether the share approved it at once (auto-approve).' }) autoApproved!: boolean;
  @Field(() => ID, {
    nullable: true,
    description: 'The member (user) who approved or refused; shown to the publisher only (null when auto-approved).',
  })
  decidedBy!: string | null;
  @Field(() => Date, { nullable: true, description: 'When it was approved or refused (UTC).' })
  decidedAt!: Date | null;
  @Field(() => String, { nullable: true, description: "The publisher's reason for a refusal, if it gave one." })
  refusalReason!: string | null;
  @Field(() => String, { nullable: true, description: 'Why an approved reveal could not be copied (FAILED).' })
  failure!: string | null;
  @Field(() => Date, { nullable: true, description: 'When it was copied (UTC).' }) copiedAt!: Date | null;
  @Field(() => ID, {
    nullable: true,
    description: "The requester's job run (pools.copy-reveal) copying it: jobRun(id); shown to the requester only.",
  })
  copyJobRunId!: string | null;
  @Field(() => Int, {
    nullable: true,
    description: 'How many people were copied (PARTNER_SHARING granted at the publisher when copied); null until then.',
  })
  people!: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Of them, how many my organization held already (matched by email or phone); the requester only.',
  })
  matched!: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'How many contacts the copy created in my organization; the requester only.',
  })
  created!: number | null;
}

/** A contact's origin outside the organization: for now, a pool reveal that copied or matched it. */
@ObjectType('ContactProvenance', {
  description:
    'Where a contact came from: a pool reveal that copied it (or found it already here), with the consent record it gave.',
})
export class ContactProvenanceModel {
  @Field(() => ID, { description: 'The provenance record id.' }) id!: string;
  @Field(() => ID, { description: 'The reveal.' }) revealId!: string;
  @Field(() => ID, { description: 'The pool.' }) poolId!: string;
  @Field({ description: "The pool's name at the time." }) poolName!: string;
  @Field(() => ID, { description: 'The shared segment revealed.' }) sharedSegmentId!: string;
  @Field({ description: "The shared segment's name at the time." }) segmentName!: string;
  @Field({ description: "The publishing organization's name at the time." }) publisherName!: string;
  @Field(() => PoolPurpose, { description: 'What the person was revealed for.' }) purpose!: PoolPurpose;
  @Field({
    description: 'Whether my organization held the contact already (matched by email or phone) rather than created it.',
  })
  matched!: boolean;
  @Field(() => ID, {
    nullable: true,
    description:
      'The PARTNER_SHARING consent record the reveal added (citing it); null when the contact had withdrawn that consent here.',
  })
  consentId!: string | null;
  @Field({ description: 'When it was revealed (UTC).' }) revealedAt!: Date;
}
