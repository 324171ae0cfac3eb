import { Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';
import { EngagementStatsResolver } from './analytics/engagement-stats.resolver.js';
import { EngagementStatsService } from './analytics/engagement-stats.service.js';
import { ContactEngagementResolver, EngagementLoaders, InteractionsResolver } from './interactions/interactions.resolver.js';
import { InteractionsService } from './interactions/interactions.service.js';

/** Engagement: interactions (what people did) and the analytics over them. */
@Module({
  imports: [ContactsModule],
  providers: [InteractionsService, EngagementStatsService],
  exports: [InteractionsService, EngagementStatsService],
})
export class EngagementModule {}

/** What the API serves of engagement: its GraphQL resolvers. */
@Module({
  imports: [EngagementModule],
  providers: [InteractionsResolver, ContactEngagementResolver, EngagementLoaders, EngagementStatsResolver],
})
export class EngagementApiModule {}
