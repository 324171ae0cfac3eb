import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { isUuid } from '@app/common';
import { CopyWriter } from './copy-writer.js';
import { DatabaseUnavailableError, isConnectionError } from './pg-errors.util.js';
import { PreparedStatements } from './prepared-statements.js';
import { tenantClaim } from './tenant-claim.js';
import { TenantContexts } from './tenant-context.js';

export const TENANT_DB_OPTIONS = Symbol('TENANT_DB_OPTIONS');

export interface TenantDbOptions {
  /** Signs the tenant claims (read from the database with the owner's connection at boot). */
  claimKey: Buffer;
  /** statement_timeout and idle_in_transaction_session_timeout of a request's transactions, in ms. */
  statementTimeoutMs: number;
  /** The same for jobs' transactions (imports, refreshes: minutes at a million rows). */
  jobStatementTimeoutMs: number;
}

/** A tenant transaction: parameterized SQL whose rows come back as plain objects. */
export class Tx {
  private readonly prepared: PreparedStatements;

  constructor(private readonly client: pg.PoolClient) {
    this.prepared = PreparedStatements.of(client);
  }

  /** The rows a statement returns (SELECT, or INSERT/UPDATE/DELETE ... RETURNING). */
  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.run(sql, params)).rows as T[];
  }

  /** The number of rows a statement changed. */
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.run(sql, params)).rowCount ?? 0;
  }

  /**
   * One statement as a prepared statement (prepared-statements.ts), with or without parameters; a text of several
   * statements (a `;` without parameters: perhaps only in a literal) runs as it is, each parsed and planned.
   */
  private run(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    if (params.length === 0 && sql.includes(';')) return this.client.query(sql);
    return this.client.query({ name: this.prepared.nameFor(sql), text: sql, values: params as unknown[] });
  }

  /**
   * `COPY ... FROM STDIN`: the connection is busy until the writer ends or aborts.
   * PostgreSQL refuses COPY FROM into tables under row-level security, so COPY
   * goes into a temporary staging table and a set-based INSERT ... SELECT moves
   * the rows (RLS checks apply there).
   */
  copyFrom(sql: string): CopyWriter {
    return new CopyWriter(this.client.query(copyFrom(sql)));
  }
}

interface OpenTransaction {
  orgId: string;
  tx: Tx;
}

/**
 * The one way to read or write tenant data. Every unit of work runs in a
 * transaction whose first statements bound its time and set `app.tenant`, a
 * claim signed for this connection that the row-level security policies verify
 * (the tenant-claim migration). Without a tenant in TenantContexts it throws.
 *
 * It talks to the pool of TypeORM's data source directly: BEGIN, the limits and
 * the claim travel in one round trip, which matters more than anything else
 * for small reads (each round trip is a system call on both sides).
 */
@Injectable()
export class TenantDb {
  private readonly open = new AsyncLocalStorage<OpenTransaction>();
  private readonly pool: pg.Pool;

  constructor(
    dataSource: DataSource,
    @Inject(TENANT_DB_OPTIONS) private readonly options: TenantDbOptions,
  ) {
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
    const { orgId, job } = TenantContexts.require();
    const outer = this.open.getStore();
    if (outer && outer.orgId === orgId) return work(outer.tx);
    // Inlined below, so it must be a well-formed UUID (it always is when it comes from an API key or a job).
    if (!isUuid(orgId)) throw new Error('Invalid tenant id: not a UUID');

    const client = await this.pool.connect().catch((error: unknown) => {
      throw new DatabaseUnavailableError(error);
    });
    // A checked-out client has no listener of pg-pool's: without one, a backend that dies
    // between two statements would emit an unhandled 'error' and end the process.
    let lost: Error | undefined;
    const onError = (error: Error) => (lost = error);
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      const timeout = job ? this.options.jobStatementTimeoutMs : this.options.statementTimeoutMs;
      const claim = tenantClaim(this.options.claimKey, orgId, (client as unknown as { processID: number }).processID);
      const prepared = PreparedStatements.of(client);
      await client
        .query(
          `${prepared.deallocateSql()}BEGIN; SET LOCAL statement_timeout = ${timeout}; SET LOCAL idle_in_transaction_session_timeout = ${timeout};
         SELECT set_config('app.tenant', '${claim}', true)`,
        )
        .catch((error: unknown) => {
          // e.g. its prepared statements out of step with node-postgres (DEALLOCATE of one it never had)
          broken = error instanceof Error ? error : new Error('BEGIN failed');
          throw error;
        });
      prepared.deallocated();
      const tx = new Tx(client);
      const result = await this.open.run({ orgId, tx }, () => work(tx));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!lost)
        await client
          .query('ROLLBACK')
          .catch(
            (rollbackError: unknown) =>
              (broken = rollbackError instanceof Error ? rollbackError : new Error('ROLLBACK failed')),
          );
      if (lost || broken || isConnectionError(error)) throw new DatabaseUnavailableError(lost ?? error);
      throw error;
    } finally {
      client.removeListener('error', onError);
      // a connection that was lost, or could not begin or roll back, is discarded, not reused
      client.release(lost ?? broken);
    }
  }
}
