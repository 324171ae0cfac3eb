import { type DynamicModule, Module } from '@nestjs/common';
import { ContactsModule } from '@app/contacts';
import { EngagementModule } from '@app/engagement';
import { importUploadProviders, type ImportLimits, ImportsModule } from '@app/imports';
import { changeRequestsListener, JobName } from '@app/jobs';
import { AudienceLoaders, AudiencesResolver } from './audiences.resolver.js';
import { AudiencesService } from './audiences.service.js';
import { RefreshAudienceJob, SyncAudiencesJob } from './membership/audience-jobs.js';
import { AudienceMembership } from './membership/audience-membership.js';
import { AudienceMembersController } from './static/audience-members.controller.js';
import { ImportMembersJob } from './static/import-members.job.js';
import { StaticListsMergeStep } from './static/static-lists-on-merge.js';

export interface AudiencesModuleOptions {
  /** Listen for contact changes and queue the syncs: in the processes that run jobs. */
  watchChanges: boolean;
  /** Application-role URL of the database, for the listening connection. */
  appUrl: string;
}

/** Audiences: rules compiled to SQL, members materialized and kept current by jobs. */
@Module({})
export class AudiencesModule {
  static forRoot(options: AudiencesModuleOptions): DynamicModule {
    return {
      module: AudiencesModule,
      imports: [ContactsModule, EngagementModule, ImportsModule],
      providers: [
        AudienceMembership,
        AudiencesService,
        RefreshAudienceJob,
        SyncAudiencesJob,
        ImportMembersJob,
        StaticListsMergeStep,
        // the audiences migration's triggers note changed contacts, request a sync and notify
        ...(options.watchChanges
          ? [
              changeRequestsListener({
                channel: 'crm_audience_changes',
                requestsTable: 'audience_sync_requests',
                job: JobName.SYNC_AUDIENCES,
                url: options.appUrl,
              }),
            ]
          : []),
      ],
      exports: [AudiencesService],
    };
  }
}

/** What the API serves of audiences: the GraphQL resolvers and the members upload. */
@Module({})
export class AudiencesApiModule {
  static forRoot(options: AudiencesModuleOptions, limits: ImportLimits): DynamicModule {
    return {
      module: AudiencesApiModule,
      imports: [AudiencesModule.forRoot(options)],
      providers: [AudiencesResolver, AudienceLoaders, ...importUploadProviders(limits)],
      controllers: [AudienceMembersController],
    };
  }
}
