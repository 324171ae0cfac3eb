import { type DynamicModule, Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';
import { changeRequestsListener, JobName } from '@app/jobs';
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
import { SharedSegmentsResolver } from './shared-segments.resolver.js';
import { SharedSegmentsService } from './shared-segments.service.js';
import { CHANGES_PARAMS, ShareExpiries, SyncPoolSegmentsJob } from './sync-segments.job.js';

export interface PoolsModuleOptions {
  /** Listen for changes that reach shared segments and queue their syncs: in the processes that run jobs. */
  watchChanges: boolean;
  /** Application-role URL of the database, for the listening connection. */
  appUrl: string;
}

/** Pools: organizations pooling audiences, their memberships, shared segments (kept current by a job) and reveals. */
@Module({})
export class PoolsModule {
  static forRoot(options: PoolsModuleOptions): DynamicModule {
    return {
      module: PoolsModule,
      imports: [ContactsModule],
      providers: [
        PoolsService,
        SharedSegmentsService,
        ShareExpiries,
        SyncPoolSegmentsJob,
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
      exports: [PoolsService, SharedSegmentsService, PoolRevealsService],
    };
  }
}

/** What the API serves of pools: the GraphQL resolvers. */
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
        PoolRevealsResolver,
        SharedSegmentRevealsResolver,
        ContactProvenanceResolver,
      ],
    };
  }
}
