import { type DynamicModule, Module } from '@nestjs/common';
import { AudiencesModule } from '@app/audiences';
import { CampaignsModule, campaignsOptions } from '@app/campaigns';
import { type Config } from '@app/common';
import { ContactsModule } from '@app/contacts';
import { DatabaseModule, HealthModule, type PreparedDatabase } from '@app/database';
import { DedupModule, dedupOptions } from '@app/dedup';
import { EngagementModule } from '@app/engagement';
import { JobsModule, jobsOptions } from '@app/jobs';
import { PoolsModule } from '@app/pools';
import { runRole } from '@app/tenancy';

/** The job worker: the processors of every queue, over the same libraries as the API; no GraphQL. */
@Module({})
export class WorkerModule {
  static forRoot(config: Config, database: Pick<PreparedDatabase, 'appUrl' | 'claimKey'>): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        DatabaseModule.forRoot(config, database),
        HealthModule,
        JobsModule.forRoot({ ...jobsOptions(config, database.appUrl), runRole, processors: true }),
        ContactsModule,
        DedupModule.forRoot(dedupOptions(config)),
        EngagementModule,
        AudiencesModule.forRoot({ watchChanges: true, appUrl: database.appUrl }),
        PoolsModule.forRoot({ watchChanges: true, appUrl: database.appUrl }),
        CampaignsModule.forRoot(campaignsOptions(config, database.claimKey)),
      ],
    };
  }
}
