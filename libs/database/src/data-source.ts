import { DataSource } from 'typeorm';
import { migrations } from './migrations/index.js';

/** Data source for the application role (crm_app): subject to row-level security. */
export function createAppDataSource(url: string, pool: { poolSize: number; acquireTimeoutMs: number }): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    entities: [],
    poolSize: pool.poolSize,
    // a saturated pool fails a unit of work after this long instead of queueing it forever
    extra: { application_name: 'crm', connectionTimeoutMillis: pool.acquireTimeoutMs },
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
