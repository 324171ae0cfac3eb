import { describe, expect, it } from '@jest/globals';
import { DEMO_REFERENCE_DATE } from '@app/fixtures';
import { demoSender, planDemoCampaigns } from './demo-campaign-plan.js';

const DAY = 86_400_000;

describe('demo campaign plan', () => {
  const plans = planDemoCampaigns('Théâtre des Saules', 'theatre-des-saules.example', 1200, 1);

  it('is the same for a seed', () => {
    expect(planDemoCampaigns('Théâtre des Saules', 'theatre-des-saules.example', 1200, 1)).toEqual(plans);
    expect(planDemoCampaigns('Théâtre des Saules', 'theatre-des-saules.example', 1200, 2)).not.toEqual(plans);
  });

  it('has deliveries, a few bounces, opens, clicks, an unsubscribe or more, and purchases within a week of a touch', () => {
    for (const plan of plans) {
      const count = (event: string) => plan.events.filter((e) => e.event === event).length;
      expect(count('delivered')).toBeGreaterThan(plan.recipients.length * 0.9);
      expect(count('bounced')).toBeGreaterThan(0);
      expect(count('opened')).toBeGreaterThan(count('clicked'));
      expect(count('clicked')).toBeGreaterThan(0);
      expect(count('unsubscribed')).toBeGreaterThan(0);
      expect(plan.purchases.length).toBeGreaterThan(3);
      expect(plan.variants.map((v) => v.language)).toEqual(['fr', 'en']);
      for (const purchase of plan.purchases) {
        const touches = plan.events.filter(
          (e) => e.recipient === purchase.recipient && (e.event === 'opened' || e.event === 'clicked'),
        );
        expect(touches.some((t) => t.at <= purchase.at && purchase.at.getTime() - t.at.getTime() < 7 * DAY)).toBe(true);
      }
      const times = [...plan.events.map((e) => e.at), ...plan.purchases.map((p) => p.at)];
      expect(times.every((t) => t < DEMO_REFERENCE_DATE && t >= plan.sentAt)).toBe(true);
    }
  });

  it('sends from a Quebec mailing address with a contact line', () => {
    const sender = demoSender('Festival Boréal de Québec', 'owner@festival-boreal.example');
    expect(sender.mailingAddress).toMatch(/Québec \(Québec\)\s+G1R 1N8$/);
    expect(sender.fromEmail).toBe('infolettre@festival-boreal.example');
    expect(sender.contactLine).toContain('418');
  });
});
