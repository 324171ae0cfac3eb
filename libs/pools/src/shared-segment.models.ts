import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { IsDate, IsEnum, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { INPUT_LIMITS } from '@app/common';
import { PoolPurpose } from './pool.models.js';

@ObjectType('SharedSegment', {
  description:
    'An audience published to a pool: what its members see of it (a catalogue entry). Never a contact: the pool holds pool-scoped fingerprints only.',
})
export class SharedSegmentModel {
  @Field(() => ID, { description: 'The shared segment id.' }) id!: string;
  @Field(() => ID, { description: 'The pool id.' }) poolId!: string;
  @Field({ description: "The publishing organization's name." }) publisherName!: string;
  @Field({ description: "The audience's name when it was shared." }) audienceName!: string;
  @Field(() => PoolPurpose, { description: 'What members may do with it (one of the pool’s purposes).' })
  purpose!: PoolPurpose;
  @Field(() => String, { nullable: true, description: 'What it is, in the publisher’s words.' })
  description!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the share ends (UTC); null: until withdrawn.' })
  expiresAt!: Date | null;
  @Field({ description: 'When it was shared (UTC).' }) createdAt!: Date;
  @Field({ description: 'Whether my organization published it.' }) isMine!: boolean;
  @Field(() => Int, {
    nullable: true,
    description: 'How many people it holds; null when under the effective k of the publisher (sizeSuppressed).',
  })
  size!: number | null;
  @Field({ description: 'Whether the size is withheld because it is under k (never shown as 0 or a bound).' })
  sizeSuppressed!: boolean;
}

@InputType({ description: 'One of my audiences to publish to a pool.' })
export class ShareAudienceInput {
  @Field(() => ID, { description: "The audience id (my organization's)." })
  @IsUUID()
  audienceId!: string;
  @Field(() => ID, { description: 'The pool id (my organization is an ACTIVE member).' })
  @IsUUID()
  poolId!: string;
  @Field(() => PoolPurpose, { description: 'What members may do with it: one of the pool’s purposes.' })
  @IsEnum(PoolPurpose)
  purpose!: PoolPurpose;
  @Field(() => Date, {
    nullable: true,
    description: 'When the share ends (UTC, in the future); null: until withdrawn.',
  })
  @IsOptional()
  @IsDate()
  expiresAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'What it is, up to 2,000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(INPUT_LIMITS.poolDescription)
  description?: string | null;
}
