import { type DynamicModule, Module } from '@nestjs/common';
import { type Config } from '@app/common';
import { DatabaseModule, HealthModule } from '@app/database';

/** The job worker: same libraries as the API, no GraphQL; processors arrive with the jobs backbone. */
@Module({})
export class WorkerModule {
  static forRoot(config: Config, database: { appUrl: string }): DynamicModule {
    return {
      module: WorkerModule,
      imports: [DatabaseModule.forRoot({ appUrl: database.appUrl, poolSize: config.DATABASE_POOL_SIZE }), HealthModule],
    };
  }
}
