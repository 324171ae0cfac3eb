import { type DynamicModule, Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';
import { EngagementModule } from '@app/engagement';
import { changeRequestsListener, JobName } from '@app/jobs';
import { BenchmarkFiguresJob } from './benchmark-figures.job.js';
import { PoolBenchmarksResolver } from './pool-benchmarks.resolver.js';
import { PoolBenchmarksService } from './pool-benchmarks.service.js';
import { PoolAggregatesResolver } from './pool-aggregates.resolver.js';
import { PoolAggregatesService } from './pool-aggregates.service.js';
import { PoolLedgerController } from './pool-ledger.controller.js';
import { PoolLoaders, PoolsResolver } from './pools.resolver.js';
import { PoolsService } from './pools.service.js';
import { ContactProvenanceMergeStep } from './reveals/contact-provenance.merge-step.js';
import { CopyRevealJob } from './reveals/copy-reveal.job.js';
import {
  ContactProvenanceResolver,
  PoolRevealsResolver,
  SharedSegmentRevealsResolver,
} from './reveals/pool-reveals.resolver.js';
import { PoolRevealsService } from './reveals/pool-reveals.service.js';
import { SegmentBreakdownResolver } from './segment-breakdown.resolver.js';
import { SegmentBreakdownService } from './segment-breakdown.service.js';
import { SharedSegmentsResolver } from './shared-segments.resolver.js';
import { SharedSegmentsService } from './shared-segments.service.js';
import { CHANGES_PARAMS, ShareExpiries, SyncPoolSegmentsJob } from './sync-segments.job.js';

export interface PoolsModuleOptions {
  /** Listen for changes that reach shared segments and queue their syncs: in the processes that run jobs. */
  watchChanges: boolean;
  /** Application-role URL of the database, for the listening connection. */
  appUrl: string;
}

/**
 * Pools: organizations pooling audiences, their memberships, shared segments (kept current by a job), breakdowns,
 * benchmarks (their figures by a job) and reveals (copied by a job).
 */
@Module({})
export class PoolsModule {
  static forRoot(options: PoolsModuleOptions): DynamicModule {
    return {
      module: PoolsModule,
      imports: [ContactsModule, EngagementModule],
      providers: [
        PoolsService,
        SharedSegmentsService,
        PoolAggregatesService,
        ShareExpiries,
        SyncPoolSegmentsJob,
        SegmentBreakdownService,
        PoolBenchmarksService,
        BenchmarkFiguresJob,
        PoolRevealsService,
        CopyRevealJob,
        ContactProvenanceMergeStep,
        // the pool-sync migration's triggers note changed contacts, request a sync and notify
        ...(options.watchChanges
          ? [
              changeRequestsListener({
                channel: 'crm_pool_changes',
                requestsTable: 'pool_sync_requests',
                job: JobName.SYNC_POOL_SEGMENTS,
                params: CHANGES_PARAMS,
                url: options.appUrl,
              }),
            ]
          : []),
      ],
      exports: [
        PoolsService,
        SharedSegmentsService,
        PoolAggregatesService,
        SegmentBreakdownService,
        PoolBenchmarksService,
        PoolRevealsService,
      ],
    };
  }
}

/** What the API serves of pools: the GraphQL resolvers and the ledger's CSV download. */
@Module({})
export class PoolsApiModule {
  static forRoot(options: PoolsModuleOptions): DynamicModule {
    return {
      module: PoolsApiModule,
      imports: [PoolsModule.forRoot(options)],
      providers: [
        PoolsResolver,
        PoolLoaders,
        SharedSegmentsResolver,
        PoolAggregatesResolver,
        SegmentBreakdownResolver,
        PoolBenchmarksResolver,
        PoolRevealsResolver,
        SharedSegmentRevealsResolver,
        ContactProvenanceResolver,
      ],
      controllers: [PoolLedgerController],
    };
  }
}
