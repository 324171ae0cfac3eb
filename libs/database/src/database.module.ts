import { type DynamicModule, Global, Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@app/common';
import { createAppDataSource } from './data-source.js';
import type { PreparedDatabase } from './database-connection.js';
import { TENANT_DB_OPTIONS, TenantDb, type TenantDbOptions } from './tenant-db.service.js';

/** Provides the application-role DataSource and TenantDb to every module. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forRoot(config: Config, database: Pick<PreparedDatabase, 'appUrl' | 'claimKey'>): DynamicModule {
    const tenantDb: TenantDbOptions = {
      claimKey: database.claimKey,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      jobStatementTimeoutMs: config.JOB_STATEMENT_TIMEOUT_MS,
    };
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async () =>
            createAppDataSource(database.appUrl, {
              poolSize: config.DATABASE_POOL_SIZE,
              acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
            }).initialize(),
        },
        { provide: TENANT_DB_OPTIONS, useValue: tenantDb },
        TenantDb,
      ],
      exports: [DataSource, TenantDb],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
