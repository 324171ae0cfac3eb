import { describe, expect, it } from '@jest/globals';
import {
  ENGAGEMENT_CSV_HEADERS,
  generateInteractions,
  type GeneratedInteraction,
  type InteractionKind,
  toCsvCells,
  toCsvLine,
  toGraphqlInput,
  torontoWallTime,
} from './engagement-data.js';

const CONTACTS = 5_000;
const INTERACTIONS = 50_000;
const records = [...generateInteractions({ contacts: CONTACTS, interactions: INTERACTIONS, seed: 7 })];

function count(predicate: (record: GeneratedInteraction) => boolean): number {
  return records.filter(predicate).length;
}

/** The first few records that fail a check, with their positions: one expect per record would be slow. */
function failing(
  check: (record: GeneratedInteraction, i: number) => boolean,
): { i: number; record: GeneratedInteraction }[] {
  const failures: { i: number; record: GeneratedInteraction }[] = [];
  for (let i = 0; i < records.length && failures.length < 5; i++)
    if (!check(records[i], i)) failures.push({ i, record: records[i] });
  return failures;
}

function ofType(...types: InteractionKind[]): number {
  return count((record) => types.includes(record.type));
}

const EMAIL_FOLLOW_UPS: Partial<Record<InteractionKind, readonly InteractionKind[]>> = {
  EMAIL_SENT: ['EMAIL_DELIVERED', 'EMAIL_BOUNCED'],
  EMAIL_DELIVERED: ['EMAIL_OPENED', 'EMAIL_UNSUBSCRIBED'],
  EMAIL_OPENED: ['EMAIL_CLICKED', 'EMAIL_UNSUBSCRIBED'],
  EMAIL_CLICKED: ['EMAIL_UNSUBSCRIBED'],
};

describe('generateInteractions', () => {
  it('gives exactly the number of records asked for, for contacts 1..contacts', () => {
    expect(records).toHaveLength(INTERACTIONS);
    expect(
      failing(
        ({ contactExternalId: id }) =>
          /^C\d{7}$/.test(id) && Number(id.slice(1)) >= 1 && Number(id.slice(1)) <= CONTACTS,
      ),
    ).toEqual([]);
    for (const interactions of [0, 1, 7, 1_003]) {
      expect([...generateInteractions({ contacts: 10, interactions })]).toHaveLength(interactions);
    }
  });

  it('is deterministic, and differs with the seed', () => {
    const again = [...generateInteractions({ contacts: CONTACTS, interactions: INTERACTIONS, seed: 7 })];
    expect(again).toHaveLength(INTERACTIONS);
    expect(again.findIndex((record, i) => JSON.stringify(record) !== JSON.stringify(records[i]))).toBe(-1);
    const other = [...generateInteractions({ contacts: CONTACTS, interactions: 1_000, seed: 8 })];
    expect(other).not.toEqual(records.slice(0, 1_000));
  });

  it('gives each record an idempotency key unique within its source', () => {
    const keys = new Set(records.map((record) => `${record.source}/${record.externalId}`));
    expect(keys.size).toBe(INTERACTIONS);
    expect(failing((record) => /^[TAMDEF]\d{8}$/.test(record.externalId))).toEqual([]);
  });

  it('dates everything within the three seasons, in UTC with milliseconds', () => {
    const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    expect(
      failing(
        ({ occurredAt: at }) =>
          instant.test(at) &&
          new Date(at).toISOString() === at &&
          at >= '2023-09-01T04:00:00.000Z' &&
          at < '2026-09-01T04:00:00.000Z',
      ),
    ).toEqual([]);
  });

  it('has the mix of a cultural CRM', () => {
    const share = (...types: InteractionKind[]) => ofType(...types) / INTERACTIONS;
    const email = share(
      'EMAIL_SENT',
      'EMAIL_DELIVERED',
      'EMAIL_OPENED',
      'EMAIL_CLICKED',
      'EMAIL_BOUNCED',
      'EMAIL_UNSUBSCRIBED',
    );
    expect(email).toBeCloseTo(0.71, 3);
    expect(share('TICKET_PURCHASE') + share('ATTENDANCE')).toBeCloseTo(0.24, 3);
    expect(share('TICKET_PURCHASE')).toBeGreaterThan(0.12);
    expect(share('TICKET_PURCHASE')).toBeLessThan(0.14);
    expect(share('ATTENDANCE')).toBeGreaterThan(0.1);
    expect(share('ATTENDANCE')).toBeLessThan(0.12);
    expect(share('DONATION')).toBeCloseTo(0.022, 3);
    expect(share('MEMBERSHIP')).toBeCloseTo(0.011, 3);
    expect(share('FORM_SUBMISSION')).toBeCloseTo(0.017, 3);

    const sent = ofType('EMAIL_SENT');
    const delivered = ofType('EMAIL_DELIVERED');
    const opened = ofType('EMAIL_OPENED');
    expect(delivered / sent).toBeCloseTo(0.97, 1);
    expect(ofType('EMAIL_BOUNCED') / sent).toBeGreaterThan(0.015);
    expect(ofType('EMAIL_BOUNCED') / sent).toBeLessThan(0.035);
    expect(opened / delivered).toBeGreaterThan(0.3);
    expect(opened / delivered).toBeLessThan(0.4);
    expect(ofType('EMAIL_CLICKED') / opened).toBeGreaterThan(0.12);
    expect(ofType('EMAIL_CLICKED') / opened).toBeLessThan(0.18);
    expect(ofType('EMAIL_UNSUBSCRIBED') / delivered).toBeLessThan(0.005);
  });

  it('orders the events of one send causally, right after the send', () => {
    const emails = failing((record, i) => {
      if (!record.type.startsWith('EMAIL_')) return true;
      const fields =
        record.channel === 'email' &&
        record.source === 'infolettre' &&
        /^(NL|PROMO|DON)-\d{4}-\d{2}-\d{2}$/.test(record.campaign ?? '');
      if (record.type === 'EMAIL_SENT') return fields;
      const previous = records[i - 1];
      return (
        fields &&
        (EMAIL_FOLLOW_UPS[previous.type] ?? []).includes(record.type) &&
        record.contactExternalId === previous.contactExternalId &&
        record.campaign === previous.campaign &&
        record.occurredAt > previous.occurredAt
      );
    });
    expect(emails).toEqual([]);
  });

  it('sends a campaign to a contact once', () => {
    const sends = records
      .filter((record) => record.type === 'EMAIL_SENT')
      .map((record) => `${record.campaign}/${record.contactExternalId}`);
    expect(new Set(sends).size).toBe(sends.length);
  });

  it('has each attendance right after its purchase, later', () => {
    const attendances = failing((record, i) => {
      if (record.type !== 'ATTENDANCE') return true;
      const purchase = records[i - 1];
      return (
        purchase.type === 'TICKET_PURCHASE' &&
        record.contactExternalId === purchase.contactExternalId &&
        record.offeringId === purchase.offeringId &&
        record.occurredAt > purchase.occurredAt &&
        record.quantity! >= 1 &&
        record.quantity! <= purchase.quantity!
      );
    });
    expect(attendances).toEqual([]);
  });

  it('describes offerings on tickets and attendance only (and contests)', () => {
    const offerings = new Map<string, string>();
    const described = failing((record) => {
      const ticketing = record.type === 'TICKET_PURCHASE' || record.type === 'ATTENDANCE';
      if (record.offeringId === null)
        return !ticketing && record.offeringName === null && record.discipline === null && record.venue === null;
      const description = `${record.offeringName}|${record.discipline}|${record.venue}`;
      const known = offerings.get(record.offeringId) ?? description;
      offerings.set(record.offeringId, description);
      return (
        (ticketing || record.type === 'FORM_SUBMISSION') &&
        /^S(23|24|25)-\d{4}$/.test(record.offeringId) &&
        !!record.offeringName &&
        !!record.discipline &&
        !!record.venue &&
        known === description
      );
    });
    expect(described).toEqual([]);
    // A long tail: many offerings, the most popular far above the median.
    const sales = new Map<string, number>();
    for (const record of records)
      if (record.type === 'TICKET_PURCHASE') sales.set(record.offeringId!, (sales.get(record.offeringId!) ?? 0) + 1);
    const sorted = [...sales.values()].sort((a, b) => b - a);
    expect(sales.size).toBeGreaterThan(500);
    expect(sorted[0]).toBeGreaterThan(20 * sorted[Math.floor(sorted.length / 2)]);
  });

  it('gives amounts in integer cents, in CAD, to purchases, donations and memberships', () => {
    const amounts = failing((record) => {
      const paid = record.type === 'TICKET_PURCHASE' || record.type === 'DONATION' || record.type === 'MEMBERSHIP';
      if (!paid) return record.amountCents === null && record.currency === null;
      const cents = record.amountCents!;
      const order =
        record.type !== 'TICKET_PURCHASE' ||
        (record.quantity! >= 1 && record.quantity! <= 8 && cents % record.quantity! === 0);
      return (
        Number.isInteger(cents) &&
        cents >= 0 &&
        record.currency === 'CAD' &&
        ['web', 'box_office', 'phone'].includes(record.channel!) &&
        order
      );
    });
    expect(amounts).toEqual([]);
    const orders = records.filter((record) => record.type === 'TICKET_PURCHASE');
    expect(orders.filter((order) => order.quantity! <= 2).length / orders.length).toBeGreaterThan(0.75);
  });

  it('follows the seasons', () => {
    const inMonth = (type: InteractionKind, month: string) =>
      count((record) => record.type === type && record.occurredAt.slice(5, 7) === month);
    expect(inMonth('TICKET_PURCHASE', '10')).toBeGreaterThan(1.5 * inMonth('TICKET_PURCHASE', '07'));
    expect(inMonth('EMAIL_SENT', '10')).toBeGreaterThan(1.5 * inMonth('EMAIL_SENT', '07'));
    expect(inMonth('DONATION', '12')).toBeGreaterThan(2 * inMonth('DONATION', '06'));
    // Newsletters go out on Tuesday and Thursday mornings (appeals on a few fixed dates).
    const newsletters = failing((record) => {
      if (record.type !== 'EMAIL_SENT' || !record.campaign!.startsWith('NL-')) return true;
      const local = torontoWallTime(Date.parse(record.occurredAt));
      return (
        new Date(`${local.slice(0, 10)}T00:00:00Z`).getUTCDay() === 2 &&
        local.slice(11) >= '09:00' &&
        local.slice(11) < '11:00'
      );
    });
    expect(newsletters).toEqual([]);
  });

  it('has a few very active contacts and many with a handful of interactions', () => {
    const perContact = new Map<string, number>();
    for (const record of records)
      perContact.set(record.contactExternalId, (perContact.get(record.contactExternalId) ?? 0) + 1);
    const counts = [...perContact.values()];
    expect(counts.filter((n) => n <= 5).length / CONTACTS).toBeGreaterThan(0.5);
    expect(Math.max(...counts)).toBeGreaterThan(200);
  });

  it('rejects impossible options', () => {
    expect(() => generateInteractions({ contacts: 0, interactions: 10 })).toThrow('contacts');
    expect(() => generateInteractions({ contacts: 10, interactions: 1.5 })).toThrow('interactions');
    expect(() => generateInteractions({ contacts: 10, interactions: 10, start: '2023-02-30' })).toThrow('start');
  });
});

describe('output forms', () => {
  const purchase = records.find((record) => record.type === 'TICKET_PURCHASE')!;
  const open = records.find((record) => record.type === 'EMAIL_OPENED')!;

  it('writes Toronto wall time, daylight saving or not', () => {
    expect(torontoWallTime(Date.parse('2025-10-03T23:30:00.000Z'))).toBe('2025-10-03 19:30');
    expect(torontoWallTime(Date.parse('2025-01-15T00:30:00.000Z'))).toBe('2025-01-14 19:30');
    expect(torontoWallTime(Date.parse('2025-11-02T05:30:00.000Z'))).toBe('2025-11-02 01:30');
    expect(torontoWallTime(Date.parse('2025-11-02T07:00:00.000Z'))).toBe('2025-11-02 02:00');
  });

  it('makes CSV cells in header order', () => {
    const cells = toCsvCells({ ...purchase, amountCents: 4550, quantity: 2 });
    expect(cells).toHaveLength(ENGAGEMENT_CSV_HEADERS.length);
    const cell = (header: (typeof ENGAGEMENT_CSV_HEADERS)[number]) => cells[ENGAGEMENT_CSV_HEADERS.indexOf(header)];
    expect(cell('No transaction')).toBe(purchase.externalId);
    expect(cell('No client')).toBe(purchase.contactExternalId);
    expect(cell('Type')).toBe('TICKET_PURCHASE');
    expect(cell('Date')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(cell('No spectacle')).toBe(purchase.offeringId);
    expect(cell('Montant')).toBe('45.50');
    expect(cell('Devise')).toBe('CAD');
    expect(cell('Quantité')).toBe('2');
    expect(cell('Source')).toBe('billetterie');
    expect(toCsvCells({ ...purchase, amountCents: 5 })[ENGAGEMENT_CSV_HEADERS.indexOf('Montant')]).toBe('0.05');
    expect(toCsvCells(open).slice(4, 12)).toEqual(['', '', '', '', '', '', '', 'email']);
  });

  it('makes a CSV line as csv-stringify would, quoting only what needs it', () => {
    expect(toCsvLine(open)).toBe(`${toCsvCells(open).join(';')}\r\n`);
    const quoted = toCsvLine({ ...purchase, offeringName: 'Rire; "enfin"' });
    expect(quoted).toContain(';"Rire; ""enfin""";');
    expect(quoted.endsWith('\r\n')).toBe(true);
  });

  it('makes mutation input without the null fields', () => {
    expect(toGraphqlInput(open)).toEqual({
      contact: { externalId: { source: 'billetterie', externalId: open.contactExternalId } },
      type: 'EMAIL_OPENED',
      occurredAt: open.occurredAt,
      channel: 'email',
      campaign: open.campaign,
      source: 'infolettre',
      externalId: open.externalId,
    });
    expect(toGraphqlInput(open, 'bench').contact.externalId).toEqual({
      source: 'bench',
      externalId: open.contactExternalId,
    });
    expect(toGraphqlInput(purchase)).toMatchObject({
      offering: { id: purchase.offeringId, name: purchase.offeringName },
      discipline: purchase.discipline,
      venue: purchase.venue,
      amountCents: purchase.amountCents,
      currency: 'CAD',
      quantity: purchase.quantity,
    });
  });
});
