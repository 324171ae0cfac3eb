import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Tag', { description: 'A label put on contacts, e.g. "abonné".' })
export class TagModel {
  @Field(() => ID, { description: 'The tag id.' }) id!: string;
  @Field({ description: 'Unique per organization, case-insensitively.' }) name!: string;
  @Field({ description: 'When the tag was created (UTC).' }) createdAt!: Date;
}
