import { type DynamicModule, Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';
import { EngagementModule } from '@app/engagement';
import { CAMPAIGNS_OPTIONS, type CampaignsOptions } from './campaigns-options.js';
import { BouncesController } from './bounces/bounces.controller.js';
import { BouncesService } from './bounces/bounces.service.js';
import { MessageEvents } from './messages/message-events.js';
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
      ],
      exports: [CAMPAIGNS_OPTIONS, TrackingTokens, MessageEvents],
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
      providers: [CampaignLinksCache, TrackingRecorder, UnsubscribesService, BouncesService],
      controllers: [TrackingController, BouncesController],
    };
  }
}
