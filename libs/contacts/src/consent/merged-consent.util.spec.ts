import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { currentConsent } from './consent-state.util.js';
import { ConsentPurpose, ConsentState, ConsentStatus } from './consent.types.js';
import { type MergedConsentRecord, withdrawalsToCarry } from './merged-consent.util.js';

describe('withdrawalsToCarry', () => {
  const now = new Date('2025-01-16T00:00:00Z');
  const day = fc.integer({ min: 0, max: 30 }).map((n) => new Date(Date.UTC(2025, 0, 1 + n)));
  const record = fc.record({
    contactId: fc.constantFrom('s', 'm1', 'm2'),
    purpose: fc.constantFrom(...Object.values(ConsentPurpose)),
    status: fc.constantFrom(...Object.values(ConsentStatus)),
    occurredAt: day,
    expiresAt: fc.option(day, { nil: null }),
  });
  const recordsArb = fc
    .array(record, { maxLength: 12 })
    .map((records) => records.map((r, i): MergedConsentRecord => ({ ...r, id: `r${i}`, source: 'test' })));
  const withdrawnBy = (records: MergedConsentRecord[], contactId: string, purpose: ConsentPurpose) =>
    currentConsent(
      records.filter((r) => r.contactId === contactId),
      purpose,
      now,
    ).state === ConsentState.WITHDRAWN;

  it('keeps an older withdrawal over a newer grant of another contact', () => {
    const records: MergedConsentRecord[] = [
      {
        id: 'w',
        contactId: 'm1',
        purpose: ConsentPurpose.EMAIL_MARKETING,
        status: ConsentStatus.WITHDRAWN,
        occurredAt: new Date('2024-01-01'),
        expiresAt: null,
        source: 'unsubscribe',
      },
      {
        id: 'g',
        contactId: 's',
        purpose: ConsentPurpose.EMAIL_MARKETING,
        status: ConsentStatus.GRANTED,
        occurredAt: new Date('2024-06-01'),
        expiresAt: null,
        source: 'form',
      },
    ];
    expect(withdrawalsToCarry(records, now)).toEqual([
      { purpose: ConsentPurpose.EMAIL_MARKETING, occurredAt: now, original: records[0] },
    ]);
  });

  it('never turns a withdrawal into consent, and adds nothing otherwise', () => {
    fc.assert(
      fc.property(recordsArb, (records) => {
        const carried = withdrawalsToCarry(records, now);
        const after = [
          ...records,
          ...carried.map((w, i) => ({
            ...w.original,
            id: `w${i}`,
            purpose: w.purpose,
            occurredAt: w.occurredAt,
            contactId: 's',
          })),
        ];
        for (const purpose of Object.values(ConsentPurpose)) {
          const someoneWithdrew = ['s', 'm1', 'm2'].some((id) => withdrawnBy(records, id, purpose));
          const alreadyWithdrawn = currentConsent(records, purpose, now).state === ConsentState.WITHDRAWN;
          const added = carried.filter((w) => w.purpose === purpose);
          expect(added).toHaveLength(someoneWithdrew && !alreadyWithdrawn ? 1 : 0);
          if (someoneWithdrew) expect(currentConsent(after, purpose, now).state).toBe(ConsentState.WITHDRAWN);
          for (const { original, occurredAt } of added) {
            expect(original.status).toBe(ConsentStatus.WITHDRAWN);
            expect(withdrawnBy(records, original.contactId, purpose)).toBe(true);
            expect(occurredAt.getTime()).toBeGreaterThanOrEqual(now.getTime());
          }
        }
      }),
    );
  });
});
