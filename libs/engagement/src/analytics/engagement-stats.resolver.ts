import { Args, Info, Query, Resolver } from '@nestjs/graphql';
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { RequireRole, Role } from '@app/tenancy';
import { EngagementStatsArgs, EngagementStatsModel, RetentionArgs, RetentionModel } from './engagement-stats.models.js';
import { EngagementStatsService, type MetricsWanted } from './engagement-stats.service.js';

@Resolver()
export class EngagementStatsResolver {
  constructor(private readonly stats: EngagementStatsService) {}

  @Query(() => EngagementStatsModel, {
    description:
      'Interaction counts, distinct contacts, amounts, quantities and email rates over a filter, by period and by up to 3 dimensions (every role; aggregates only).',
  })
  @RequireRole(Role.ANALYST)
  engagementStats(@Args() args: EngagementStatsArgs, @Info() info: GraphQLResolveInfo): Promise<EngagementStatsModel> {
    return this.stats.stats(args, metricsWanted(info));
  }

  @Query(() => RetentionModel, {
    description:
      'Of the contacts first active in each period, how many were active again in each following period (every role; aggregates only).',
  })
  @RequireRole(Role.ANALYST)
  retention(@Args() args: RetentionArgs): Promise<RetentionModel> {
    return this.stats.retention(args);
  }
}

/** The costly metrics the query selects (in rows or totals): the others are not computed. */
function metricsWanted(info: GraphQLResolveInfo): MetricsWanted {
  const names = new Set<string>();
  const collect = (selectionSet: SelectionSetNode | undefined, depth: number) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        names.add(selection.name.value);
        if (depth < 1) collect(selection.selectionSet, depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, depth);
      else collect(info.fragments[selection.name.value]?.selectionSet, depth);
    }
  };
  for (const node of info.fieldNodes as FieldNode[]) collect(node.selectionSet, 0);
  return {
    uniqueContacts: names.has('uniqueContacts'),
    emailRates: ['openRate', 'clickRate', 'emailsDelivered'].some((name) => names.has(name)),
  };
}
