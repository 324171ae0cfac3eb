import { describe, expect, it } from '@jest/globals';
import { frequencyScore, monetaryScore, recencyScore, summarize, type TypeAggregate } from './contact-engagement.js';

describe('RFM scores', () => {
  it('recency: days since the last active interaction', () => {
    expect([null, 0, 30, 31, 90, 180, 365, 366, 5000].map(recencyScore)).toEqual([0, 5, 5, 4, 4, 3, 2, 1, 1]);
  });
  it('frequency: transactions in 12 months', () => {
    expect([0, 1, 2, 3, 5, 6, 11, 12, 40].map(frequencyScore)).toEqual([0, 1, 2, 3, 3, 4, 4, 5, 5]);
  });
  it('monetary: cents in 12 months', () => {
    expect([0, 1, 4_999, 5_000, 20_000, 50_000, 99_999, 100_000].map(monetaryScore)).toEqual([0, 1, 1, 2, 3, 4, 4, 5]);
  });
});

describe('summarize', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const at = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const aggregate = (
    type: string,
    count: number,
    last12Months: number,
    amount: number,
    lastDays: number,
    firstDays: number,
  ): TypeAggregate => ({
    type,
    count,
    last12Months,
    amountCents: amount,
    amount12MonthsCents: amount,
    firstAt: at(firstDays),
    lastAt: at(lastDays),
  });

  it('adds the types up; passive email events neither make anyone recent nor count as transactions', () => {
    const summary = summarize(
      [
        aggregate('EMAIL_DELIVERED', 10, 10, 0, 1, 300),
        aggregate('TICKET_PURCHASE', 3, 2, 30_000, 100, 700),
        aggregate('ATTENDANCE', 2, 2, 0, 95, 650),
      ],
      now,
    );
    expect(summary).toMatchObject({
      interactions: 15,
      interactions12Months: 14,
      amountCents: 30_000,
      lastInteractionAt: at(1),
      lastActiveAt: at(95),
      firstInteractionAt: at(700),
      recencyScore: 3,
      frequencyScore: 2,
      monetaryScore: 3,
    });
    expect(summary.byType.map((t) => t.type)).toEqual(['EMAIL_DELIVERED', 'TICKET_PURCHASE', 'ATTENDANCE']);
  });

  it('is empty, with zero scores, for a contact without interactions', () => {
    expect(summarize([], now)).toMatchObject({
      interactions: 0,
      firstInteractionAt: null,
      lastActiveAt: null,
      recencyScore: 0,
      frequencyScore: 0,
      monetaryScore: 0,
    });
  });
});
