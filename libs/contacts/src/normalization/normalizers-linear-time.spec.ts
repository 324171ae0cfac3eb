import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { csvText, detectDelimiter, headerKey, unescapeFormula } from '@app/imports';
import { adversarialText, finishesWithin, KNOWN_WORST_CASES } from '../../../../test/support/adversarial-text.js';
import { type AttributeDefinitionModel, AttributeType } from '../attributes/attribute-definition.model.js';
import { checkValue } from '../attributes/attribute-values.util.js';
import { checkContactFields } from '../contacts/contact-fields.util.js';
import { foldText, searchTerms } from '../contacts/search-terms.util.js';
import { parseImportField } from '../import/import-columns.util.js';
import { parseDate } from '../import/import-rows.js';
import { isCalendarDate } from './calendar-date.util.js';
import { normalizeEmail } from './normalize-email.util.js';
import { normalizeName } from './normalize-name.util.js';
import { normalizePhone } from './normalize-phone.util.js';
import { normalizePostalCode } from './normalize-postal-code.util.js';
import { quebecRegionFromPostalCode } from './quebec-region.util.js';

/*
 * Issue 13, item 2: a 2 KB cell froze the API for 10 s (the phone extension pattern was cubic in a run of spaces).
 * Every function that reads a cell, a header or a search term is fed 10-50 KB of adversarial text; each call must
 * finish. A linear function takes milliseconds here and a cubic one hours: finishesWithin's 10 s is no measure of
 * speed, only what turns a hang into a failure (a running pattern cannot be stopped by Jest's own timeout).
 */
const BOUND_SECONDS = 10;

const definition = (type: AttributeType): AttributeDefinitionModel =>
  ({
    key: 'k',
    label: 'K',
    type,
    choices: type === AttributeType.CHOICE ? ['or', 'argent'] : null,
  }) as AttributeDefinitionModel;

const NORMALIZERS: Record<string, (text: string) => unknown> = {
  normalizeEmail: (text) => normalizeEmail(text),
  normalizeName: (text) => normalizeName(text),
  'normalizePhone (CA)': (text) => normalizePhone(text),
  'normalizePhone (FR)': (text) => normalizePhone(text, 'FR'),
  'normalizePostalCode (Canada)': (text) => normalizePostalCode(text, 'CA'),
  'normalizePostalCode (no country)': (text) => normalizePostalCode(text),
  'normalizePostalCode (abroad)': (text) => normalizePostalCode(text, text),
  quebecRegionFromPostalCode: (text) => quebecRegionFromPostalCode(text),
  isCalendarDate: (text) => isCalendarDate(text),
  'parseDate (YMD, DMY, MDY)': (text) => [parseDate(text, 'YMD'), parseDate(text, 'DMY'), parseDate(text, 'MDY')],
  checkContactFields: (text) =>
    checkContactFields(
      {
        firstName: text,
        lastName: text,
        email: text,
        phone: text,
        postalCode: text,
        addressLine1: text,
        city: text,
        birthDate: text,
      },
      null,
    ),
  'checkValue (every attribute type)': (text) =>
    Object.values(AttributeType).map((type) => {
      try {
        return checkValue(definition(type), text, 'the value');
      } catch {
        return null;
      }
    }),
  headerKey: (text) => headerKey(text),
  parseImportField: (text) => parseImportField(text),
  detectDelimiter: (text) => detectDelimiter(text),
  searchTerms: (text) => searchTerms(text),
  foldText: (text) => foldText(text),
  'csvText and unescapeFormula': (text) => unescapeFormula(csvText([[text, text]], ';')),
};

describe.each(Object.entries(NORMALIZERS))('%s on long adversarial text', (_, normalize) => {
  it('finishes on the known worst cases', () => {
    for (const input of KNOWN_WORST_CASES) finishesWithin(BOUND_SECONDS, normalize, input);
  });

  it('finishes on any run of spaces, digits, dots, hyphens and the rest, 10 to 50 KB long', () => {
    fc.assert(
      fc.property(adversarialText(), (input) => {
        finishesWithin(BOUND_SECONDS, normalize, input);
      }),
      { numRuns: 25 },
    );
  });
});

describe('normalizePhone on a long cell', () => {
  it('refuses the 2 KB cell of the issue, and reads a number whose extension follows 50 KB of spaces', () => {
    expect(finishesWithin(BOUND_SECONDS, normalizePhone, `1${' '.repeat(2_000)}1`)).toEqual({
      ok: false,
      reason: 'not a valid phone number',
    });
    expect(finishesWithin(BOUND_SECONDS, normalizePhone, `514 555 0199${' '.repeat(50_000)}poste 22`)).toEqual({
      ok: true,
      value: '+15145550199',
    });
  });

  it('still reads an extension after collapsed spaces', () => {
    expect(normalizePhone('514 872-0311   ,  poste   22')).toEqual({ ok: true, value: '+15148720311' });
    expect(normalizePhone('514  555   0199')).toEqual({ ok: true, value: '+15145550199' });
  });
});
