import {
  ConsentPurpose,
  ConsentState,
  ConsentStatus,
  ImpliedConsentReason,
  type ConsentRecordLike,
} from './consent.types.js';

/** Derived consent for one purpose. `since` is when the current state began. */
export interface ConsentSnapshot {
  state: ConsentState;
  since: Date | null;
  expiresAt: Date | null;
}

/**
 * How long implied consent lasts under CASL (S.C. 2010, c. 23), counted from the event:
 * - purchase, lease or barter: existing business relationship, 2 years (s. 10(9)(a), 10(10)(a)-(c));
 * - inquiry or application: existing business relationship, 6 months (s. 10(10)(e));
 * - donation or gift to a registered charity, volunteer work, membership of a club,
 *   association or voluntary organization: existing non-business relationship, 2 years
 *   (s. 10(9)(a), 10(13)(a)-(c), membership as defined in s. 10(14) and the regulations);
 * - conspicuously published address: no fixed term (s. 10(9)(b)), so null. It still only
 *   covers messages relevant to the person's role, which is for the caller to judge.
 * For ongoing relationships (membership, subscription, contract) CASL counts the period
 * from when the relationship ends, so pass that date rather than the join date.
 */
export function impliedConsentExpiry(reason: ImpliedConsentReason, occurredAt: Date): Date | null {
  switch (reason) {
    case ImpliedConsentReason.PURCHASE:
    case ImpliedConsentReason.DONATION:
    case ImpliedConsentReason.MEMBERSHIP:
    case ImpliedConsentReason.VOLUNTEER:
      return addMonthsUtc(occurredAt, 24);
    case ImpliedConsentReason.INQUIRY:
      return addMonthsUtc(occurredAt, 6);
    case ImpliedConsentReason.PUBLISHED_ADDRESS:
      return null;
  }
}

/**
 * Calendar months in UTC, clamped to the end of the month (31 Aug + 6 months = 28/29 Feb,
 * 29 Feb + 2 years = 28 Feb): when the day does not exist, expire early rather than late.
 */
export function addMonthsUtc(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

const UNKNOWN: ConsentSnapshot = { state: ConsentState.UNKNOWN, since: null, expiresAt: null };

/**
 * Current consent for one purpose. The latest withdrawal (by occurredAt) cancels every grant
 * at or before it: on a tie the withdrawal wins, so a contact is never messaged on a doubt.
 * A grant after it is a fresh consent. Among the grants that remain, the longest-lived one
 * decides (no expiry beats any date), so a later implied consent (e.g. a purchase) does not
 * cut short an earlier express one. GRANTED becomes EXPIRED once expiresAt <= now.
 * The result does not depend on the order of `records`.
 */
export function currentConsent(
  records: readonly ConsentRecordLike[],
  purpose: ConsentPurpose,
  now: Date,
): ConsentSnapshot {
  const own = records.filter((r) => r.purpose === purpose);
  if (own.length === 0) return { ...UNKNOWN };

  const lastWithdrawal = own
    .filter((r) => r.status === ConsentStatus.WITHDRAWN)
    .reduce<ConsentRecordLike | null>((a, b) => (a === null || time(b.occurredAt) > time(a.occurredAt) ? b : a), null);
  const grants = own.filter(
    (r) =>
      r.status === ConsentStatus.GRANTED &&
      (lastWithdrawal === null || time(r.occurredAt) > time(lastWithdrawal.occurredAt)),
  );
  if (grants.length === 0) {
    return { state: ConsentState.WITHDRAWN, since: lastWithdrawal?.occurredAt ?? null, expiresAt: null };
  }

  const best = grants.reduce(longerLived);
  if (best.expiresAt !== null && time(best.expiresAt) <= time(now)) {
    return { state: ConsentState.EXPIRED, since: best.expiresAt, expiresAt: best.expiresAt };
  }
  return { state: ConsentState.GRANTED, since: best.occurredAt, expiresAt: best.expiresAt };
}

/** Current consent for every purpose. */
export function currentConsents(
  records: readonly ConsentRecordLike[],
  now: Date,
): Record<ConsentPurpose, ConsentSnapshot> {
  const result = {} as Record<ConsentPurpose, ConsentSnapshot>;
  for (const purpose of Object.values(ConsentPurpose)) result[purpose] = currentConsent(records, purpose, now);
  return result;
}

function time(date: Date): number {
  return date.getTime();
}

/** Later expiry wins (null = never expires); on equal expiry the earlier grant, so `since` is the longest standing. */
function longerLived(a: ConsentRecordLike, b: ConsentRecordLike): ConsentRecordLike {
  const expiryA = a.expiresAt === null ? Infinity : time(a.expiresAt);
  const expiryB = b.expiresAt === null ? Infinity : time(b.expiresAt);
  if (expiryA !== expiryB) return expiryA > expiryB ? a : b;
  return time(a.occurredAt) <= time(b.occurredAt) ? a : b;
}
