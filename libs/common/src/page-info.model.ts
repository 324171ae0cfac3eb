import { Field, ObjectType } from '@nestjs/graphql';

/** Relay page info, shared by every connection. */
@ObjectType('PageInfo')
export class PageInfoModel {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}
