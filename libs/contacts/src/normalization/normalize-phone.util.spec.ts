import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { normalizePhone } from './normalize-phone.util.js';

const invalid = { ok: false, reason: 'not a valid phone number' };

describe('normalizePhone', () => {
  it.each(['(514) 555-0199', '514.555.0199', '+1 514 555 0199', '1-514-555-0199', '5145550199', ' 514 555 0199 '])(
    'formats %p as E.164',
    (input) => {
      expect(normalizePhone(input)).toEqual({ ok: true, value: '+15145550199' });
    },
  );

  it.each([
    ['514 872 0311', '+15148720311'],
    ['418 641-6040', '+14186416040'],
    ['1 800 363-0000', '+18003630000'],
  ])('accepts the real number %p', (input, expected) => {
    expect(normalizePhone(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    '514-872-0311 ext. 123',
    '514 872 0311 x45',
    '(514) 872-0311 #7',
    '514 872-0311 poste 22',
    '514 872-0311, p. 22',
  ])('keeps the number and drops the extension in %p', (input) => {
    expect(normalizePhone(input)).toEqual({ ok: true, value: '+15148720311' });
  });

  it('uses the default region only for numbers without a country code', () => {
    expect(normalizePhone('+33 1 42 68 53 00')).toEqual({ ok: true, value: '+33142685300' });
    expect(normalizePhone('01 42 68 53 00', 'FR')).toEqual({ ok: true, value: '+33142685300' });
    expect(normalizePhone('02 6277 7111', 'AU')).toEqual({ ok: true, value: '+61262777111' });
  });

  it.each([null, undefined, '', '  '])('treats %p as blank', (input) => {
    expect(normalizePhone(input)).toEqual({ ok: true, value: null });
  });

  it.each(['abc', '123', '000-000-0000', '1234567890', '+1 438 123 4567', '514 872 03111', 'call 514 872 0311'])(
    'rejects %p',
    (input) => {
      expect(normalizePhone(input)).toEqual(invalid);
    },
  );

  const quebecNumber = fc.record({
    area: fc.constantFrom('514', '438', '450', '579', '418', '581', '819', '873', '367'),
    exchange: fc.integer({ min: 200, max: 999 }).map(String),
    line: fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
  });
  const written = fc.tuple(
    quebecNumber,
    fc.constantFrom(' ', '-', '.', ''),
    fc.constantFrom('', '1 ', '+1 ', '1-'),
    fc.boolean(),
  );

  it('accepts Quebec numbers however they are written', () => {
    fc.assert(
      fc.property(written, ([{ area, exchange, line }, sep, prefix, parens]) => {
        const input = `${prefix}${parens ? `(${area}) ` : area + sep}${exchange}${sep}${line}`;
        expect(normalizePhone(input)).toEqual({ ok: true, value: `+1${area}${exchange}${line}` });
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          written.map(([n]) => `${n.area} ${n.exchange} ${n.line}`),
          fc.string(),
        ),
        (input) => {
          const first = normalizePhone(input);
          if (first.ok && first.value !== null) expect(normalizePhone(first.value)).toEqual(first);
        },
      ),
    );
  });

  it('answers for any North American number exactly as libphonenumber does (its fast path asks once per exchange)', () => {
    const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
    fc.assert(
      fc.property(
        digits(3),
        digits(3),
        digits(4),
        fc.constantFrom('', '1 ', '+1 ', '+1-'),
        (area, exchange, line, prefix) => {
          const parsed = parsePhoneNumberFromString(`${prefix}${area}-${exchange}-${line}`, {
            defaultCountry: 'CA',
            extract: false,
          });
          const expected = parsed?.isValid() ? { ok: true, value: parsed.number } : invalid;
          expect(normalizePhone(`${prefix}${area}-${exchange}-${line}`)).toEqual(expected);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
