import { Field, ObjectType } from '@nestjs/graphql';

/** Relay page info, shared by every connection. */
@ObjectType('PageInfo', {
  description: 'Where a page stands in its list (Relay). Lists are paged forward: first, then after: endCursor.',
})
export class PageInfoModel {
  @Field(() => Boolean, { description: 'More items follow this page: ask for them with after: endCursor.' })
  hasNextPage!: boolean;
  @Field(() => Boolean, {
    description: 'Items come before this page: true when it was asked for after a cursor, false on the first page.',
  })
  hasPreviousPage!: boolean;
  @Field(() => String, {
    nullable: true,
    description: "The last item's cursor, to pass as after for the next page; null when the page is empty.",
  })
  endCursor!: string | null;
}
