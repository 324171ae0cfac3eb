import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  COMPARISONS,
  comparisonPattern,
  type FieldComparison,
  levelOf,
  namesSwapped,
  oneEditApart,
  twoEditsApart,
} from './comparisons.js';
import { recordWith } from '../testing/contacts.js';
import type { ContactToMatch, MatchRecord } from './match-record.js';
import { matchTable } from './match-table.js';

type Values = Partial<Omit<ContactToMatch, 'id'>>;

const record = (values: Values): MatchRecord => recordWith(values);
/** Two records as rows 0 and 1 of their table: how a comparison rates them, whether their names are swapped, their pattern. */
const rate = (c: FieldComparison, a: MatchRecord, b: MatchRecord) => c.compare(matchTable([a, b]), 0, 1);
const swapped = (a: MatchRecord, b: MatchRecord) => namesSwapped(matchTable([a, b]), 0, 1);
const patternOf = (a: MatchRecord, b: MatchRecord) => comparisonPattern(matchTable([a, b]), 0, 1);

/** The contact column each comparison reads. */
const COLUMN: Record<string, keyof Values> = {
  firstName: 'firstName',
  lastName: 'lastName',
  email: 'email',
  phone: 'phone',
  birthDate: 'birthDate',
  postalCode: 'postalCode',
  address: 'addressLine1',
  addressLine2: 'addressLine2',
  city: 'city',
};

const comparison = (field: string) => COMPARISONS.find((c) => c.field === field)!;

/**
 * Where a level stands, whatever its name: missing (0), different (1), exact (the last), close (the best short of
 * exact) or partial (any level between different and exact).
 */
type Standing = 'missing' | 'different' | 'partial' | 'close' | 'exact';
function standing(field: string, level: number): Standing[] {
  const last = comparison(field).levels.length - 1;
  if (level === 0) return ['missing'];
  if (level === 1) return ['different'];
  if (level === last) return ['exact'];
  return level === last - 1 ? ['close', 'partial'] : ['partial'];
}

/** How two values of one field compare, as two otherwise blank contacts. */
const level = (field: string, a: string | null, b: string | null): Standing[] =>
  standing(field, rate(comparison(field), record({ [COLUMN[field]]: a }), record({ [COLUMN[field]]: b })));

describe('comparison levels', () => {
  it('covers every compared field, each with missing first, then different, then exact last', () => {
    expect(COMPARISONS.map((c) => c.field).sort()).toEqual(Object.keys(COLUMN).sort());
    for (const { levels } of COMPARISONS) {
      expect(levels[0]).toBe('missing');
      expect(levels[1]).toBe('different');
      expect(levels.at(-1)).toBe('exact');
    }
  });

  it.each([
    ['firstName', 'Hélène', 'helene', 'exact'],
    ['firstName', 'Marie-Ève', 'Marie Eve', 'exact'],
    ['firstName', 'Bob', 'Robert', 'exact'],
    ['firstName', 'Bill', 'William', 'exact'],
    ['firstName', 'J.-F.', 'Jean-François', 'partial'],
    ['firstName', 'Jean', 'Jean-François', 'partial'],
    ['firstName', 'Marie', 'Marie-Ève', 'partial'],
    ['firstName', 'Jonathan', 'Johnathan', 'close'],
    ['firstName', 'Marie-Ève', 'Marie-Pier', 'different'],
    ['firstName', 'Jean', 'Marie', 'different'],
    ['firstName', 'Marc', 'Luc', 'different'],
    ['firstName', 'Oleksandr', 'Aleksandr', 'close'],
    ['firstName', 'Iurii', 'Yuriy', 'close'],
    ['firstName', 'Nicole', 'Michael', 'different'],
    // one name in two languages
    ['firstName', 'Mykola', 'Nicolas', 'close'],
    ['firstName', 'Katarzyna', 'Catherine', 'close'],
    ['firstName', 'Piotr', 'Pierre', 'close'],
    ['firstName', 'Mykola', 'Piotr', 'different'],
    // misspelt beyond a typo (two edits): no longer proof of two people, and no better than a part
    ['firstName', 'Olvevr', 'Oliver', 'partial'],
    ['firstName', 'Fosia', 'Sofia', 'partial'],
    ['firstName', 'Sylvie', 'Sophie', 'different'],
    ['firstName', 'Guy', 'Gaby', 'different'],
    ['firstName', 'Mme Louise', 'Louise', 'exact'],
    ['firstName', 'Rev. John', 'John', 'exact'],
    ['lastName', "M'Donald", 'MacDonald', 'exact'],
    ['lastName', 'McDonald', 'Macdonald', 'exact'],
    ['lastName', 'Côté-McGill', 'cote macgill', 'exact'],
    ['lastName', 'Côté-Roy', 'cote roy', 'exact'],
    ['lastName', 'St-Pierre', 'Saint-Pierre', 'exact'],
    ['lastName', 'Gagnon-Tremblay', 'Tremblay', 'partial'],
    ['lastName', 'Roy', 'Gagnon Roy', 'partial'],
    ['lastName', 'Tremblay', 'Tremblai', 'partial'],
    ['lastName', 'Tremblay', 'Gagnon', 'different'],
    ['lastName', 'Hguehes', 'Hughes', 'partial'],
    // two edits apart is not enough for last names: among a million contacts, people of one first name born on one
    // day have last names two edits apart ("Fortin" / "Martin")
    ['lastName', 'Fortin', 'Martin', 'different'],
    ['lastName', 'Roy', 'Ray', 'partial'],
    ['lastName', 'Roy', 'Ryan', 'different'],
    ['email', 'Helene.Cote@Example.org', 'helene.cote@example.org', 'exact'],
    ['email', 'hcote@example.org', 'mgagnon@example.org', 'different'],
    ['phone', '514 555-0101', '+1 (514) 555-0101', 'exact'],
    ['phone', '514 555-0101', '514 555-0102', 'partial'],
    ['phone', '514 555-0101', '514 555-0110', 'partial'],
    ['phone', '514 555-0101', '418 555-0199', 'different'],
    ['birthDate', '1980-03-04', '1980-03-04', 'exact'],
    ['birthDate', '1980-03-04', '1980-04-03', 'partial'],
    ['birthDate', '1980-03-04', '1981-03-04', 'partial'],
    ['birthDate', '1980-03-04', '1975-11-22', 'different'],
    ['birthDate', '1957-10-15', '2057-10-15', 'partial'],
    ['birthDate', '1838', '1838-06-26', 'partial'],
    ['birthDate', '1922-08-25', '1922-08-19', 'partial'],
    ['birthDate', '1838', '1839-06-26', 'partial'],
    ['birthDate', '1838', '1840-06-26', 'different'],
    ['postalCode', 'H2X 1Y4', 'h2x1y4', 'exact'],
    ['postalCode', 'H2X 1Y4', 'H2X 1Y5', 'partial'],
    ['postalCode', 'H2X 1Y4', 'G1R 2B5', 'different'],
    ['address', '45 av. du Parc', '45 avenue du Parc', 'exact'],
    ['address', '1200 Sherbrooke St W', '1200 rue Sherbrooke Ouest', 'close'],
    ['address', '45 av. du Parc', '47 av. du Parc', 'partial'],
    ['address', '45 av. du Parc', '1200 rue Sherbrooke', 'different'],
    ['addressLine2', 'app. 4', 'App 4', 'exact'],
    ['addressLine2', 'app. 4', 'app. 12', 'different'],
    ['city', 'Montréal', 'montreal', 'exact'],
    ['city', 'St-Jérôme', 'Saint-Jérôme', 'exact'],
    ['city', 'Montréal', 'Québec', 'different'],
    // a borough, a former municipality or a way of writing the city: one city
    ['city', 'Saint-Léonard', 'Montréal', 'close'],
    ['city', 'Hull', 'Gatineau', 'close'],
    ['city', 'Ville de Laval', 'Laval-Chomedey', 'close'],
    ['city', 'Québec City', 'Sainte-Foy', 'close'],
    ['city', 'MTL', 'Montréal (Québec)', 'close'],
    ['city', 'Westmount', 'Montréal', 'different'],
    ['city', 'Hull', 'Montréal', 'different'],
  ] as const)('%s: %p and %p are %p', (field, a, b, expected) => {
    expect(level(field, a, b)).toContain(expected);
    expect(level(field, b, a)).toContain(expected);
  });

  // an email is compared with what its local part says beyond the person's names
  it.each([
    ['the same address, written in capitals', 'Marie', 'Helene.Cote@Example.org', 'helene.cote@example.org', 'exact'],
    [
      'the same distinctive local part at another provider',
      'Marie',
      'mtremblay1962@gmail.com',
      'mtremblay1962@videotron.ca',
      'partial',
    ],
    [
      'a local part that is only the names, at another provider',
      'Marie',
      'marie.tremblay@gmail.com',
      'marie.tremblay@videotron.ca',
      'different',
    ],
    [
      'a local part that is the full form of a short first name, at another provider',
      'Mike',
      'michael.tremblay@gmail.com',
      'michael.tremblay@videotron.ca',
      'different',
    ],
    ['two local parts', 'Marie', 'mtremblay1962@gmail.com', 'marie.t@gmail.com', 'different'],
    // one person's accounts, or namesakes' addresses made from their names: neither for nor against
    ['variants at one provider', 'Laura', 'lhill@yahoo.ca', 'lhill13@yahoo.ca', 'missing'],
    ['a dot apart, at one provider', 'Marie', 'marie.tremblay@gmail.com', 'marietremblay@gmail.com', 'missing'],
    ['variants at a mistyped provider', 'Marie', 'm.tremblay@gmail.com', 'mtremblay@gmail.con', 'missing'],
    ['variants at two providers', 'Laura', 'lhill@yahoo.ca', 'lhill13@gmail.com', 'different'],
    // one address at a mistyped provider: a person's, or one a household shares
    ['one address, the provider mistyped', 'Marie', 'm.tremblay@gmail.com', 'm.tremblay@gmail.con', 'partial'],
    ['one address, the provider mistyped twice', 'Marie', 'gd@jonnson-browh.com', 'gd@johnson-brown.com', 'partial'],
    [
      'one address at two top-level domains',
      'Marie',
      'gd.tremblay@videotron.ca',
      'gd.tremblay@videotron.com',
      'different',
    ],
    [
      'one address at two providers two edits apart',
      'Marie',
      'mtremblay@hotmail.com',
      'mtremblay@gmail.com',
      'different',
    ],
    ['short addresses', 'Marie', 'ab@cd.org', 'ab@cd.com', 'different'],
  ] as const)('email: %s is %p', (_, firstName, a, b, expected) => {
    const [ra, rb] = [
      record({ firstName, lastName: 'Tremblay', email: a }),
      record({ firstName, lastName: 'Tremblay', email: b }),
    ];
    expect(standing('email', rate(comparison('email'), ra, rb))).toContain(expected);
    expect(standing('email', rate(comparison('email'), rb, ra))).toContain(expected);
  });

  // "App. 4", "Apt 4", "Unit 4" and "Appartement 4" are one unit, as they are in addressLine1 (matchAddress)
  it.each([
    ['app. 4', 'apt 4'],
    ['Appartement 4', 'app. 4'],
    ['Unit 4', 'Apt. 4'],
  ])('addressLine2: %p and %p are exact', (a, b) => {
    expect(level('addressLine2', a, b)).toEqual(['exact']);
  });

  // A short form of several names ("will": William, Guillaume) maps to one of them; it must still agree with the others
  it.each([
    ['Will', 'William'],
    ['Will', 'Guillaume'],
    ['Fred', 'Frédéric'],
    ['Fred', 'Alfred'],
    ['Ted', 'Theodore'],
    ['Ted', 'Edward'],
  ])('firstName: the short form %p agrees with %p (not different)', (short, name) => {
    expect(level('firstName', short, name)).not.toEqual(['different']);
  });

  it.each(Object.keys(COLUMN))('%s: a blank side is missing, never different', (field) => {
    const values = {
      firstName: 'Hélène',
      lastName: 'Côté',
      email: 'helene@example.org',
      phone: '514 555-0101',
      birthDate: '1980-03-04',
      postalCode: 'H2X 1Y4',
      address: '45 av. du Parc',
      addressLine2: 'app. 4',
      city: 'Montréal',
    } as Record<string, string>;
    for (const blank of [null, '', '   ']) {
      expect(level(field, values[field], blank)).toEqual(['missing']);
      expect(level(field, blank, values[field])).toEqual(['missing']);
      expect(level(field, blank, blank)).toEqual(['missing']);
    }
  });
});

describe('swapped first and last names', () => {
  it('compares them as if they were in place', () => {
    const a = record({ firstName: 'Minh', lastName: 'Nguyen', email: 'minh@example.org' });
    const b = record({ firstName: 'Nguyen', lastName: 'Minh', email: 'minh@example.org' });
    expect(swapped(a, b)).toBe(true);
    expect(standing('firstName', rate(comparison('firstName'), a, b))).toEqual(['exact']);
    expect(standing('lastName', rate(comparison('lastName'), a, b))).toEqual(['exact']);
  });

  it('sees them through a small spelling difference', () => {
    const a = record({ firstName: 'Mathieu', lastName: 'Tremblay' });
    const b = record({ firstName: 'Tremblay', lastName: 'Matthieu' });
    expect(swapped(a, b)).toBe(true);
    expect(standing('firstName', rate(comparison('firstName'), a, b))).toContain('partial');
    expect(standing('lastName', rate(comparison('lastName'), a, b))).toEqual(['exact']);
  });

  it('sees them through a transliteration that sounds alike', () => {
    const a = record({ firstName: 'Oleksandr', lastName: 'Shevchuk' });
    const b = record({ firstName: 'Szewczuk', lastName: 'Aleksandr' });
    expect(swapped(a, b)).toBe(true);
    expect(standing('lastName', rate(comparison('lastName'), a, b))).toContain('partial');
  });

  it('is not seen where the names are in place, or only one matches across', () => {
    expect(
      swapped(record({ firstName: 'Minh', lastName: 'Nguyen' }), record({ firstName: 'Minh', lastName: 'Nguyen' })),
    ).toBe(false);
    expect(
      swapped(record({ firstName: 'Martin', lastName: 'Roy' }), record({ firstName: 'Luc', lastName: 'Martin' })),
    ).toBe(false);
    expect(swapped(record({ firstName: 'Martin', lastName: 'Roy' }), record({ lastName: 'Martin' }))).toBe(false);
  });
});

describe('comparison patterns', () => {
  // Few values per field, some blank, some close to each other: every level occurs.
  const pools: Record<keyof Values, (string | null)[]> = {
    firstName: ['Hélène', 'Helene', 'Hélène-Marie', 'J.-F.', 'Jean-François', 'Bob', 'Robert', 'Minh', null, ''],
    lastName: ['Côté', 'Cote', 'Côté-Roy', 'Roy', 'Nguyen', 'Minh', 'St-Pierre', null],
    email: ['helene.cote@example.org', 'helene.cote@gmail.com', 'hcote@example.org', 'jo@example.org', null],
    phone: ['514 555-0101', '5145550101', '514 555-0102', '418 555-0199', null],
    birthDate: ['1980-03-04', '1980-04-03', '1981-03-04', '1975-11-22', null],
    postalCode: ['H2X 1Y4', 'h2x1y4', 'H2X 1Y5', 'G1R 2B5', null],
    addressLine1: [
      '45 av. du Parc',
      '45 avenue du Parc',
      '47 av du Parc',
      '1200 Sherbrooke St W',
      '1200 rue Sherbrooke Ouest',
      null,
    ],
    addressLine2: ['app. 4', 'App 4', 'app. 12', null],
    city: ['Montréal', 'montreal', 'Québec', null],
  };
  const contactArb = fc.record(
    Object.fromEntries(Object.entries(pools).map(([key, pool]) => [key, fc.constantFrom(...pool)])) as Record<
      keyof Values,
      fc.Arbitrary<string | null>
    >,
  );

  it('is symmetric, level by level', () => {
    fc.assert(
      fc.property(contactArb, contactArb, (a, b) => {
        const [ra, rb] = [record(a), record(b)];
        for (const c of COMPARISONS) expect([c.field, rate(c, ra, rb)]).toEqual([c.field, rate(c, rb, ra)]);
      }),
    );
  });

  it('holds each field level, missing wherever a side is blank', () => {
    fc.assert(
      fc.property(contactArb, contactArb, (a, b) => {
        const [ra, rb] = [record(a), record(b)];
        const pattern = patternOf(ra, rb);
        COMPARISONS.forEach((c, field) => {
          expect([c.field, levelOf(pattern, field)]).toEqual([c.field, rate(c, ra, rb)]);
          if (!a[COLUMN[c.field]]?.trim() || !b[COLUMN[c.field]]?.trim())
            expect([c.field, levelOf(pattern, field)]).toEqual([c.field, 0]);
        });
      }),
    );
  });
});

/** Edits between two strings (insertions, deletions, substitutions, adjacent transpositions): the textbook table. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

describe('oneEditApart and twoEditsApart', () => {
  // a small alphabet and short words: near misses of every kind are frequent
  const word = fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 8 }).map((letters) => letters.join(''));
  const edited = word.chain((a) =>
    fc.oneof(
      word.map((b) => [a, b] as const),
      fc
        .tuple(
          fc.nat(a.length),
          fc.constantFrom('a', 'b', 'c'),
          fc.constantFrom('insert', 'delete', 'substitute', 'swap'),
        )
        .map(([at, letter, edit]) => {
          const b = {
            insert: a.slice(0, at) + letter + a.slice(at),
            delete: a.slice(0, at) + a.slice(at + 1),
            substitute: a.slice(0, at) + letter + a.slice(at + 1),
            swap: a.slice(0, at) + a.slice(at + 1, at + 2) + a.slice(at, at + 1) + a.slice(at + 2),
          }[edit];
          return [a, b] as const;
        }),
    ),
  );

  it('is one edit or none, either way round', () => {
    fc.assert(
      fc.property(edited, ([a, b]) => {
        expect(oneEditApart(a, b)).toBe(editDistance(a, b) <= 1);
        expect(oneEditApart(b, a)).toBe(oneEditApart(a, b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('twoEditsApart is two edits or fewer, either way round', () => {
    const twice = edited.chain(([a, b]) => edited.map(([c, d]) => [a, c === b ? d : b] as const));
    fc.assert(
      fc.property(fc.oneof(edited, twice), ([a, b]) => {
        expect(twoEditsApart(a, b)).toBe(editDistance(a, b) <= 2);
        expect(twoEditsApart(b, a)).toBe(twoEditsApart(a, b));
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ['5145550101', '5145550102', true],
    ['5145550101', '5145550110', true],
    ['5145550101', '514555010', true],
    ['5145550101', '4185550101', false],
    ['19800304', '19800403', false],
  ])('%p and %p: %p', (a, b, expected) => {
    expect(oneEditApart(a, b)).toBe(expected);
  });
});
