import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum BreakdownDimension {
  REGION = 'REGION',
  PREFERRED_LANGUAGE = 'PREFERRED_LANGUAGE',
  AGE_BAND = 'AGE_BAND',
  DISCIPLINE = 'DISCIPLINE',
}
registerEnumType(BreakdownDimension, {
  name: 'SegmentBreakdownDimension',
  description:
    "What a shared segment's people are counted by, from the publisher's data. Each has a fixed list of buckets, every one always listed.",
  valuesMap: {
    REGION: {
      description:
        "The contact's Quebec administrative region (the 17, matched without accents or case), OTHER (outside Quebec or not recognized) or UNKNOWN.",
    },
    PREFERRED_LANGUAGE: { description: 'FR, EN or UNKNOWN.' },
    AGE_BAND: {
      description: 'From the birth date, today in Quebec: UNDER_25, 25_34, 35_44, 45_54, 55_64, 65_PLUS or UNKNOWN.',
    },
    DISCIPLINE: {
      description:
        "The distinct disciplines of the person's interactions at the publisher (a person counts once in each of its disciplines): the built-in ones, OTHER (the publisher's own) and NONE.",
    },
  },
});

@ObjectType('SegmentBreakdownBucket', { description: 'One bucket of a breakdown.' })
export class SegmentBreakdownBucketModel {
  @Field({ description: 'The bucket: a region name, FR, 25_34, THEATRE, OTHER, UNKNOWN, NONE...' }) key!: string;
  @Field({ description: 'What it means, in English.' }) label!: string;
  @Field(() => Int, {
    nullable: true,
    description:
      'How many people of the segment are in it: with noise, rounded to 5, never under k. Null when suppressed.',
  })
  people!: number | null;
  @Field({
    description:
      'Withheld: under the effective k of the publisher, or to protect a bucket that is (complementary suppression). Never shown as 0 or a bound.',
  })
  suppressed!: boolean;
}

@ObjectType('SegmentBreakdown', {
  description: "A shared segment's people by region, language, age band or discipline (aggregates only).",
})
export class SegmentBreakdownModel {
  @Field(() => ID, { description: 'The shared segment id.' }) sharedSegmentId!: string;
  @Field(() => BreakdownDimension, { description: 'What the people are counted by.' }) by!: BreakdownDimension;
  @Field(() => [SegmentBreakdownBucketModel], { description: 'Every bucket of the dimension, in a fixed order.' })
  buckets!: SegmentBreakdownBucketModel[];
}
