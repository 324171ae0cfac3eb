import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ContactsModule } from '@app/contacts';
import { DuplicateFinder } from './keys/duplicate-finder.service.js';
import { MatchKeysService } from './keys/match-keys.service.js';
import { PossibleDuplicatesResolver } from './keys/possible-duplicates.resolver.js';
import { ContactMergeSteps } from './merge/contact-merge-steps.js';
import { MergeSnapshotsRetention } from './merge/merge-snapshots.retention.js';
import { MergeResolver } from './merge/merge.resolver.js';
import { MergeService } from './merge/merge.service.js';
import { DedupContactsJob } from './runs/dedup-contacts.job.js';
import { DedupResolver } from './runs/dedup.resolver.js';
import { DedupSettingsService } from './runs/dedup-settings.service.js';
import { DuplicatesService } from './runs/duplicates.service.js';

/** Deduplication: matching runs (a job), the review queue, merges and their undo. */
@Module({
  imports: [ContactsModule, DiscoveryModule],
  providers: [
    DedupSettingsService,
    DuplicatesService,
    MatchKeysService,
    DuplicateFinder,
    ContactMergeSteps,
    MergeService,
    DedupContactsJob,
    MergeSnapshotsRetention,
  ],
  exports: [DedupSettingsService, DuplicatesService, MergeService, MatchKeysService, DuplicateFinder],
})
export class DedupModule {}

/** What the API serves of deduplication: its GraphQL resolvers. */
@Module({
  imports: [DedupModule],
  providers: [DedupResolver, MergeResolver, PossibleDuplicatesResolver],
})
export class DedupApiModule {}
