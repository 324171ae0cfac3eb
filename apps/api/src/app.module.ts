import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { AudiencesApiModule } from '@app/audiences';
import { CampaignsApiModule, campaignsOptions } from '@app/campaigns';
import { type Config, InputValidationPipe } from '@app/common';
import { ContactsApiModule } from '@app/contacts';
import { DatabaseModule, HealthModule, type PreparedDatabase } from '@app/database';
import { DedupApiModule, dedupOptions } from '@app/dedup';
import { EngagementApiModule } from '@app/engagement';
import { JobsModule, jobsOptions } from '@app/jobs';
import { PoolsApiModule } from '@app/pools';
import { ApiKeyGuard, runRole, TenancyModule, TenantInterceptor } from '@app/tenancy';
import { GraphqlErrorFilter } from './graphql/graphql-error.filter.js';
import { explorerEnabled, GraphqlExplorer } from './graphql/explorer.js';
import { graphqlOptions } from './graphql/graphql.config.js';
import { JobRunsResolver } from './jobs/job-runs.resolver.js';

/** What the API needs of the prepared database. */
export type ApiDatabase = Pick<PreparedDatabase, 'appUrl' | 'embedded' | 'claimKey'>;

/** The API: GraphQL over HTTP, every operation authenticated and run in its caller's tenant. */
@Module({})
export class AppModule {
  static forRoot(config: Config, database: ApiDatabase): DynamicModule {
    const processors = config.RUN_JOBS_IN_API ?? database.embedded;
    // main.ts shares the demo key's header with it once seeded (app.get(GraphqlExplorer))
    const explorer = explorerEnabled(config, database.embedded) ? new GraphqlExplorer() : undefined;
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, database),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [ApiKeyGuard],
          useFactory: (guard: ApiKeyGuard) =>
            graphqlOptions(config, (request) => guard.authenticate(request), explorer),
        }),
        HealthModule,
        TenancyModule.forRoot({ authCacheMs: config.AUTH_CACHE_MS }),
        JobsModule.forRoot({ ...jobsOptions(config, database.appUrl), runRole, processors }),
        ContactsApiModule.forRoot({ maxBytes: config.IMPORT_MAX_BYTES }),
        DedupApiModule.forRoot(dedupOptions(config)),
        EngagementApiModule.forRoot({ maxBytes: config.IMPORT_MAX_BYTES }),
        AudiencesApiModule.forRoot(
          { watchChanges: processors, appUrl: database.appUrl },
          { maxBytes: config.IMPORT_MAX_BYTES },
        ),
        PoolsApiModule.forRoot({ watchChanges: processors, appUrl: database.appUrl }),
        CampaignsApiModule.forRoot(campaignsOptions(config, database.claimKey)),
      ],
      providers: [
        { provide: APP_GUARD, useExisting: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useExisting: TenantInterceptor },
        { provide: APP_PIPE, useClass: InputValidationPipe },
        { provide: APP_FILTER, useClass: GraphqlErrorFilter },
        ...(explorer ? [{ provide: GraphqlExplorer, useValue: explorer }] : []),
        JobRunsResolver,
      ],
    };
  }
}
