import { describe, expect, it } from '@jest/globals';
import { isEmail } from 'class-validator';
import fc from 'fast-check';
import { normalizeEmail } from './normalize-email.util.js';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Marie.Tremblay@Example.QC.ca \n')).toEqual({
      ok: true,
      value: 'marie.tremblay@example.qc.ca',
    });
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
      fc.property(
        fc.emailAddress(),
        fc.boolean(),
        fc.string({ unit: fc.constantFrom(' ', '\t') }),
        (email, upper, pad) => {
          const input = pad + (upper ? email.toUpperCase() : email) + pad;
          expect(normalizeEmail(input)).toEqual({ ok: true, value: email.toLowerCase() });
        },
      ),
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

  it('takes a shortcut only for addresses that isEmail accepts too', () => {
    const atom = fc.stringMatching(/^[a-z0-9_%+-]{1,12}$/);
    const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/);
    const address = fc.tuple(
      fc.array(atom, { minLength: 1, maxLength: 3 }),
      fc.array(label, { minLength: 1, maxLength: 3 }),
      fc.stringMatching(/^[a-z]{1,8}$/),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          address.map(([local, domain, tld]) => `${local.join('.')}@${domain.join('.')}.${tld}`),
          fc.emailAddress(),
        ),
        (email) => {
          expect(normalizeEmail(email).ok).toBe(isEmail(email.toLowerCase()));
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
