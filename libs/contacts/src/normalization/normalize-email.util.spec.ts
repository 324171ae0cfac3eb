import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { normalizeEmail } from './normalize-email.util.js';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Marie.Tremblay@Example.QC.ca \n')).toEqual({ ok: true, value: 'marie.tremblay@example.qc.ca' });
  });

  it.each([null, undefined, '', '   ', '\u00a0'])('treats %p as blank', (input) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, value: null });
  });

  it.each(['marie', 'marie@', '@example.com', 'marie@example', 'marie tremblay@example.com', 'a@b@example.com'])(
    'rejects %p',
    (input) => {
      expect(normalizeEmail(input)).toEqual({ ok: false, reason: 'not a valid email address' });
    },
  );

  it('accepts any valid address whatever its case and surrounding spaces', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.boolean(), fc.string({ unit: fc.constantFrom(' ', '\t') }), (email, upper, pad) => {
        const input = pad + (upper ? email.toUpperCase() : email) + pad;
        expect(normalizeEmail(input)).toEqual({ ok: true, value: email.toLowerCase() });
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), fc.string()), (input) => {
        const first = normalizeEmail(input);
        if (first.ok && first.value !== null) expect(normalizeEmail(first.value)).toEqual(first);
      }),
    );
  });
});
