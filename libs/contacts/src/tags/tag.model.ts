import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Tag')
export class TagModel {
  @Field(() => ID) id!: string;
  @Field({ description: 'Unique per organization, case-insensitively.' }) name!: string;
  @Field() createdAt!: Date;
}
