import { describe, expect, it } from '@jest/globals';
import { BUILT_IN_DISCIPLINES, BUILT_IN_TYPES, Vocabulary } from '../interactions/engagement-terms.js';
import { checkInteraction } from '../interactions/interaction-rows.js';
import { generateDemoInteractions } from './demo-interactions.js';

describe('generateDemoInteractions', () => {
  const ids = Array.from({ length: 300 }, (_, i) => `0198a0b4-1c2d-7e3f-8a9b-${String(i).padStart(12, '0')}`);
  const records = generateDemoInteractions(ids, 1);

  it('is deterministic, with a unique external id per record', () => {
    expect(generateDemoInteractions(ids, 1)).toEqual(records);
    expect(new Set(records.map((r) => r.externalId)).size).toBe(records.length);
    expect(records.length).toBeGreaterThan(ids.length * 3);
  });

  it('makes only records that recordInteractions accepts, in the past', () => {
    const vocabularies = { types: new Vocabulary(BUILT_IN_TYPES), disciplines: new Vocabulary(BUILT_IN_DISCIPLINES) };
    for (const [i, record] of records.entries())
      expect(checkInteraction(record, `demo.${i}`, vocabularies)).toMatchObject({ ok: true });
  });

  it('makes purchases, attendance, newsletter events and donations', () => {
    const types = new Set(records.map((r) => r.type));
    expect([...types].sort()).toEqual([
      'ATTENDANCE',
      'DONATION',
      'EMAIL_CLICKED',
      'EMAIL_DELIVERED',
      'EMAIL_OPENED',
      'TICKET_PURCHASE',
    ]);
  });
});
