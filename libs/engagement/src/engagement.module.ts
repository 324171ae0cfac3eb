import { type DynamicModule, Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';
import { importUploadProviders, type ImportLimits, ImportsModule } from '@app/imports';
import { EngagementFiguresService } from './analytics/engagement-figures.service.js';
import { EngagementStatsResolver } from './analytics/engagement-stats.resolver.js';
import { EngagementStatsService } from './analytics/engagement-stats.service.js';
import { ImportInteractionsJob } from './import/import-interactions.job.js';
import { InteractionImportsController } from './import/interaction-imports.controller.js';
import {
  ContactEngagementResolver,
  EngagementLoaders,
  InteractionsResolver,
} from './interactions/interactions.resolver.js';
import { InteractionsMergeStep } from './interactions/interactions.merge-step.js';
import { InteractionsService } from './interactions/interactions.service.js';

/** Engagement: interactions (what people did), their import (a job), and the analytics over them. */
@Module({
  imports: [ContactsModule, ImportsModule],
  providers: [
    InteractionsService,
    EngagementStatsService,
    EngagementFiguresService,
    ImportInteractionsJob,
    InteractionsMergeStep,
  ],
  exports: [InteractionsService, EngagementStatsService, EngagementFiguresService],
})
export class EngagementModule {}

/** What the API serves of engagement: GraphQL resolvers and the interactions upload. */
@Module({})
export class EngagementApiModule {
  static forRoot(limits: ImportLimits): DynamicModule {
    return {
      module: EngagementApiModule,
      imports: [EngagementModule],
      providers: [
        InteractionsResolver,
        ContactEngagementResolver,
        EngagementLoaders,
        EngagementStatsResolver,
        ...importUploadProviders(limits),
      ],
      controllers: [InteractionImportsController],
    };
  }
}
