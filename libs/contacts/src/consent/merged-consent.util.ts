import { currentConsent } from './consent-state.util.js';
import { ConsentPurpose, type ConsentRecordLike, ConsentState, ConsentStatus } from './consent.types.js';

/** A consent record of one of the contacts merged. */
export interface MergedConsentRecord extends ConsentRecordLike {
  id: string;
  contactId: string;
  source: string;
}

/** A withdrawal the merge adds to the survivor, and the one it stands for. */
export interface CarriedWithdrawal {
  purpose: ConsentPurpose;
  occurredAt: Date;
  original: MergedConsentRecord;
}

/**
 * For each purpose that one of the contacts had withdrawn but that their records taken together no longer show as
 * WITHDRAWN (a grant on another contact is newer), the withdrawal the merge must add: it stands for the latest of
 * those withdrawals, and is dated `now` or after every record of the purpose, so that it wins.
 */
export function withdrawalsToCarry(records: readonly MergedConsentRecord[], now: Date): CarriedWithdrawal[] {
  const carried: CarriedWithdrawal[] = [];
  for (const purpose of Object.values(ConsentPurpose)) {
    const own = records.filter((r) => r.purpose === purpose);
    if (currentConsent(own, purpose, now).state === ConsentState.WITHDRAWN) continue;
    const withdrawn = (contactId: string) =>
      currentConsent(
        own.filter((r) => r.contactId === contactId),
        purpose,
        now,
      ).state === ConsentState.WITHDRAWN;
    const original = own
      .filter((r) => r.status === ConsentStatus.WITHDRAWN && withdrawn(r.contactId))
      .reduce<MergedConsentRecord | null>((a, b) => (a === null || b.occurredAt > a.occurredAt ? b : a), null);
    if (!original) continue;
    const occurredAt = new Date(Math.max(now.getTime(), ...own.map((r) => r.occurredAt.getTime())));
    carried.push({ purpose, occurredAt, original });
  }
  return carried;
}
