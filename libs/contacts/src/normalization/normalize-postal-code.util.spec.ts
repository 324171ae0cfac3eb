import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { normalizePostalCode } from './normalize-postal-code.util.js';

const invalid = { ok: false, reason: 'not a valid Canadian postal code' };

describe('normalizePostalCode', () => {
  it.each(['h2x1y4', 'H2X-1Y4', ' h2x 1y4 ', 'H2X  1Y4', 'h2x\u00a01y4'])('formats %p as H2X 1Y4', (input) => {
    expect(normalizePostalCode(input)).toEqual({ ok: true, value: 'H2X 1Y4' });
    expect(normalizePostalCode(input, 'CA')).toEqual({ ok: true, value: 'H2X 1Y4' });
    expect(normalizePostalCode(input, ' canada ')).toEqual({ ok: true, value: 'H2X 1Y4' });
  });

  it.each([null, undefined, '', '   '])('treats %p as blank', (input) => {
    expect(normalizePostalCode(input, 'CA')).toEqual({ ok: true, value: null });
  });

  it('keeps foreign postcodes as entered', () => {
    expect(normalizePostalCode(' 2612 ', 'AU')).toEqual({ ok: true, value: '2612' });
    expect(normalizePostalCode('sw1a 1aa', 'GB')).toEqual({ ok: true, value: 'sw1a 1aa' });
    expect(normalizePostalCode('75007', 'France')).toEqual({ ok: true, value: '75007' });
    // Not validated either: the country says it is not Canadian.
    expect(normalizePostalCode('D2X 1Y4', 'US')).toEqual({ ok: true, value: 'D2X 1Y4' });
  });

  it.each(['D2X 1Y4', 'H2I 1Y4', 'H2X 1O4', 'W2X 1Y4', 'Z2X 1Y4', 'U2X1Q4'])(
    'rejects %p (impossible letters)',
    (input) => {
      expect(normalizePostalCode(input)).toEqual(invalid);
      expect(normalizePostalCode(input, 'CA')).toEqual(invalid);
    },
  );

  it('accepts W and Z after the first position', () => {
    expect(normalizePostalCode('h2w 1z4')).toEqual({ ok: true, value: 'H2W 1Z4' });
  });

  it('keeps values that do not look Canadian when no country is given, rejects them for Canada', () => {
    for (const input of ['2612', '75007', 'SW1A 1AA', 'H2X']) {
      expect(normalizePostalCode(input)).toEqual({ ok: true, value: input });
      expect(normalizePostalCode(input, null)).toEqual({ ok: true, value: input });
      expect(normalizePostalCode(input, 'CA')).toEqual(invalid);
    }
  });

  const first = fc.constantFrom(...'ABCEGHJKLMNPRSTVXY');
  const letter = fc.constantFrom(...'ABCEGHJKLMNPRSTVWXYZ');
  const digit = fc.constantFrom(...'0123456789');
  const validCode = fc.tuple(first, digit, letter, digit, letter, digit).map((c) => c.join(''));
  const separator = fc.constantFrom('', ' ', '-', '  ', ' - ');

  it('formats any valid code whatever its case and separator', () => {
    fc.assert(
      fc.property(
        validCode,
        separator,
        fc.boolean(),
        fc.constantFrom(undefined, null, 'CA', 'ca', 'Canada'),
        (code, sep, lower, country) => {
          const input = `${code.slice(0, 3)}${sep}${code.slice(3)}`;
          expect(normalizePostalCode(lower ? input.toLowerCase() : input, country)).toEqual({
            ok: true,
            value: `${code.slice(0, 3)} ${code.slice(3)}`,
          });
        },
      ),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(validCode, fc.string()), fc.constantFrom(undefined, 'CA', 'AU'), (input, country) => {
        const once = normalizePostalCode(input, country);
        if (once.ok && once.value !== null) expect(normalizePostalCode(once.value, country)).toEqual(once);
      }),
    );
  });
});
