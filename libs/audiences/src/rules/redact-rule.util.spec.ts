import { describe, expect, it } from '@jest/globals';
import { REDACTED, redactIdentifierValues } from './redact-rule.util.js';

describe('redactIdentifierValues', () => {
  it('hides the values of conditions on identifier fields, at any depth, and keeps everything else', () => {
    const rule = {
      and: [
        { field: { field: 'EMAIL', in: ['ana@example.org', 'bob@example.org'] } },
        {
          or: [
            { field: { field: 'PHONE', prefix: '+1514' } },
            { not: { field: { field: 'ADDRESS', contains: '123 rue' } } },
          ],
        },
        { field: { field: 'BIRTH_DATE', from: '1980-04-03T00:00:00.000Z', to: null, withinLastDays: 9000 } },
        { field: { field: 'EMAIL', isEmpty: false } },
        { field: { field: 'CITY', equals: 'Montréal' } },
        { tags: { any: ['vip'] } },
      ],
    };
    expect(redactIdentifierValues(rule)).toEqual({
      and: [
        { field: { field: 'EMAIL', in: [REDACTED, REDACTED] } },
        {
          or: [
            { field: { field: 'PHONE', prefix: REDACTED } },
            { not: { field: { field: 'ADDRESS', contains: REDACTED } } },
          ],
        },
        { field: { field: 'BIRTH_DATE', from: null, to: null, withinLastDays: null } },
        { field: { field: 'EMAIL', isEmpty: false } },
        { field: { field: 'CITY', equals: 'Montréal' } },
        { tags: { any: ['vip'] } },
      ],
    });
    expect(JSON.stringify(redactIdentifierValues(rule))).not.toMatch(/example\.org|1514|123 rue|1980/);
  });

  it('leaves what is not a rule alone', () => {
    expect(redactIdentifierValues(null)).toBeNull();
    expect(redactIdentifierValues({ inAudience: 'x' })).toEqual({ inAudience: 'x' });
  });
});
