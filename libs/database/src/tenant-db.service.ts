import { AsyncLocalStorage } from 'node:async_hooks';
import type { Socket } from 'node:net';
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
  /** The limits and the tenant claim, until they go out after BEGIN with the transaction's first statement. */
  private opening: string | null;
  /** Set when the opening failed: the connection's state is then unknown. */
  openingFailure: Error | undefined;

  /** Without an opening: on a connection whose transaction the caller began. */
  constructor(
    private readonly client: pg.PoolClient,
    opening: string | null = null,
  ) {
    this.prepared = PreparedStatements.of(client);
    this.opening = opening;
  }

  /** Whether the transaction began on the server (a transaction that ran no statement never does). */
  get begun(): boolean {
    return this.opening === null;
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
    const statement =
      params.length === 0 && sql.includes(';')
        ? sql
        : { name: this.prepared.nameFor(sql), text: sql, values: params as unknown[] };
    return this.opening === null ? this.client.query(statement) : this.openWith(statement);
  }

  /**
   * The opening and the first statement in one write: one round trip where there were two. The client is in
   * node-postgres's pipeline mode for the transaction (setPipeline), so the statement goes out without waiting for
   * the opening's answer and PostgreSQL runs it after. The opening begins with BEGIN: should any of it fail, the
   * transaction is aborted and the statement fails without running; the caller gets the opening's error.
   */
  private async openWith(statement: string | pg.QueryConfig): Promise<pg.QueryResult> {
    const { stream } = (this.client as unknown as PipelinedClient).connection;
    stream.cork();
    const opened = this.sendOpening();
    const result = this.client.query(statement);
    stream.uncork();
    const [opening, first] = await Promise.allSettled([opened, result]);
    if (opening.status === 'rejected') throw opening.reason;
    if (first.status === 'rejected') throw first.reason;
    return first.value;
  }

  private sendOpening(): Promise<void> {
    const opening = `BEGIN; ${this.prepared.deallocateSql()}${this.opening}`;
    this.opening = null;
    return this.client.query(opening).then(
      () => this.prepared.deallocated(),
      (error: unknown) => {
        // e.g. its prepared statements out of step with node-postgres (DEALLOCATE of one it never had)
        this.openingFailure = error instanceof Error ? error : new Error('BEGIN failed');
        throw error;
      },
    );
  }

  /**
   * `COPY ... FROM STDIN`: the connection is busy until the writer ends or aborts.
   * PostgreSQL refuses COPY FROM into tables under row-level security, so COPY
   * goes into a temporary staging table and a set-based INSERT ... SELECT moves
   * the rows (RLS checks apply there).
   */
  copyFrom(sql: string): CopyWriter {
    // node-postgres refuses COPY in pipeline mode; the statements before it were awaited
    setPipeline(this.client, false);
    // queued behind the opening when the transaction has not begun; its failure fails the COPY and the transaction
    if (this.opening !== null) this.sendOpening().catch(() => undefined);
    return new CopyWriter(this.client.query(copyFrom(sql)));
  }
}

/** What node-postgres's pipeline mode (`pipeline` option, 8.23) needs of a client that is already connected. */
interface PipelinedClient {
  pipeline: boolean;
  connection: { stream: Socket };
}

/**
 * Pipeline mode: each query goes out as soon as it is made, not when the previous one answered. Turned on for a
 * transaction's lifetime and off before the connection goes back to the pool (TypeORM's own queries expect it off).
 */
function setPipeline(client: pg.PoolClient, on: boolean): void {
  (client as unknown as PipelinedClient).pipeline = on;
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
 * the claim travel with the transaction's first statement, in one round trip
 * (each round trip is a system call and a wake-up on both sides); a
 * transaction that runs no statement sends nothing.
 */
@Injectable()
export class TenantDb {
  private readonly open = new AsyncLocalStorage<OpenTransaction>();
  private readonly pool: pg.Pool;
  /** The claim last signed for each connection (its backend never changes): mostly the same organization again. */
  private readonly claims = new WeakMap<pg.PoolClient, { orgId: string; claim: string }>();

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
    const timeout = job ? this.options.jobStatementTimeoutMs : this.options.statementTimeoutMs;
    const claim = this.claimFor(client, orgId);
    const tx = new Tx(
      client,
      `SET LOCAL statement_timeout = ${timeout}; SET LOCAL idle_in_transaction_session_timeout = ${timeout};
         SELECT set_config('app.tenant', '${claim}', true)`,
    );
    setPipeline(client, true);
    let broken: Error | undefined;
    try {
      const result = await this.open.run({ orgId, tx }, () => work(tx));
      if (tx.begun) await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = tx.openingFailure;
      if (!lost && tx.begun)
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
      setPipeline(client, false);
      // a connection that was lost, or could not begin or roll back, is discarded, not reused
      client.release(lost ?? broken);
    }
  }

  private claimFor(client: pg.PoolClient, orgId: string): string {
    const last = this.claims.get(client);
    if (last?.orgId === orgId) return last.claim;
    const claim = tenantClaim(this.options.claimKey, orgId, (client as unknown as { processID: number }).processID);
    this.claims.set(client, { orgId, claim });
    return claim;
  }
}
