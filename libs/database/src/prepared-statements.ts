import { createHash } from 'node:crypto';
import type pg from 'pg';

/** How many named statements a connection keeps prepared (PostGraphile keeps 100 too). */
export const PREPARED_PER_CONNECTION = 100;

/** What node-postgres records of the statements it prepared on a connection (not part of its typed API). */
interface PreparedRecords {
  parsedStatements: Record<string, string>;
  submittedNamedStatements?: Record<string, string>;
}

const byClient = new WeakMap<pg.PoolClient, PreparedStatements>();

/**
 * The single statements a connection runs (Tx.query), as named (prepared) statements: run again on that connection,
 * PostgreSQL skips parsing and planning them (a plan made with the values in view for the first five runs, then a
 * generic one if it costs no more: plan_cache_mode auto). A connection keeps its most recently used ones; the others
 * are deallocated at the start of its next transaction.
 *
 * node-postgres prepares a named statement once per connection but never forgets one, so this keeps its record of
 * them in step (as PostGraphile's adaptor does): a tenant's queries make statements of many shapes.
 */
export class PreparedStatements {
  /** Names in use, least recently used first. */
  private readonly names = new Map<string, true>();
  /** Names evicted, still prepared until deallocated. */
  private readonly evicted = new Set<string>();

  private constructor(private readonly client: pg.PoolClient) {}

  static of(client: pg.PoolClient): PreparedStatements {
    let statements = byClient.get(client);
    if (!statements) {
      statements = new PreparedStatements(client);
      byClient.set(client, statements);
    }
    return statements;
  }

  /** The name to run `text` under, marked as the most recently used. */
  nameFor(text: string): string {
    const name = `crm_${createHash('sha1').update(text).digest('hex')}`;
    this.evicted.delete(name);
    this.names.delete(name);
    this.names.set(name, true);
    if (this.names.size > PREPARED_PER_CONNECTION) {
      const [oldest] = this.names.keys();
      this.names.delete(oldest);
      this.evicted.add(oldest);
    }
    return name;
  }

  /**
   * DEALLOCATE statements for the evicted ones that were prepared (one that failed to parse never was), for the start
   * of a transaction; '' when there are none.
   */
  deallocateSql(): string {
    const { parsedStatements } = this.records();
    return [...this.evicted]
      .filter((name) => parsedStatements[name] !== undefined)
      .map((name) => `DEALLOCATE ${name}; `)
      .join('');
  }

  /** After deallocateSql's statements ran: node-postgres will prepare those names again if they come back. */
  deallocated(): void {
    const records = this.records();
    for (const name of this.evicted) {
      delete records.parsedStatements[name];
      delete records.submittedNamedStatements?.[name];
    }
    this.evicted.clear();
  }

  private records(): PreparedRecords {
    return (this.client as unknown as { connection: PreparedRecords }).connection;
  }
}
