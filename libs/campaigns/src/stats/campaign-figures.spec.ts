import { describe, expect, it } from '@jest/globals';
import { groupModel, orderKeys, rate, toFigures } from './campaign-figures.js';
import { CampaignStatsDimension } from './campaign-stats.models.js';

const counts = { recipients: 10, sent: 8, delivered: 6, bounced: 2, failed: 1, opened: 3, clicked: 1, unsubscribed: 0 };

describe('campaign figures', () => {
  it('gives rates over their base, null when the base is 0', () => {
    expect(rate(1, 4)).toBe(0.25);
    expect(rate(0, 0)).toBeNull();
    const figures = toFigures(null, counts, []);
    expect(figures).toMatchObject({
      openRate: 0.5,
      clickRate: 1 / 6,
      clickToOpenRate: 1 / 3,
      bounceRate: 0.25,
      unsubscribeRate: 0,
    });
    const none = toFigures(null, { ...counts, sent: 0, delivered: 0, opened: 0 }, []);
    expect([none.openRate, none.clickRate, none.clickToOpenRate, none.bounceRate, none.unsubscribeRate]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('lists every attributed type, zeros included, and adds them up', () => {
    const figures = toFigures(null, counts, [
      { type: 'DONATION', count: 2, quantity: 0, amountCents: 5000 },
      { type: 'TICKET_PURCHASE', count: 1, quantity: 3, amountCents: 9000 },
    ]);
    expect(figures.attributed.map((a) => [a.type, a.count])).toEqual([
      ['TICKET_PURCHASE', 1],
      ['DONATION', 2],
      ['MEMBERSHIP', 0],
    ]);
    expect([figures.attributedCount, figures.attributedRevenueCents]).toEqual([3, 14_000]);
  });

  it('orders rows by the dimensions asked, then by value with no value last', () => {
    const { LANGUAGE, REGION } = CampaignStatsDimension;
    const keys = [
      { dimension: LANGUAGE, value: 'fr' },
      { dimension: null, value: null },
      { dimension: REGION, value: null },
      { dimension: REGION, value: 'Montréal' },
      { dimension: LANGUAGE, value: 'en' },
    ];
    expect(orderKeys(keys, [REGION, LANGUAGE])).toEqual([
      { dimension: REGION, value: 'Montréal' },
      { dimension: REGION, value: null },
      { dimension: LANGUAGE, value: 'en' },
      { dimension: LANGUAGE, value: 'fr' },
    ]);
  });

  it('shows a group by its dimension: language in capitals, the audience with its name', () => {
    const names = new Map([['a1', 'Abonnés']]);
    expect(groupModel({ dimension: null, value: null }, names)).toBeNull();
    expect(groupModel({ dimension: CampaignStatsDimension.LANGUAGE, value: 'fr' }, names)).toMatchObject({
      language: 'FR',
      region: null,
      audienceId: null,
    });
    expect(groupModel({ dimension: CampaignStatsDimension.AUDIENCE, value: 'a1' }, names)).toMatchObject({
      audienceId: 'a1',
      audienceName: 'Abonnés',
    });
  });
});
