import { DataSource } from 'typeorm';
import { migrations } from './migrations/index.js';

/** Data source for the application role (crm_app): subject to row-level security. */
export function createAppDataSource(url: string, poolSize: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    entities: [],
    poolSize,
    extra: { application_name: 'crm' },
  });
}

/** Data source for the owner role: runs migrations, nothing else. */
export function createOwnerDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    poolSize: 1,
    extra: { application_name: 'crm-migrate' },
  });
}
