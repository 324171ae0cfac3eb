import { describe, expect, it } from '@jest/globals';
import { recordWith } from '../testing/contacts.js';
import { matchTable, shareMatchTable, sharedMatchTable, TABLE_FIELDS } from './match-table.js';

const records = [
  recordWith({ firstName: 'Marie', lastName: 'Tremblay', email: 'marie@example.org' }, 'c1'),
  recordWith({ firstName: 'Zoé', lastName: 'Tremblay', addressLine1: '12 rue Saint-Denis' }, 'c2'),
  recordWith({ firstName: 'Marie', lastName: 'Côté', email: 'marie@example.org' }, 'c3'),
];

describe('MatchTable', () => {
  it('numbers each field by value: equal values, equal numbers; a missing value is 0', () => {
    const table = matchTable(records);
    expect(table.size).toBe(3);
    expect([0, 1, 2].map((row) => table.id.at(row))).toEqual(['c1', 'c2', 'c3']);
    expect(table.first.numbers[0]).toBe(table.first.numbers[2]);
    expect(table.first.numbers[0]).not.toBe(table.first.numbers[1]);
    expect(table.email.numbers[0]).toBe(table.email.numbers[2]);
    expect(table.email.numbers[1]).toBe(0);
    expect(table.addressFull.numbers[0]).toBe(0);
    expect(table.addressStreet.at(1)).toBe(records[1].address!.street);
    expect(table.addressNumber.at(1)).toBe('12');
  });

  it('ranks values in code-unit order, as the sort keys compare', () => {
    const table = matchTable(records);
    expect(table.last.rank(2)).toBeLessThan(table.last.rank(0)); // cote < tremblay
    expect(table.last.rank(0)).toBe(table.last.rank(1));
    expect(table.first.rank(0)).toBeLessThan(table.first.rank(1)); // marie < zoe
  });

  it('shares its numbers without a copy, and the values of the fields compared by value only', () => {
    const table = matchTable(records);
    const shared = shareMatchTable(table);
    for (const field of TABLE_FIELDS) expect(shared.numbers[field]).toBe(table[field].numbers.buffer);
    expect(Object.keys(shared.values).sort()).toEqual(
      TABLE_FIELDS.filter(
        (field) =>
          ![
            'id',
            'email',
            'emailLocal',
            'emailUser',
            'firstAcrossLanguages',
            'cityArea',
            'addressFull',
            'addressNumber',
          ].includes(field),
      ).sort(),
    );
    const copy = sharedMatchTable(structuredClone(shared));
    for (const field of TABLE_FIELDS) expect([...copy[field].numbers]).toEqual([...table[field].numbers]);
    expect(copy.last.at(2)).toBe('cote');
    expect(copy.email.at(0)).toBeUndefined();
  });
});
