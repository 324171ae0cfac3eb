import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { TenantContexts } from './tenant-context.js';

/** A tenant transaction: parameterized SQL whose rows come back as plain objects. */
export class Tx {
  constructor(readonly runner: QueryRunner) {}

  /** The rows a statement returns (SELECT, or INSERT/UPDATE/DELETE ... RETURNING). */
  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.runner.query(sql, params as unknown[], true);
    return (result.records ?? []) as T[];
  }

  /** The number of rows a statement changed. */
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.runner.query(sql, params as unknown[], true);
    return result.affected ?? 0;
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
 */
@Injectable()
export class TenantDb {
  private readonly open = new AsyncLocalStorage<OpenTransaction>();

  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in a tenant transaction; nested calls for the same tenant join the outer one. */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const { orgId } = TenantContexts.require();
    const outer = this.open.getStore();
    if (outer && outer.orgId === orgId) return work(outer.tx);

    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const tx = new Tx(runner);
      await tx.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
      const result = await this.open.run({ orgId, tx }, () => work(tx));
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
}
