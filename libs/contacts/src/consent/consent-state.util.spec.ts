import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { addMonthsUtc, currentConsent, currentConsents, impliedConsentExpiry } from './consent-state.util.js';
import {
  ConsentPurpose,
  ConsentState,
  ConsentStatus,
  ImpliedConsentReason,
  type ConsentRecordLike,
} from './consent.types.js';

const d = (iso: string) => new Date(iso);
const EMAIL = ConsentPurpose.EMAIL_MARKETING;

function grant(occurredAt: string, expiresAt: string | null = null, purpose = EMAIL): ConsentRecordLike {
  return {
    purpose,
    status: ConsentStatus.GRANTED,
    occurredAt: d(occurredAt),
    expiresAt: expiresAt === null ? null : d(expiresAt),
  };
}
function withdraw(occurredAt: string, purpose = EMAIL): ConsentRecordLike {
  return { purpose, status: ConsentStatus.WITHDRAWN, occurredAt: d(occurredAt), expiresAt: null };
}

describe('impliedConsentExpiry', () => {
  const at = d('2024-03-15T14:30:00Z');

  it.each([
    ImpliedConsentReason.PURCHASE,
    ImpliedConsentReason.DONATION,
    ImpliedConsentReason.MEMBERSHIP,
    ImpliedConsentReason.VOLUNTEER,
  ])('gives 2 years for %s', (reason) => {
    expect(impliedConsentExpiry(reason, at)).toEqual(d('2026-03-15T14:30:00Z'));
  });

  it('gives 6 months for an inquiry', () => {
    expect(impliedConsentExpiry(ImpliedConsentReason.INQUIRY, at)).toEqual(d('2024-09-15T14:30:00Z'));
  });

  it('has no fixed expiry for a conspicuously published address', () => {
    expect(impliedConsentExpiry(ImpliedConsentReason.PUBLISHED_ADDRESS, at)).toBeNull();
  });

  it('expires early rather than late when the day does not exist', () => {
    expect(impliedConsentExpiry(ImpliedConsentReason.INQUIRY, d('2024-08-31T00:00:00Z'))).toEqual(
      d('2025-02-28T00:00:00Z'),
    );
    expect(impliedConsentExpiry(ImpliedConsentReason.PURCHASE, d('2024-02-29T12:00:00Z'))).toEqual(
      d('2026-02-28T12:00:00Z'),
    );
  });

  it('does not mutate its input', () => {
    const input = d('2024-01-31T00:00:00Z');
    impliedConsentExpiry(ImpliedConsentReason.PURCHASE, input);
    expect(input).toEqual(d('2024-01-31T00:00:00Z'));
  });

  it('always lands after the event, within the calendar months added', () => {
    fc.assert(
      fc.property(
        fc.date({ min: d('1990-01-01'), max: d('2100-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 36 }),
        (date, months) => {
          const later = addMonthsUtc(date, months);
          expect(later.getTime()).toBeGreaterThan(date.getTime());
          const monthDiff =
            (later.getUTCFullYear() - date.getUTCFullYear()) * 12 + later.getUTCMonth() - date.getUTCMonth();
          expect(monthDiff).toBe(months);
        },
      ),
    );
  });
});

describe('currentConsent', () => {
  const now = d('2025-06-01T00:00:00Z');

  it('is UNKNOWN without records for the purpose', () => {
    expect(currentConsent([], EMAIL, now)).toEqual({ state: ConsentState.UNKNOWN, since: null, expiresAt: null });
    expect(currentConsent([grant('2024-01-01', null, ConsentPurpose.SMS)], EMAIL, now).state).toBe(
      ConsentState.UNKNOWN,
    );
  });

  it('is GRANTED by an express consent', () => {
    expect(currentConsent([grant('2024-01-01')], EMAIL, now)).toEqual({
      state: ConsentState.GRANTED,
      since: d('2024-01-01'),
      expiresAt: null,
    });
  });

  it('is GRANTED by an implied consent until it expires, then EXPIRED', () => {
    const records = [grant('2024-01-01', '2026-01-01')];
    expect(currentConsent(records, EMAIL, now)).toEqual({
      state: ConsentState.GRANTED,
      since: d('2024-01-01'),
      expiresAt: d('2026-01-01'),
    });
    expect(currentConsent(records, EMAIL, d('2026-01-01'))).toEqual({
      state: ConsentState.EXPIRED,
      since: d('2026-01-01'),
      expiresAt: d('2026-01-01'),
    });
  });

  it('is WITHDRAWN after a withdrawal', () => {
    expect(currentConsent([grant('2024-01-01'), withdraw('2024-06-01')], EMAIL, now)).toEqual({
      state: ConsentState.WITHDRAWN,
      since: d('2024-06-01'),
      expiresAt: null,
    });
  });

  it('lets a withdrawal win a tie with a grant', () => {
    expect(currentConsent([withdraw('2024-06-01'), grant('2024-06-01')], EMAIL, now).state).toBe(
      ConsentState.WITHDRAWN,
    );
    expect(currentConsent([grant('2024-06-01'), withdraw('2024-06-01')], EMAIL, now).state).toBe(
      ConsentState.WITHDRAWN,
    );
  });

  it('re-grants after a withdrawal', () => {
    expect(currentConsent([grant('2023-01-01'), withdraw('2024-01-01'), grant('2024-06-01')], EMAIL, now)).toEqual({
      state: ConsentState.GRANTED,
      since: d('2024-06-01'),
      expiresAt: null,
    });
  });

  it('does not let a later implied consent cut short an earlier express one', () => {
    const records = [grant('2020-01-01'), grant('2023-01-01', '2025-01-01')];
    expect(currentConsent(records, EMAIL, now)).toEqual({
      state: ConsentState.GRANTED,
      since: d('2020-01-01'),
      expiresAt: null,
    });
  });

  it('keeps the longest-lived implied consent', () => {
    const records = [grant('2024-05-01', '2024-11-01'), grant('2024-01-01', '2026-01-01')];
    expect(currentConsent(records, EMAIL, now).expiresAt).toEqual(d('2026-01-01'));
  });

  it('is EXPIRED, not WITHDRAWN, when the grant after a withdrawal has expired', () => {
    const records = [withdraw('2022-01-01'), grant('2023-01-01', '2023-07-01')];
    expect(currentConsent(records, EMAIL, now).state).toBe(ConsentState.EXPIRED);
  });

  it('ignores records for other purposes', () => {
    const records = [grant('2024-01-01'), withdraw('2024-06-01', ConsentPurpose.SMS)];
    expect(currentConsent(records, EMAIL, now).state).toBe(ConsentState.GRANTED);
    expect(currentConsent(records, ConsentPurpose.SMS, now).state).toBe(ConsentState.WITHDRAWN);
  });

  // Few distinct days so that ties are frequent.
  const day = fc.integer({ min: 0, max: 30 }).map((n) => new Date(Date.UTC(2025, 0, 1 + n)));
  const record: fc.Arbitrary<ConsentRecordLike> = fc.record({
    purpose: fc.constantFrom(...Object.values(ConsentPurpose)),
    status: fc.constantFrom(...Object.values(ConsentStatus)),
    occurredAt: day,
    expiresAt: fc.option(day, { nil: null }),
  });
  const propNow = new Date(Date.UTC(2025, 0, 16));
  const permuted = <T>(items: T[]) => fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });

  it('does not depend on the order of the records', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 12 }).chain((records) => fc.tuple(fc.constant(records), permuted(records))),
        ([records, shuffled]) => {
          expect(currentConsents(shuffled, propNow)).toEqual(currentConsents(records, propNow));
        },
      ),
    );
  });

  it('is WITHDRAWN whenever a withdrawal is at or after every grant, whatever the order', () => {
    const scenario = fc
      .tuple(fc.array(record, { maxLength: 10 }), day)
      .map(([others, withdrawnAt]) => {
        // Grants for the purpose are moved to or before the withdrawal.
        const clamped = others.map((r) =>
          r.purpose === EMAIL && r.occurredAt > withdrawnAt ? { ...r, occurredAt: withdrawnAt } : r,
        );
        return [
          ...clamped,
          { purpose: EMAIL, status: ConsentStatus.WITHDRAWN, occurredAt: withdrawnAt, expiresAt: null },
        ];
      })
      .chain((records) => permuted(records));
    fc.assert(
      fc.property(scenario, (records) => {
        expect(currentConsent(records, EMAIL, propNow).state).toBe(ConsentState.WITHDRAWN);
      }),
    );
  });
});

describe('currentConsents', () => {
  it('reports every purpose', () => {
    const now = d('2025-06-01');
    const result = currentConsents([grant('2024-01-01'), withdraw('2024-02-01', ConsentPurpose.SMS)], now);
    expect(Object.keys(result).sort()).toEqual(Object.values(ConsentPurpose).sort());
    expect(result.EMAIL_MARKETING.state).toBe(ConsentState.GRANTED);
    expect(result.SMS.state).toBe(ConsentState.WITHDRAWN);
    expect(result.PARTNER_SHARING.state).toBe(ConsentState.UNKNOWN);
    expect(result.PROFILING.state).toBe(ConsentState.UNKNOWN);
  });
});
