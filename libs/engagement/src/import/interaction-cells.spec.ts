import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { adversarialText, finishesWithin, KNOWN_WORST_CASES } from '../../../../test/support/adversarial-text.js';
import { parseAmountCents, parseCount, parseDateTime } from './interaction-cells.js';

describe('parseAmountCents', () => {
  it.each([
    ['45.50', 4550],
    ['45,50', 4550],
    ['45,5', 4550],
    ['45', 4500],
    ['1 234,50 $', 123_450],
    ['$1,234.50', 123_450],
    ['1.234,50', 123_450],
    ['1\u00a0234,50 $', 123_450],
    ['1,000', 100_000],
    ['0', 0],
    ['CAD 12.00', 1200],
    ['', null],
    ['  ', null],
  ])('%j is %j cents', (text, cents) => expect(parseAmountCents(text)).toBe(cents));

  it.each(['douze', '-5', '12.345.6', '1e5', '12.5.0'])('%j is not an amount', (text) =>
    expect(parseAmountCents(text)).toBe('not an amount (e.g. 45.50 or 45,50)'),
  );

  it('reads back any amount written with a dot or a comma', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_00 }), (cents) => {
        const dollars = `${Math.floor(cents / 100)}`;
        const fraction = String(cents % 100).padStart(2, '0');
        expect(parseAmountCents(`${dollars}.${fraction}`)).toBe(cents);
        expect(parseAmountCents(`${dollars},${fraction} $`)).toBe(cents);
      }),
    );
  });
});

describe('parseDateTime', () => {
  it.each([
    ['2025-10-03 19:30', '2025-10-03T23:30:00.000Z'], // daylight time: UTC−4
    ['2025-12-31 23:30', '2026-01-01T04:30:00.000Z'], // standard time: UTC−5
    ['2025-03-09 03:30', '2025-03-09T07:30:00.000Z'], // the first hour of daylight time
    ['2025-03-08 12:00:15.250', '2025-03-08T17:00:15.250Z'],
    ['2025-10-03', '2025-10-03T04:00:00.000Z'],
    ['2025-10-03T19:30:00Z', '2025-10-03T19:30:00.000Z'],
    ['2025-10-03T19:30:00-04:00', '2025-10-03T23:30:00.000Z'],
    ['2025-10-03T19:30+0200', '2025-10-03T17:30:00.000Z'],
  ])('%j is %j', (text, iso) => expect((parseDateTime(text) as Date).toISOString()).toBe(iso));

  it.each(['2025-02-30', '2025-13-01', '03/10/2025', '2025-10-03 25:00', 'hier'])(
    '%j is refused with a reason that does not quote it',
    (text) => {
      expect(parseDateTime(text)).toBe('not a date and time (YYYY-MM-DD HH:MM, local time, or ISO 8601)');
    },
  );

  it('is blank for an empty cell', () => expect(parseDateTime(' ')).toBeNull());

  it('agrees with the time zone database for every hour of a year, asked in any order', () => {
    const wall = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'America/Toronto',
      dateStyle: 'short',
      timeStyle: 'short',
    });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 0, 1) }), (ms) => {
        const instant = Math.floor(ms / 60_000) * 60_000;
        const text = wall.format(new Date(instant)); // "2025-03-09 03:30", Toronto time
        // the hour repeated in November is ambiguous: either instant shows the same wall time
        expect(wall.format(parseDateTime(text) as Date)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseCount', () => {
  it('reads whole numbers and refuses the rest', () => {
    expect([parseCount('2'), parseCount(''), typeof parseCount('1.5'), typeof parseCount('-1')]).toEqual([
      2,
      null,
      'string',
      'string',
    ]);
  });
});

// Issue 13, item 2: every cell parser finishes on 10-50 KB of adversarial text (finishesWithin's bound only turns a
// hang into a failure: a linear parser takes milliseconds here, a cubic pattern hours).
describe.each([
  ['parseAmountCents', parseAmountCents],
  ['parseCount', parseCount],
  ['parseDateTime', parseDateTime],
] as [string, (text: string) => unknown][])('%s on long adversarial text', (_, parse) => {
  it('finishes on the known worst cases and on any long run of spaces, digits, dots, hyphens and the rest', () => {
    for (const input of KNOWN_WORST_CASES) finishesWithin(10, parse, input);
    fc.assert(
      fc.property(adversarialText(), (input) => void finishesWithin(10, parse, input)),
      { numRuns: 25 },
    );
  });
});
