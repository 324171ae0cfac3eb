import { Injectable } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type DataLoader from 'dataloader';
import { UuidPipe } from '@app/common';
import { Caller, type RequestCaller, RequireRole, Role } from '@app/tenancy';
import {
  CampaignAudienceModel,
  CampaignConnectionModel,
  CampaignInput,
  CampaignModel,
  CampaignPreviewModel,
  CampaignProgressModel,
  CampaignsArgs,
  CampaignSettingsInput,
  CampaignSettingsModel,
  CampaignUpdateInput,
  CampaignTestSendModel,
  SendTestCampaignArgs,
  SenderIdentityInput,
  SenderIdentityModel,
} from './campaign.models.js';
import { CampaignsService } from './campaigns.service.js';
import { CampaignPreviews } from './campaign-previews.js';

const campaignId = () => Args('id', { type: () => ID, description: 'The campaign id.' }, UuidPipe);

/** A list of campaigns' audiences and progress in one query each, per request. */
@Injectable()
export class CampaignLoaders {
  constructor(private readonly campaigns: CampaignsService) {}

  audiences(caller: RequestCaller): DataLoader<string, (CampaignAudienceModel & { excluded: boolean })[]> {
    return caller.loader('campaigns.audiences', async (ids: readonly string[]) => {
      const rows = await this.campaigns.audiences(ids);
      return ids.map((id) => rows.filter((row) => row.campaignId === id));
    });
  }

  progress(caller: RequestCaller): DataLoader<string, CampaignProgressModel> {
    return caller.loader('campaigns.progress', async (ids: readonly string[]) => {
      const progress = await this.campaigns.progress(ids);
      return ids.map((id) => progress.get(id)!);
    });
  }
}

@Resolver(() => CampaignModel)
export class CampaignsResolver {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly previews: CampaignPreviews,
    private readonly loaders: CampaignLoaders,
  ) {}

  @Query(() => CampaignConnectionModel, {
    name: 'campaigns',
    description: 'The organization’s campaigns, latest first (every role).',
  })
  @RequireRole(Role.ANALYST)
  listCampaigns(@Args() args: CampaignsArgs): Promise<CampaignConnectionModel> {
    return this.campaigns.list(args);
  }

  @Query(() => CampaignModel, { description: 'One campaign (every role).' })
  @RequireRole(Role.ANALYST)
  campaign(@campaignId() id: string): Promise<CampaignModel> {
    return this.campaigns.get(id);
  }

  @Query(() => CampaignPreviewModel, {
    description:
      'Who would receive the campaign if it went out now, who is left out and why, and each variant rendered for a sample recipient (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  previewCampaign(@campaignId() id: string): Promise<CampaignPreviewModel> {
    return this.previews.preview(id);
  }

  @Mutation(() => [CampaignTestSendModel], {
    description:
      'Sends one variant (the default unless `language`) to 1 to 5 addresses, its subject marked as a test; its links are the content’s own, its tracking leads nowhere (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  sendTestCampaign(@Args() args: SendTestCampaignArgs): Promise<CampaignTestSendModel[]> {
    return this.previews.sendTest({ ...args, id: args.id.toLowerCase() });
  }

  @Mutation(() => CampaignModel, { description: 'A new campaign, as a DRAFT (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  createCampaign(@Args('input', { description: 'The new campaign.' }) input: CampaignInput): Promise<CampaignModel> {
    return this.campaigns.create(input);
  }

  @Mutation(() => CampaignModel, { description: 'Edits a DRAFT; an absent field is kept (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  updateCampaign(
    @campaignId() id: string,
    @Args('input', { description: 'The changes.' }) input: CampaignUpdateInput,
  ): Promise<CampaignModel> {
    return this.campaigns.update(id, input);
  }

  @Mutation(() => CampaignModel, {
    description: 'A new DRAFT with the same content, audiences and settings (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  duplicateCampaign(@campaignId() id: string): Promise<CampaignModel> {
    return this.campaigns.duplicate(id);
  }

  @Mutation(() => CampaignModel, {
    description:
      'DRAFT → SCHEDULED: it goes out at `at` (now when absent), its recipients taken then. Needs a sender, a variant in its default language and an included audience (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  scheduleCampaign(
    @campaignId() id: string,
    @Args('at', {
      type: () => String,
      nullable: true,
      description:
        'When: "2027-01-15 09:00" is Quebec time (America/Toronto, daylight saving included); ISO 8601 with an offset is read as such; now when absent.',
    })
    at: string | null,
  ): Promise<CampaignModel> {
    return this.campaigns.schedule(id, at ?? null);
  }

  @Mutation(() => CampaignModel, { description: 'SCHEDULED → DRAFT, to edit it again (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  unscheduleCampaign(@campaignId() id: string): Promise<CampaignModel> {
    return this.campaigns.unschedule(id);
  }

  @Mutation(() => CampaignModel, {
    description: 'SENDING → PAUSED: no message goes out until resumed (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  pauseCampaign(@campaignId() id: string): Promise<CampaignModel> {
    return this.campaigns.pause(id);
  }

  @Mutation(() => CampaignModel, { description: 'PAUSED → SENDING: the rest goes out (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  resumeCampaign(@campaignId() id: string): Promise<CampaignModel> {
    return this.campaigns.resume(id);
  }

  @Mutation(() => CampaignModel, {
    description: 'Stops it for good; messages not yet sent never will be. Not once SENT (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  cancelCampaign(@campaignId() id: string): Promise<CampaignModel> {
    return this.campaigns.cancel(id);
  }

  @ResolveField(() => [CampaignAudienceModel], { description: 'Its recipients: members of any of these.' })
  async includeAudiences(
    @Parent() campaign: CampaignModel,
    @Caller() caller: RequestCaller,
  ): Promise<CampaignAudienceModel[]> {
    return (await this.loaders.audiences(caller).load(campaign.id)).filter((a) => !a.excluded);
  }

  @ResolveField(() => [CampaignAudienceModel], { description: 'Members of these never get it.' })
  async excludeAudiences(
    @Parent() campaign: CampaignModel,
    @Caller() caller: RequestCaller,
  ): Promise<CampaignAudienceModel[]> {
    return (await this.loaders.audiences(caller).load(campaign.id)).filter((a) => a.excluded);
  }

  @ResolveField(() => CampaignProgressModel, { description: 'Where its messages are.' })
  progress(@Parent() campaign: CampaignModel, @Caller() caller: RequestCaller): Promise<CampaignProgressModel> {
    return this.loaders.progress(caller).load(campaign.id);
  }
}

@Resolver(() => SenderIdentityModel)
export class SenderIdentitiesResolver {
  constructor(private readonly campaigns: CampaignsService) {}

  @Query(() => [SenderIdentityModel], { description: 'Who campaigns can be from (every role).' })
  @RequireRole(Role.ANALYST)
  senderIdentities(): Promise<SenderIdentityModel[]> {
    return this.campaigns.senderIdentities();
  }

  @Mutation(() => SenderIdentityModel, { description: 'A new sender identity (ADMIN and up).' })
  @RequireRole(Role.ADMIN)
  createSenderIdentity(
    @Args('input', { description: 'The new identity.' }) input: SenderIdentityInput,
  ): Promise<SenderIdentityModel> {
    return this.campaigns.createSenderIdentity(input);
  }

  @Query(() => CampaignSettingsModel, { description: 'The organization’s campaign rules (every role).' })
  @RequireRole(Role.ANALYST)
  campaignSettings(): Promise<CampaignSettingsModel> {
    return this.campaigns.settings();
  }

  @Mutation(() => CampaignSettingsModel, { description: 'Sets the organization’s frequency cap (ADMIN and up).' })
  @RequireRole(Role.ADMIN)
  setCampaignSettings(
    @Args('input', { description: 'The rules.' }) input: CampaignSettingsInput,
  ): Promise<CampaignSettingsModel> {
    return this.campaigns.setSettings(input);
  }
}
