import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { type Config } from '@app/common';
import { ContactsModule } from '@app/contacts';
import { DuplicateFinder } from './keys/duplicate-finder.service.js';
import { MatchKeysService } from './keys/match-keys.service.js';
import { PossibleDuplicatesResolver } from './keys/possible-duplicates.resolver.js';
import { ContactMergeSteps } from './merge/contact-merge-steps.js';
import { MergeSnapshotsRetention } from './merge/merge-snapshots.retention.js';
import { MergeResolver } from './merge/merge.resolver.js';
import { MergeService } from './merge/merge.service.js';
import { DEDUP_OPTIONS, DedupContactsJob, type DedupOptions } from './runs/dedup-contacts.job.js';
import { DedupResolver } from './runs/dedup.resolver.js';
import { DedupSettingsService } from './runs/dedup-settings.service.js';
import { DuplicatesService } from './runs/duplicates.service.js';

/** What the processes' configuration says of deduplication. */
export function dedupOptions(config: Config): DedupOptions {
  return { comparisonThreads: config.DEDUP_THREADS };
}

/** Deduplication: matching runs (a job), the review queue, merges and their undo. */
@Module({})
export class DedupModule {
  static forRoot(options: DedupOptions): DynamicModule {
    return {
      module: DedupModule,
      imports: [ContactsModule, DiscoveryModule],
      providers: [
        { provide: DEDUP_OPTIONS, useValue: options },
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
    };
  }
}

/** What the API serves of deduplication: its GraphQL resolvers. */
@Module({})
export class DedupApiModule {
  static forRoot(options: DedupOptions): DynamicModule {
    return {
      module: DedupApiModule,
      imports: [DedupModule.forRoot(options)],
      providers: [DedupResolver, MergeResolver, PossibleDuplicatesResolver],
    };
  }
}
