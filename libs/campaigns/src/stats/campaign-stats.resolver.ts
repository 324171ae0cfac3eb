import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { RequireRole, Role } from '@app/tenancy';
import { CampaignStatsArgs, CampaignStatsModel } from './campaign-stats.models.js';
import { CampaignStatsService } from './campaign-stats.service.js';

@Resolver()
export class CampaignStatsResolver {
  constructor(private readonly stats: CampaignStatsService) {}

  @Query(() => CampaignStatsModel, {
    description:
      "A campaign's figures: outcomes of its messages, rates, and the purchases, donations and memberships it earned, in total and by language, region or audience (every role; aggregates only). NOT_FOUND for a campaign that is not my organization's.",
  })
  @RequireRole(Role.ANALYST)
  campaignStats(
    @Args('id', { type: () => ID, description: 'The campaign id.' }, UuidPipe) id: string,
    @Args() args: CampaignStatsArgs,
  ): Promise<CampaignStatsModel> {
    return this.stats.stats(id, args.by ?? []);
  }
}
