import { describe, expect, it } from '@jest/globals';
import { febrlContacts, heldOutContacts, HELD_OUT_KINDS, type HeldOutKind } from './held-out-sets.js';
import { heldOutCounts, heldOutCsv, HELD_OUT_HEADERS } from './held-out-support.js';
import { transliterate } from './translit-people.js';

const KINDS = Object.keys(HELD_OUT_KINDS) as HeldOutKind[];

describe('held-out generators', () => {
  it.each(KINDS)('%s: the same options give the same rows, another seed others', (kind) => {
    const generate = HELD_OUT_KINDS[kind];
    const rows = generate({ records: 400, seed: 1 });
    expect(rows).toHaveLength(400);
    expect(generate({ records: 400, seed: 1 })).toEqual(rows);
    expect(generate({ records: 400, seed: 2 })).not.toEqual(rows);
  });

  it.each(KINDS)('%s: a size in people gives that many people, with duplicates and variation', (kind) => {
    const rows = HELD_OUT_KINDS[kind]({ people: 300, seed: 3 });
    const counts = heldOutCounts(rows);
    expect(counts.people).toBe(300);
    expect(counts.truePairs).toBeGreaterThan(100);
    // records of one person differ: the set is not exact duplicates
    const byPerson = new Map<string, Set<string>>();
    for (const row of rows) {
      const forms = byPerson.get(row.person) ?? new Set<string>();
      forms.add(`${row.firstName}|${row.lastName}|${row.birthDate}`);
      byPerson.set(row.person, forms);
    }
    const varied = [...byPerson.values()].filter((forms) => forms.size > 1).length;
    expect(varied / counts.people).toBeGreaterThan(0.3);
  });

  it('writes CSV with the headers the import recognizes and the truth column', () => {
    const rows = HELD_OUT_KINDS.historical({ records: 50, seed: 1 });
    const lines = heldOutCsv(rows).trimEnd().split('\r\n');
    expect(lines[0]).toBe(HELD_OUT_HEADERS.join(','));
    expect(lines).toHaveLength(51);
  });

  it('maps rows to contacts lightly: trimmed, email lower case, dates ISO when they are dates', () => {
    const { contacts, labels } = heldOutContacts([
      {
        person: 'a',
        firstName: ' Jean ',
        lastName: '',
        email: 'J.Roy@Gmail.com',
        birthDate: '19850423',
        city: null,
        postalCode: null,
      },
      {
        person: 'a',
        firstName: 'x',
        lastName: 'y',
        email: null,
        birthDate: '1985-23-04',
        city: null,
        postalCode: null,
      },
    ]);
    expect(labels).toEqual(['a', 'a']);
    expect(contacts[0]).toMatchObject({
      firstName: 'Jean',
      lastName: null,
      email: 'j.roy@gmail.com',
      birthDate: '1985-04-23',
    });
    expect(contacts[1].birthDate).toBe('1985-23-04');
    expect(typeof febrlContacts).toBe('function');
  });

  it('transliterates one name by several systems', () => {
    expect(transliterate('Олександр', 'ua', true)).toBe('Oleksandr');
    expect(transliterate('Хмельницький', 'ua', true)).toBe('Khmelnytskyi');
    expect(transliterate('Хмельницкий', 'en', false)).toBe('Khmelnitsky');
    expect(transliterate('Евгений', 'bgn', false)).toBe('Yevgeniy');
    expect(transliterate('Євген', 'icao', false)).toBe('Ievgen');
    expect(transliterate('Юрий', 'fr', false)).toBe('Iouri');
    expect(transliterate('Евгений', 'de', false)).toBe('Jewgenij');
  });
});
