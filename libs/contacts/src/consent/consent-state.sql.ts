import type { SqlParams } from '@app/database';
import { ConsentState } from './consent.types.js';

/**
 * A contact's current consent state for a purpose, in SQL: over its records (exports, the pools' functions), or from
 * consent_states, which triggers keep by the same rule (contact filters, audience rules). Same rule as currentConsent()
 * in consent-state.util.ts (test/audience-rules.int-spec.ts checks them
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
  /**
   * "Now", for expiry: makes the SQL timestamptz expression, called only when a state wanted depends on it (an unused
   * parameter has no type PostgreSQL can determine); the transaction's time (now()) unless given.
   */
  now?: () => string;
  /** An SQL uuid[] expression: only these contacts' records are read (the others then never match). */
  scope?: string;
}

/**
 * "The current consent state of contact `c` for the purpose is one of `states`", as one SQL condition that is true or
 * false, never NULL. It reads consent_states (the state of every contact and purpose, kept by triggers on consents with
 * the rule above: see the engagement-activity migration), the rows of the purpose in its primary key, which holds granted_until.
 */
export function consentConditionSql(condition: ConsentCondition, params: SqlParams): string {
  const now = () => (condition.now ? condition.now() : 'now()');
  const states: Record<string, () => string> = {
    [ConsentState.GRANTED]: () => `s.granted_until > ${now()}`,
    [ConsentState.EXPIRED]: () => `s.granted_until <= ${now()}`,
    [ConsentState.WITHDRAWN]: () => 's.granted_until IS NULL',
  };
  const held = [...new Set(condition.states)].flatMap((state) => (states[state] ? [states[state]()] : []));
  const scope = condition.scope ? ` AND s.contact_id = ANY(${condition.scope})` : '';
  const rows = `SELECT s.contact_id FROM consent_states s WHERE s.purpose = ${params.add(condition.purpose)}${scope}`;
  const inState = held.length ? `(${held.join(' OR ')})` : 'false';
  // contacts without a row are UNKNOWN: when UNKNOWN is wanted, match everyone but those in a state not wanted
  return condition.states.includes(ConsentState.UNKNOWN)
    ? `c.id NOT IN (${rows} AND NOT coalesce(${inState}, false))`
    : `c.id IN (${rows} AND ${inState})`;
}
