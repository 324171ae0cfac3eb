import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { TenantContexts } from './tenant-context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A tenant transaction: parameterized SQL whose rows come back as plain objects. */
export class Tx {
  constructor(private readonly client: pg.PoolClient) {}

  /** The rows a statement returns (SELECT, or INSERT/UPDATE/DELETE ... RETURNING). */
  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params as unknown[])).rows as T[];
  }

  /** The number of rows a statement changed. */
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.client.query(sql, params as unknown[])).rowCount ?? 0;
  }

  /**
   * `COPY ... FROM STDIN` as a writable stream of COPY text. The connection is
   * busy until the stream finishes. PostgreSQL refuses COPY FROM into tables
   * under row-level security, so COPY goes into a temporary staging table and
   * a set-based INSERT ... SELECT moves the rows (RLS checks apply there).
   */
  copyFrom(sql: string): Writable {
    return this.client.query(copyFrom(sql));
  }
}

interface OpenTransaction {
  orgId: string;
  tx: Tx;
}

/**
 * The one way to read or write tenant data. Every unit of work runs in a
 * transaction whose first statement sets `app.org_id`, which the row-level
 * security policies read. Without a tenant in TenantContexts it throws.
 *
 * It talks to the pool of TypeORM's data source directly: BEGIN and the
 * set_config travel in one round trip, which matters more than anything else
 * for small reads (each round trip is a system call on both sides).
 */
@Injectable()
export class TenantDb {
  private readonly open = new AsyncLocalStorage<OpenTransaction>();
  private readonly pool: pg.Pool;

  constructor(dataSource: DataSource) {
    this.pool = (dataSource.driver as PostgresDriver).master as pg.Pool;
  }

  /**
   * A transaction of its own, even when called inside another: for what must
   * be visible before the outer one commits (job progress), or must not wait
   * for its connection (reading while it streams a COPY).
   */
  async separateTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.open.exit(() => this.transaction(work));
  }

  /** Runs `work` in a tenant transaction; nested calls for the same tenant join the outer one. */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const { orgId } = TenantContexts.require();
    const outer = this.open.getStore();
    if (outer && outer.orgId === orgId) return work(outer.tx);
    // Inlined below, so it must be a well-formed UUID (it always is when it comes from an API key or a job).
    if (!UUID.test(orgId)) throw new Error(`Invalid tenant id: ${orgId}`);

    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query(`BEGIN; SELECT set_config('app.org_id', '${orgId}', true)`);
      const tx = new Tx(client);
      const result = await this.open.run({ orgId, tx }, () => work(tx));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError));
      throw error;
    } finally {
      // a connection that could not roll back is discarded, not reused
      client.release(broken instanceof Error ? broken : undefined);
    }
  }
}
