import { type DynamicModule, Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';
import { EngagementModule } from '@app/engagement';
import { CAMPAIGNS_OPTIONS, type CampaignsOptions } from './campaigns-options.js';
import { CampaignPreviews } from './campaign-previews.js';
import { CampaignLoaders, CampaignsResolver, SenderIdentitiesResolver } from './campaigns.resolver.js';
import { CampaignsService } from './campaigns.service.js';
import { CampaignRecipients } from './recipients/campaign-recipients.js';
import { CampaignSnapshotJob } from './recipients/snapshot.job.js';
import { DemoCampaigns } from './demo/demo-campaigns.js';
import { CampaignDispatchJob } from './dispatch/campaign-dispatch.job.js';
import { MailTransport } from './dispatch/mail-transport.js';
import { MessageSender } from './dispatch/message-sender.js';
import { OutboxTransport } from './dispatch/outbox-transport.js';
import { SmtpTransport } from './dispatch/smtp-transport.js';
import { CampaignMessagesMergeStep } from './messages/campaign-messages.merge-step.js';
import { MessageEvents } from './messages/message-events.js';
import { CampaignStatsResolver } from './stats/campaign-stats.resolver.js';
import { CampaignStatsService } from './stats/campaign-stats.service.js';
import { EngagementCampaignNameResolver } from './stats/engagement-campaign-name.resolver.js';
import { BouncesController } from './bounces/bounces.controller.js';
import { BouncesService } from './bounces/bounces.service.js';
import { CampaignLinksCache } from './tracking/campaign-links.cache.js';
import { TrackingController } from './tracking/tracking.controller.js';
import { TrackingRecorder } from './tracking/tracking-recorder.js';
import { TrackingTokens } from './tracking/tracking-token.js';
import { UnsubscribesService } from './tracking/unsubscribes.service.js';

/**
 * Campaigns: email to audiences (drafts, schedule, preview), the recipient snapshot and dispatch (jobs), tracking of
 * opens, clicks, unsubscribes and bounces, and each campaign's figures with what it earned.
 */
@Module({})
export class CampaignsModule {
  static forRoot(options: CampaignsOptions): DynamicModule {
    return {
      module: CampaignsModule,
      imports: [ContactsModule, EngagementModule],
      providers: [
        { provide: CAMPAIGNS_OPTIONS, useValue: options },
        { provide: TrackingTokens, useValue: new TrackingTokens(options.secret) },
        MessageEvents,
        CampaignMessagesMergeStep,
        CampaignsService,
        CampaignRecipients,
        CampaignPreviews,
        CampaignSnapshotJob,
        CampaignStatsService,
        DemoCampaigns,
        {
          provide: MailTransport,
          useFactory: () =>
            options.smtpUrl ? new SmtpTransport(options.smtpUrl) : new OutboxTransport(options.outboxDir),
        },
        MessageSender,
        CampaignDispatchJob,
      ],
      exports: [
        CAMPAIGNS_OPTIONS,
        TrackingTokens,
        MessageEvents,
        MailTransport,
        CampaignsService,
        CampaignPreviews,
        CampaignStatsService,
        DemoCampaigns,
      ],
    };
  }
}

/** What the API serves of campaigns: GraphQL and the public tracking endpoints. */
@Module({})
export class CampaignsApiModule {
  static forRoot(options: CampaignsOptions): DynamicModule {
    return {
      module: CampaignsApiModule,
      imports: [CampaignsModule.forRoot(options)],
      providers: [
        CampaignsResolver,
        CampaignLoaders,
        SenderIdentitiesResolver,
        CampaignStatsResolver,
        EngagementCampaignNameResolver,
        CampaignLinksCache,
        TrackingRecorder,
        UnsubscribesService,
        BouncesService,
      ],
      controllers: [TrackingController, BouncesController],
    };
  }
}
