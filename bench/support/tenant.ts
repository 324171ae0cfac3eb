import type pg from 'pg';
import { tenantClaim } from '@app/database';

/** One statement's plan as auto_explain gave it: nested statements of functions included. */
export interface StatementPlan {
  /** The first line of its text (up to 200 characters). */
  query: string;
  ms: number;
  /** The plan's lines, then "Execution Time: <ms> ms" (so that timings.ts reads it as an EXPLAIN ANALYZE). */
  plan: string[];
}

export interface AsAppOptions {
  /** false: no parallel workers, as in a statement that writes (default true). */
  parallel?: boolean;
  /**
   * Plans of every statement it runs, those inside the database's functions included (auto_explain with ANALYZE,
   * received as notices): how a SECURITY DEFINER function spends its time.
   */
  explain?: boolean;
  /** Run first as the owner, in the same transaction (to give a function its work: rows deleted, say). */
  before?: (client: pg.Client) => Promise<void>;
}

/**
 * Runs `sql` as the application role in organization `orgId` (row security on, a verified tenant claim, the
 * application's settings), in a transaction rolled back at the end: whatever it writes (a ledger row, fingerprints)
 * is undone. `client` is the owner's connection (a superuser, to load auto_explain).
 */
export async function asApp<T extends pg.QueryResultRow>(
  client: pg.Client,
  orgId: string,
  sql: string,
  values: unknown[],
  options: AsAppOptions = {},
): Promise<{ rows: T[]; ms: number; plans: StatementPlan[] }> {
  const notices: string[] = [];
  const onNotice = (notice: { message?: string }) => {
    if (notice.message?.startsWith('duration:')) notices.push(notice.message);
  };
  await client.query('BEGIN');
  try {
    await options.before?.(client);
    const [{ key }] = (await client.query<{ key: Buffer }>('SELECT key FROM crm_private.tenant_claim_key')).rows;
    if (options.explain) {
      await client.query(`LOAD 'auto_explain'`);
      for (const [name, value] of [
        // not the statements under a millisecond: the foreign-key checks of each row inserted would flood it
        ['auto_explain.log_min_duration', '1'],
        ['auto_explain.log_analyze', 'on'],
        ['auto_explain.log_buffers', 'on'],
        ['auto_explain.log_timing', 'on'],
        ['auto_explain.log_triggers', 'on'],
        ['auto_explain.log_nested_statements', 'on'],
        ['auto_explain.log_level', 'notice'],
        ['client_min_messages', 'notice'],
      ])
        await client.query(`SELECT set_config($1, $2, true)`, [name, value]);
      client.on('notice', onNotice);
    }
    await client.query('SET LOCAL ROLE crm_app');
    if (options.parallel === false) await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
    const claim = tenantClaim(key, orgId, (client as unknown as { processID: number }).processID);
    await client.query(`SELECT set_config('app.tenant', $1, true)`, [claim]);
    const started = performance.now();
    const { rows } = await client.query<T>(sql, values);
    const ms = performance.now() - started;
    return { rows, ms, plans: notices.map(parseAutoExplain).sort((a, b) => b.ms - a.ms) };
  } finally {
    client.off('notice', onNotice);
    await client.query('ROLLBACK');
  }
}

/**
 * "duration: 12.3 ms  plan:\nQuery Text: ...\n<plan lines>" (auto_explain's text format) → its parts. Long bytea
 * constants are elided: a function's variables are bound into its plans, and one may be a secret (a pool's key).
 */
export function parseAutoExplain(message: string): StatementPlan {
  const lines = message.replace(/'\\x[0-9a-f]{16,}'/gi, "'\\x…'").split('\n');
  const ms = Number(/^duration: ([\d.]+) ms/.exec(lines[0])?.[1] ?? NaN);
  const planStart = lines.findIndex((line, i) => i > 0 && /\(cost=[\d.]+\.\.[\d.]+ rows=/.test(line));
  const text = lines
    .slice(1, planStart < 0 ? lines.length : planStart)
    .join(' ')
    .replace(/^Query Text:\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return {
    query: text.slice(0, 200),
    ms,
    plan: [...(planStart < 0 ? [] : lines.slice(planStart)), `Execution Time: ${ms} ms`],
  };
}
