import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { EngagementGroupModel } from '@app/engagement';
import { Caller, type RequestCaller } from '@app/tenancy';
import { CampaignStatsService } from './campaign-stats.service.js';

/** engagementStats rows grouped by CAMPAIGN name the campaign (interactions.campaign holds its id). */
@Resolver(() => EngagementGroupModel)
export class EngagementCampaignNameResolver {
  constructor(private readonly stats: CampaignStatsService) {}

  @ResolveField(() => String, {
    nullable: true,
    description: "The campaign's name when `campaign` is one of my organization's campaigns; else null.",
  })
  campaignName(@Parent() group: EngagementGroupModel, @Caller() caller: RequestCaller): Promise<string | null> | null {
    if (!group.campaign) return null;
    const loader = caller.loader('campaigns.names', async (ids: readonly string[]) => {
      const names = await this.stats.names(ids);
      return ids.map((id) => names.get(id) ?? null);
    });
    return loader.load(group.campaign);
  }
}
