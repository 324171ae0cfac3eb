import { Field, ObjectType } from '@nestjs/graphql';
import { PageInfoModel } from './page-info.model.js';

/** One item of a page and the cursor that pages after it. */
export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A page of a list, as every connection returns it. */
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfoModel;
}

/**
 * The GraphQL connection of a node type (Nest's `Paginated<T>` pattern): registers `${name}Edge` and returns an
 * abstract class with `edges` and `pageInfo`. Extend it under `@ObjectType(`${name}Connection`)`, adding any
 * field of that list's own (`totalCount`).
 */
export function Paginated<T>(node: abstract new () => T, name: string): abstract new () => Connection<T> {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeModel implements Edge<T> {
    @Field({ description: 'Pass it as after to get the items that follow this one.' }) cursor!: string;
    @Field(() => node, { description: 'The item.' }) node!: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionModel implements Connection<T> {
    @Field(() => [EdgeModel], { description: 'The items of this page, in the order of the list.' }) edges!: EdgeModel[];
    @Field(() => PageInfoModel, {
      description: 'Whether items come before and after this page, and the cursor to ask for the next.',
    })
    pageInfo!: PageInfoModel;
  }
  return ConnectionModel;
}
