import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isCalendarDate, todayIso } from './calendar-date.util.js';

describe('isCalendarDate', () => {
  it.each(['2024-02-29', '2000-02-29', '1999-12-31', '1980-03-04'])('accepts %p', (value) =>
    expect(isCalendarDate(value)).toBe(true),
  );
  it.each([
    '2023-02-29',
    '1900-02-29',
    '2023-04-31',
    '2023-13-01',
    '2023-00-10',
    '2023-01-00',
    '2023-1-05',
    '20230105',
    '',
  ])('refuses %p', (value) => expect(isCalendarDate(value)).toBe(false));

  it('agrees with the calendar of Date on every day of four centuries', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1600, max: 2400 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const date = new Date(`${iso}T00:00:00Z`);
          expect(isCalendarDate(iso)).toBe(date.toISOString().startsWith(iso));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('knows today', () => expect(todayIso()).toBe(new Date().toISOString().slice(0, 10)));
});
