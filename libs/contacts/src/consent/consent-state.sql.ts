import type { SqlParams } from '@app/database';
import { ConsentState } from './consent.types.js';

/**
 * A contact's current consent state for a purpose, in SQL: the one encoding that contact filters, exports and audience
 * rules share. Same rule as currentConsent() in consent-state.util.ts (test/audience-rules.int-spec.ts checks them
 * against each other): grants at or before the latest withdrawal do not count (a withdrawal wins a tie); then any live
 * grant means GRANTED, only lapsed grants mean EXPIRED, only withdrawals WITHDRAWN; no record at all is UNKNOWN.
 */

/**
 * A purpose's consent records `k`, each with the time of its contact's latest withdrawal of it (`withdrawn`,
 * '-infinity' if none). `where` narrows them further (SQL conditions on consents, joined with AND).
 */
function recordsSql(purposeParam: string, where: readonly string[]): string {
  return `SELECT contact_id, status, occurred_at, expires_at,
               coalesce(max(occurred_at) FILTER (WHERE status = 'WITHDRAWN') OVER (PARTITION BY contact_id), '-infinity') AS withdrawn
          FROM consents WHERE ${[`purpose = ${purposeParam}`, ...where].join(' AND ')}`;
}

/** The state of one contact's records `k` of a purpose (an aggregate over them): GRANTED, EXPIRED or WITHDRAWN. */
function stateOfRecords(now: string): string {
  return `CASE WHEN bool_or(k.status = 'GRANTED' AND k.occurred_at > k.withdrawn AND (k.expires_at IS NULL OR k.expires_at > ${now})) THEN 'GRANTED'
               WHEN bool_or(k.status = 'GRANTED' AND k.occurred_at > k.withdrawn) THEN 'EXPIRED'
               ELSE 'WITHDRAWN' END`;
}

/**
 * The current consent state of contact `c` for a purpose, as an SQL text expression (a column of an export).
 * `now` is an SQL timestamptz expression: the transaction's time unless given.
 */
export function consentStateSql(purposeParam: string, now = 'now()'): string {
  return `coalesce((SELECT ${stateOfRecords(now)} FROM (${recordsSql(purposeParam, ['org_id = c.org_id', 'contact_id = c.id'])}) k
    HAVING count(*) > 0), '${ConsentState.UNKNOWN}')`;
}

export interface ConsentCondition {
  purpose: string;
  /** The states wanted; a contact in any of them matches. */
  states: readonly string[];
  /** "Now", for expiry: an SQL timestamptz expression; the transaction's time (now()) unless given. */
  now?: string;
  /** An SQL uuid[] expression: only these contacts' records are read (the others then never match). */
  scope?: string;
}

/**
 * "The current consent state of contact `c` for the purpose is one of `states`", as one SQL condition that is true or
 * false, never NULL. It computes the state of every contact at once (one grouped subquery, a hashed set), rather than
 * one contact at a time.
 */
export function consentConditionSql(condition: ConsentCondition, params: SqlParams): string {
  const where = condition.scope ? [`contact_id = ANY(${condition.scope})`] : [];
  const records = `SELECT k.contact_id FROM (${recordsSql(params.add(condition.purpose), where)}) k GROUP BY k.contact_id`;
  const state = stateOfRecords(condition.now ?? 'now()');
  const wanted = params.add([...new Set(condition.states)], 'text[]');
  // contacts without any record are UNKNOWN: when UNKNOWN is wanted, match everyone but those whose state is not
  return condition.states.includes(ConsentState.UNKNOWN)
    ? `c.id NOT IN (${records} HAVING NOT (${state} = ANY(${wanted})))`
    : `c.id IN (${records} HAVING ${state} = ANY(${wanted}))`;
}
