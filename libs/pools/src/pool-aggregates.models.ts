import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '@app/common';
import { PoolPurpose } from './pool.models.js';

@ObjectType('SegmentOverlap', {
  description:
    'How many people of a shared segment my organization already holds, and how many would be new reach: noisy counts (README, "Disclosure control"), null under k.',
})
export class SegmentOverlapModel {
  @Field(() => ID, { description: 'The shared segment id.' }) sharedSegmentId!: string;
  @Field(() => Int, {
    nullable: true,
    description:
      'People of the segment I already hold (sharing an email or phone fingerprint with one of my contacts, or of the audience asked about), with seeded noise, rounded to 5; null when under k (overlapSuppressed).',
  })
  overlap!: number | null;
  @Field({ description: 'Whether the overlap is withheld because it is under k (never shown as 0 or a bound).' })
  overlapSuppressed!: boolean;
  @Field(() => Int, {
    nullable: true,
    description:
      'People of the segment I do not hold (new reach), with seeded noise, rounded to 5; null when under k (newReachSuppressed).',
  })
  newReach!: number | null;
  @Field({ description: 'Whether the new reach is withheld because it is under k (never shown as 0 or a bound).' })
  newReachSuppressed!: boolean;
  @Field(() => Int, {
    description:
      "The k these counts answer to: the largest of the pool's and the publisher's and my organization's own.",
  })
  effectiveMinGroupSize!: number;
}

@ObjectType('PoolOverlapCell', {
  description: 'The overlap of two shared segments of a pool: people of segment A who are also in segment B.',
})
export class PoolOverlapCellModel {
  @Field(() => ID, { description: 'Segment A: the one shared first.' }) segmentA!: string;
  @Field(() => ID, { description: 'Segment B: the one shared after A.' }) segmentB!: string;
  @Field(() => Int, {
    nullable: true,
    description:
      'People of A sharing an email or phone fingerprint with people of B, with seeded noise, rounded to 5; null when under k (suppressed).',
  })
  overlap!: number | null;
  @Field({ description: 'Whether the overlap is withheld because it is under k (never shown as 0 or a bound).' })
  suppressed!: boolean;
  @Field(() => Int, { description: "The k of this cell: the largest of the pool's and both publishers' own." })
  effectiveMinGroupSize!: number;
}

/** What the sharing ledger records (the ledger migration's POOL_LEDGER_ACTIONS). */
export enum PoolLedgerAction {
  SHARE = 'SHARE',
  UNSHARE = 'UNSHARE',
  OVERLAP = 'OVERLAP',
  OVERLAP_MATRIX = 'OVERLAP_MATRIX',
  BREAKDOWN = 'BREAKDOWN',
  BENCHMARK = 'BENCHMARK',
  REVEAL_REQUEST = 'REVEAL_REQUEST',
  REVEAL_APPROVE = 'REVEAL_APPROVE',
  REVEAL_REFUSE = 'REVEAL_REFUSE',
  REVEAL_COPY = 'REVEAL_COPY',
  CROSS_PROMOTION_PREVIEW = 'CROSS_PROMOTION_PREVIEW',
  CROSS_PROMOTION_SEND = 'CROSS_PROMOTION_SEND',
}
registerEnumType(PoolLedgerAction, {
  name: 'PoolLedgerAction',
  description: 'What a sharing ledger entry records.',
  valuesMap: {
    SHARE: { description: 'An audience was shared into the pool.' },
    UNSHARE: { description: 'A share was withdrawn.' },
    OVERLAP: { description: 'A member asked the overlap of a shared segment with its contacts (segmentOverlap).' },
    OVERLAP_MATRIX: { description: "A member asked the overlap matrix of the pool's segments (poolOverlapMatrix)." },
    BREAKDOWN: { description: "A member asked a shared segment's breakdown." },
    BENCHMARK: { description: "A member asked the pool's benchmarks." },
    REVEAL_REQUEST: { description: "A member requested the reveal of a shared segment's consenting people." },
    REVEAL_APPROVE: { description: 'The publisher approved a reveal.' },
    REVEAL_REFUSE: { description: 'The publisher refused a reveal.' },
    REVEAL_COPY: { description: 'The people of an approved reveal were copied to the member.' },
    CROSS_PROMOTION_PREVIEW: {
      description: "A member previewed a campaign to another member's CROSS_PROMOTION share (how many it would reach).",
    },
    CROSS_PROMOTION_SEND: {
      description:
        "The publisher sent a member's campaign to those of its people in a CROSS_PROMOTION share who agreed to partner sharing (the asker is the member whose campaign it is).",
    },
  },
});

@ObjectType('PoolLedgerCount', { description: 'One count of what a ledger entry gave out, as it was shown.' })
export class PoolLedgerCountModel {
  @Field({
    description:
      'What it counts: overlap, newReach, people; a matrix cell is "<segment A id>:<segment B id>"; nested figures are joined with dots.',
  })
  name!: string;
  @Field(() => Int, { nullable: true, description: 'The count as shown; null when it was suppressed (under k).' })
  value!: number | null;
}

@ObjectType('PoolLedgerEntry', {
  description:
    "One entry of a pool's sharing ledger (append-only): a question, share, unshare or reveal, who asked, whose data, what came out.",
})
export class PoolLedgerEntryModel {
  @Field({ description: 'When (UTC).' }) at!: Date;
  @Field(() => PoolLedgerAction, { description: 'What happened.' }) action!: PoolLedgerAction;
  @Field({ description: 'The organization that asked (or shared, or revealed), by name.' }) askedBy!: string;
  @Field({ description: 'Whether my organization asked.' }) askedByMe!: boolean;
  @Field(() => ID, {
    nullable: true,
    description: 'The member of my organization who asked; null on the entries of other organizations.',
  })
  askedByUserId!: string | null;
  @Field(() => [String], { description: 'Whose data the answer drew on: the organizations, by name.' })
  dataOrganizations!: string[];
  @Field(() => [ID], { description: 'The shared segments concerned.' }) sharedSegmentIds!: string[];
  @Field(() => PoolPurpose, {
    nullable: true,
    description: 'The purpose of the shares concerned; null when they differ (a matrix over several purposes).',
  })
  purpose!: PoolPurpose | null;
  @Field(() => [PoolLedgerCountModel], { description: 'What came out: the counts as shown (null when suppressed).' })
  outcome!: PoolLedgerCountModel[];
}

@ObjectType('PoolLedgerConnection', { description: "A page of a pool's sharing ledger, newest first." })
export class PoolLedgerConnectionModel extends Paginated(PoolLedgerEntryModel, 'PoolLedgerEntry') {}
