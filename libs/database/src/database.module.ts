import { type DynamicModule, Global, Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createAppDataSource } from './data-source.js';
import { TenantDb } from './tenant-db.service.js';

/** Provides the application-role DataSource and TenantDb to every module. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forRoot(options: { appUrl: string; poolSize: number }): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => createAppDataSource(options.appUrl, options.poolSize).initialize(),
        },
        TenantDb,
      ],
      exports: [DataSource, TenantDb],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
