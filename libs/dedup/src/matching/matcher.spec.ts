import { describe, expect, it } from '@jest/globals';
import { DEFAULT_THRESHOLDS } from '../runs/dedup-settings.service.js';
import { COMPARISONS, comparisonPattern, fieldIndex } from './comparisons.js';
import { DEFAULT_PARAMETERS } from './fellegi-sunter.js';
import { recordWith } from '../testing/contacts.js';
import type { ContactToMatch } from './match-record.js';
import { matchTable } from './match-table.js';
import {
  clusterRoots,
  compareCandidates,
  type ComparedPairs,
  forEachPair,
  linkedPairs,
  matchInput,
  NameFrequencies,
  PairScorer,
  pairFingerprint,
} from './matcher.js';

type Values = Partial<Omit<ContactToMatch, 'id'>>;

const record = recordWith;

/** The score of two contacts with the default parameters (an organization too small to learn its own). */
const scorer = new PairScorer(DEFAULT_PARAMETERS);
const score = (a: Values, b: Values): number => {
  const table = matchTable([record(a, 'a'), record(b, 'b')]);
  return scorer.score(table, 0, 1, comparisonPattern(table, 0, 1));
};

const helene: Values = {
  firstName: 'Hélène',
  lastName: 'Côté',
  email: 'helene.cote@example.org',
  phone: '514 555-0101',
  addressLine1: '45 av. du Parc',
  city: 'Montréal',
  postalCode: 'H2X 1Y4',
  birthDate: '1980-03-04',
};

describe('scoring with the default parameters', () => {
  it.each<[string, Values, Values]>([
    [
      'accents dropped',
      helene,
      { ...helene, firstName: 'Helene', lastName: 'Cote', addressLine1: '45 avenue du Parc', city: 'Montreal' },
    ],
    [
      'a nickname and another email',
      {
        firstName: 'Robert',
        lastName: 'Gagnon',
        email: 'robert.gagnon@example.org',
        phone: '418 555-0102',
        city: 'Québec',
        birthDate: '1972-06-15',
      },
      {
        firstName: 'Bob',
        lastName: 'Gagnon',
        email: 'bob.g@gmail.com',
        phone: '418 555-0102',
        city: 'Québec',
        birthDate: '1972-06-15',
      },
    ],
    [
      'names swapped',
      { firstName: 'Minh', lastName: 'Nguyen', email: 'minh.nguyen@example.org', birthDate: '1990-09-09' },
      { firstName: 'Nguyen', lastName: 'Minh', email: 'minh.nguyen@example.org', birthDate: '1990-09-09' },
    ],
    [
      'initials, the same phone',
      { firstName: 'Jean-François', lastName: 'Bélanger', phone: '819 555-0104', city: 'Gatineau' },
      { firstName: 'J.-F.', lastName: 'Bélanger', phone: '819 555-0104', city: 'Gatineau' },
    ],
    [
      'a new email and phone, the same address and birth date',
      {
        firstName: 'Marie-Ève',
        lastName: 'Lavoie',
        email: 'marie.lavoie@videotron.ca',
        phone: '450 555-0105',
        addressLine1: '210 boul. Saint-Martin',
        postalCode: 'H7N 1A1',
        birthDate: '1988-12-01',
      },
      {
        firstName: 'Marie-Eve',
        lastName: 'Lavoie',
        email: 'melavoie@gmail.com',
        phone: '450 555-0199',
        addressLine1: '210 boulevard St-Martin',
        postalCode: 'H7N 1A1',
        birthDate: '1988-12-01',
      },
    ],
    [
      'the same names, email, phone and address, no birth date',
      { ...helene, birthDate: null },
      { ...helene, firstName: 'Helene', birthDate: null },
    ],
    [
      'the same names and email, nothing else',
      { firstName: 'Hélène', lastName: 'Côté', email: 'helene.cote@example.org' },
      { firstName: 'Helene', lastName: 'Cote', email: 'helene.cote@example.org' },
    ],
    [
      'a first name misspelt beyond a typo, the same email and birth date',
      { firstName: 'Oliver', lastName: 'Hughes', email: 'ohughes@page-kim.info', birthDate: '1983-03-07' },
      { firstName: 'Olvevr', lastName: 'Hughes', email: 'ohughes@page-kim.info', birthDate: '1983-03-07' },
    ],
    [
      'a compound last name reduced, the same email',
      { firstName: 'Julie', lastName: 'Gagnon-Tremblay', email: 'julie.gt@example.org' },
      { firstName: 'Julie', lastName: 'Tremblay', email: 'julie.gt@example.org' },
    ],
  ])('proposes %s for review', (_, a, b) => {
    expect(score(a, b)).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.review);
    expect(score(b, a)).toBeCloseTo(score(a, b), 12);
  });

  it.each<[string, Values, Values]>([
    [
      'two Marie Tremblay born the same year',
      {
        firstName: 'Marie',
        lastName: 'Tremblay',
        email: 'marie.tremblay@example.org',
        phone: '514 555-0106',
        city: 'Montréal',
        postalCode: 'H3A 1B1',
        birthDate: '1985-02-11',
      },
      {
        firstName: 'Marie',
        lastName: 'Tremblay',
        email: 'mtremblay85@gmail.com',
        phone: '438 555-0107',
        city: 'Montréal',
        postalCode: 'H1N 2C2',
        birthDate: '1985-09-27',
      },
    ],
    [
      'spouses with one last name, one address and one phone',
      {
        firstName: 'Pierre',
        lastName: 'Roy',
        email: 'pierre.roy@example.org',
        phone: '514 555-0108',
        addressLine1: '3400 rue Saint-Denis',
        city: 'Montréal',
        postalCode: 'H2X 3L3',
        birthDate: '1950-05-02',
      },
      {
        firstName: 'Louise',
        lastName: 'Roy',
        email: 'louise.roy@example.org',
        phone: '514 555-0108',
        addressLine1: '3400 rue Saint-Denis',
        city: 'Montréal',
        postalCode: 'H2X 3L3',
        birthDate: '1953-11-19',
      },
    ],
    [
      'spouses sharing one email',
      {
        firstName: 'Sophie',
        lastName: 'Gingras',
        email: 'famille.ouellet@example.org',
        phone: '514 555-0110',
        addressLine1: '88 rue Rachel',
        postalCode: 'H2J 2H4',
      },
      {
        firstName: 'Martin',
        lastName: 'Ouellet',
        email: 'famille.ouellet@example.org',
        phone: '514 555-0110',
        addressLine1: '88 rue Rachel',
        postalCode: 'H2J 2H4',
      },
    ],
    [
      'a father and his son of the same name',
      {
        firstName: 'Jean',
        lastName: 'Roy',
        phone: '514 555-0112',
        addressLine1: '12 rue Fleury',
        birthDate: '1950-05-02',
      },
      {
        firstName: 'Jean',
        lastName: 'Roy',
        phone: '514 555-0112',
        addressLine1: '12 rue Fleury',
        birthDate: '1978-08-30',
      },
    ],
    [
      'two first names two edits apart, born the same day',
      { firstName: 'Marc', lastName: 'Lavoie', email: 'marc.lavoie@example.org', birthDate: '1969-06-14' },
      { firstName: 'Mario', lastName: 'Lavoie', email: 'marc.lavoie@example.org', birthDate: '1969-06-14' },
    ],
  ])('never merges %s on its own', (_, a, b) => {
    expect(score(a, b)).toBeLessThan(DEFAULT_THRESHOLDS.autoMerge);
  });

  it.each([
    ['conflict', '1981-04-10'],
    ['are within a year, beyond a typo', '1951-09-20'],
  ])(
    'proposes records whose birth dates %s for review, never for an automatic merge, whatever was learned',
    (_, other) => {
      // what EM learns where families share an email: a different birth date is common among "matches"
      const m = DEFAULT_PARAMETERS.m.map((levels) => [...levels]);
      m[fieldIndex('birthDate')] = [0, 0.45, 0.05, 0.11, 0.39];
      const learned = new PairScorer({ ...DEFAULT_PARAMETERS, m });
      const father = {
        firstName: 'Michael',
        lastName: 'Miller',
        email: 'm.miller@example.org',
        birthDate: '1951-02-15',
      };
      const table = matchTable([record(father, 'a'), record({ ...father, birthDate: other }, 'b')]);
      const score = learned.score(table, 0, 1, comparisonPattern(table, 0, 1));
      expect(score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.review);
      expect(score).toBeLessThan(DEFAULT_THRESHOLDS.autoMerge);
    },
  );

  it('scores namesakes (names alike, birth dates that conflict, nothing else) near 0, however mild a conflict was learned', () => {
    const m = DEFAULT_PARAMETERS.m.map((levels) => [...levels]);
    m[fieldIndex('birthDate')] = [0, 0.45, 0.05, 0.11, 0.39];
    const learned = new PairScorer({ ...DEFAULT_PARAMETERS, m });
    const jean = { firstName: 'Jean', lastName: 'Roy', city: 'Québec' };
    const table = matchTable([
      record({ ...jean, birthDate: '1950-05-02' }, 'a'),
      record({ ...jean, birthDate: '1978-08-30' }, 'b'),
    ]);
    expect(learned.score(table, 0, 1, comparisonPattern(table, 0, 1))).toBeLessThanOrEqual(0.01);
    expect(learned.score(table, 0, 1, comparisonPattern(table, 0, 1), true)).toBeLessThanOrEqual(0.01);
    // born within a year of each other, and nothing else in common: namesakes too
    const nearby = matchTable([
      record({ firstName: 'Jean', lastName: 'Roy', birthDate: '1950-05-02' }, 'a'),
      record({ firstName: 'Jean', lastName: 'Roy', birthDate: '1950-11-20' }, 'b'),
    ]);
    expect(learned.score(nearby, 0, 1, comparisonPattern(nearby, 0, 1))).toBeLessThanOrEqual(0.01);
  });

  it('shows the evidence field by field: both values, a level, a weight; a missing value weighs 0', () => {
    const table = matchTable([
      record(helene),
      record({ firstName: 'Helene', lastName: 'Cote', email: 'helene.cote@example.org' }),
    ]);
    const evidence = scorer.evidence(table, 0, 1, comparisonPattern(table, 0, 1));
    expect(evidence.map((e) => e.field)).toEqual(COMPARISONS.map((c) => c.field));
    expect(evidence.find((e) => e.field === 'email')).toMatchObject({
      level: 'exact',
      a: 'helene.cote@example.org',
      b: 'helene.cote@example.org',
    });
    expect(evidence.find((e) => e.field === 'email')!.weight).toBeGreaterThan(0);
    expect(evidence.find((e) => e.field === 'lastName')).toMatchObject({ level: 'exact', a: 'cote', b: 'cote' });
    expect(evidence.find((e) => e.field === 'phone')).toEqual({
      field: 'phone',
      level: 'missing',
      a: '5145550101',
      b: null,
      weight: 0,
    });
    expect(evidence.find((e) => e.field === 'addressLine2')).toEqual({
      field: 'addressLine2',
      level: 'missing',
      a: null,
      b: null,
      weight: 0,
    });
  });
});

describe('name frequencies', () => {
  const agreed = (a: Values, b: Values) => {
    const table = matchTable([record(a, 'a'), record(b, 'b')]);
    return NameFrequencies.agreedNames(table, 0, 1, comparisonPattern(table, 0, 1));
  };

  it('look up only the names a pair agrees on: what must be counted to score it', () => {
    expect(agreed(helene, { ...helene, email: null })).toEqual([
      ['first', 'helene'],
      ['last', 'cote'],
    ]);
    expect(agreed({ firstName: 'Marie-Ève', lastName: 'Roy' }, { firstName: 'Marie', lastName: 'Royer' })).toEqual([
      ['firstWord', 'marie'],
    ]);
    expect(agreed({ firstName: 'Jean', lastName: 'Roy' }, { firstName: 'Paul', lastName: 'Gagnon' })).toEqual([]);
  });

  it('never raise a score above the best its pattern allows (what linkedPairs skips pairs by)', () => {
    const records = [
      record(helene, 'a'),
      record({ ...helene, email: null }, 'b'),
      record({ firstName: 'Ophélie', lastName: 'Vanasse', birthDate: '1990-01-02' }, 'c'),
      record({ firstName: 'Ophelie', lastName: 'Vanasse', birthDate: '1990-01-02', city: 'Laval' }, 'd'),
      ...Array.from({ length: 30 }, (_, i) => record({ firstName: 'Hélène', lastName: `Other${i % 3}` }, `e${i}`)),
    ];
    const table = matchTable(records);
    const scorer = new PairScorer(DEFAULT_PARAMETERS, new NameFrequencies(table));
    const unadjusted = new PairScorer(DEFAULT_PARAMETERS);
    let [adjusted, skipped] = [0, 0];
    for (let i = 0; i < table.size; i++) {
      for (let j = i + 1; j < table.size; j++) {
        const pattern = comparisonPattern(table, i, j);
        const score = scorer.score(table, i, j, pattern);
        expect(score).toBeLessThanOrEqual(scorer.bestScore(pattern));
        if (score !== unadjusted.score(table, i, j, pattern)) adjusted++;
        if (scorer.bestScore(pattern) < DEFAULT_THRESHOLDS.review) skipped++;
      }
    }
    expect(adjusted).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(0);
  });

  it('scored from counts of those names alone as from every record', () => {
    const records = [
      record(helene, 'a'),
      record({ ...helene, email: null }, 'b'),
      ...Array.from({ length: 30 }, (_, i) => record({ firstName: 'Hélène', lastName: `Other${i}` }, `c${i}`)),
    ];
    const table = matchTable(records);
    const names = new NameFrequencies(table);
    const counted = new Map<string, number>(
      [...names.counts()].map(([kind, name, count]) => [`${kind}:${name}`, count]),
    );
    const [a, b] = [0, 1];
    const pattern = comparisonPattern(table, a, b);
    const only = {
      first: new Map<string, number>(),
      firstWord: new Map<string, number>(),
      last: new Map<string, number>(),
    };
    for (const [kind, name] of NameFrequencies.agreedNames(table, a, b, pattern))
      only[kind].set(name, counted.get(`${kind}:${name}`)!);
    const fromCounts = NameFrequencies.fromCounts(records.length, only);
    const u = DEFAULT_PARAMETERS.u;
    expect(fromCounts.adjustment(table, a, b, pattern, u)).toEqual(names.adjustment(table, a, b, pattern, u));
    // a common first name says less than a rare last name
    const { first, last } = names.adjustment(table, a, b, pattern, u);
    expect(first).toBeLessThan(last);
  });
});

describe('pairFingerprint', () => {
  it('changes when a compared value changes, and only then', () => {
    const fingerprint = (a: Values, b: Values, ids = ['a', 'b']) =>
      pairFingerprint(matchTable([record(a, ids[0]), record(b, ids[1])]), 0, 1);
    const other: Values = { ...helene, firstName: 'Helene', email: 'h.cote@example.org' };
    const base = fingerprint(helene, other);
    expect(fingerprint(helene, other, ['x', 'y'])).toBe(base);
    // written differently, compared alike
    expect(fingerprint({ ...helene, phone: '+1 (514) 555-0101', postalCode: 'h2x1y4' }, other)).toBe(base);
    for (const change of [
      { phone: '514 555-0199' },
      { birthDate: '1980-03-05' },
      { city: 'Laval' },
      { addressLine2: 'app. 4' },
      { lastName: 'Côté-Roy' },
    ]) {
      expect({ change, same: fingerprint({ ...helene, ...change }, other) === base }).toEqual({ change, same: false });
    }
  });
});

describe('clusterRoots', () => {
  it('joins a chain into one cluster named by its smallest record, and leaves the others alone', () => {
    expect([
      ...clusterRoots(6, [
        [4, 2],
        [2, 5],
        [0, 1],
      ]),
    ]).toEqual([0, 0, 2, 3, 2, 2]);
    expect([...clusterRoots(3, [])]).toEqual([0, 1, 2]);
  });
});

describe('compareCandidates', () => {
  it('compares each candidate pair once, with its pattern; with a focus, only the pairs touching it', async () => {
    const records = [
      record(helene, 'a'),
      record({ ...helene, firstName: 'Helene' }, 'b'),
      record({ firstName: 'Marc', lastName: 'Gagnon', email: 'marc@example.org' }, 'c'),
      record({ firstName: 'Marc', lastName: 'Gagnon', phone: '418 555-0199' }, 'd'),
      record({ firstName: 'Luc', lastName: 'Pelletier' }, 'e'),
    ];
    const input = matchInput(records);
    const found = (pairs: ComparedPairs) => {
      const list: string[] = [];
      forEachPair(pairs, (a, b, pattern) => {
        expect(pattern).toBe(comparisonPattern(input.table, a, b));
        list.push(`${a}-${b}`);
      });
      return list.sort();
    };
    const pairs = await compareCandidates(input);
    expect(found(pairs)).toEqual(['0-1', '2-3']);
    expect(Object.values(pairs.perKey).reduce((sum, n) => sum + n, 0)).toBe(2);

    const focused = await compareCandidates(input, Uint8Array.from([0, 0, 0, 1, 0]));
    expect(focused.count).toBe(1);
    expect(found(focused)).toEqual(['2-3']);
  });
});

describe('linkedPairs', () => {
  const ophelie: Values = { firstName: 'Ophélie', lastName: 'Vanasse', city: 'Rimouski' };
  /**
   * The links a run keeps among these records, with the default parameters; names counted over the records with
   * `counted`, else all rare.
   */
  const links = async (values: Values[], counted = false) => {
    const input = matchInput(values.map((v, i) => record(v, String(i))));
    const linkScorer = counted ? new PairScorer(DEFAULT_PARAMETERS, new NameFrequencies(input.table)) : scorer;
    const kept = linkedPairs(input.table, await compareCandidates(input), linkScorer, DEFAULT_THRESHOLDS.review);
    return kept.links.map(({ a, b, score }) => ({ pair: `${a}-${b}`, score }));
  };

  it('proposes records that agree on names alone for review when nothing disagrees and no namesake shows', async () => {
    const [link] = await links([{ ...ophelie, birthDate: '1980-03-04', email: 'ophelie@example.org' }, ophelie]);
    expect(link.pair).toBe('0-1');
    expect(link.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.review);
    expect(link.score).toBeLessThan(DEFAULT_THRESHOLDS.autoMerge);
  });

  it('leaves them apart when the name shows namesakes (birth dates that differ) or another value disagrees', async () => {
    const born = (birthDate: string): Values => ({ ...ophelie, birthDate });
    expect(await links([born('1980-03-04'), ophelie, born('1952-11-20')])).toEqual([]);
    // a typo in the birth date is no namesake
    expect(await links([born('1980-03-04'), ophelie, born('1980-03-05')])).toHaveLength(3);
    // nor are dates each a typo from one of them, though two typos apart from each other (every pair linked but those two)
    expect(await links([born('1914-06-17'), ophelie, born('1917-06-17'), born('1914-06-11')])).toHaveLength(5);
    expect(await links([born('1917-06-17'), ophelie, born('1914-06-11')])).toEqual([]);
    expect(
      await links([
        { ...ophelie, email: 'ophelie@example.org' },
        { ...ophelie, email: 'o.v@example.net' },
      ]),
    ).toEqual([]);
    expect(await links([ophelie, { ...ophelie, city: 'Gaspé' }])).toEqual([]);
  });

  it('leaves them apart when the full name is common enough to be borne by several people', async () => {
    const people = (count: number, first: (i: number) => string, last: (i: number) => string): Values[] =>
      Array.from({ length: count }, (_, i) => ({ firstName: first(i), lastName: last(i) }));
    const strangers = (count: number) =>
      people(
        count,
        (i) => `Zoé${i}`,
        (i) => `Rioux${i}`,
      );
    const pair = [ophelie, ophelie];
    const linked = async (values: Values[]) => (await links(values, true)).map(({ pair }) => pair);
    // 2 × 2 / 2,000 records of the name expected by chance: likely one person
    expect(await linked([...pair, ...strangers(1998)])).toContain('0-1');
    // 50 × 50 / 2,000: a name this common is borne by several people, though each name alone is not rare enough to say
    const namesakes = [
      ...people(
        48,
        () => 'Ophélie',
        (i) => `Rioux${i}`,
      ),
      ...people(
        48,
        (i) => `Zoé${i}`,
        () => 'Vanasse',
      ),
    ];
    expect(await linked([...pair, ...namesakes, ...strangers(1902)])).not.toContain('0-1');
  });

  it('expects namesakes as people, not records: a name expected twice by chance among four records a person', async () => {
    const input = matchInput(
      [ophelie, ophelie, ...Array.from({ length: 98 }, (_, i) => ({ firstName: 'Ophélie', lastName: `Rioux${i}` }))]
        .concat(Array.from({ length: 98 }, (_, i) => ({ firstName: `Zoé${i}`, lastName: 'Vanasse' })))
        .concat(Array.from({ length: 4_802 }, (_, i) => ({ firstName: `Zoé${i}`, lastName: `Rioux${i}` })))
        .map((values, i) => record(values, String(i))),
    );
    const pairs = await compareCandidates(input);
    const linked = (recordsPerPerson: number) =>
      linkedPairs(
        input.table,
        pairs,
        new PairScorer({ ...DEFAULT_PARAMETERS, recordsPerPerson }, new NameFrequencies(input.table)),
        DEFAULT_THRESHOLDS.review,
      ).links.some(({ a, b }) => a + b === 1);
    // 100 × 100 / 5,000 records: two records of the name by chance, half a person at four records a person
    expect(linked(1)).toBe(false);
    expect(linked(4)).toBe(true);
  });
});

describe('learned parameters', () => {
  const EMAIL = fieldIndex('email');
  const EXACT = COMPARISONS[EMAIL].levels.length - 1;
  /** How often people who share a last name share an email too (u of households), learned from these records. */
  const householdsShareEmail = async (values: Values[]) => {
    const input = matchInput(values.map((v, i) => record(v, String(i))));
    const scorer = PairScorer.learned(input.table, await compareCandidates(input), undefined, 2_000);
    return scorer.parameters.uHousehold[EMAIL][EXACT];
  };
  /** 600 pairs of records, each pair sharing a last name and an email; the second record's first name as given. */
  const pairs = (second: (i: number) => string | null): Values[] =>
    Array.from({ length: 600 }, (_, i) => {
      const shared = { lastName: `Rioux${i}`, email: `r${i}@example.org` };
      return [
        { ...shared, firstName: 'Oliver' },
        { ...shared, firstName: second(i) },
      ];
    }).flat();

  it('learns from people who share a last name and an email but not a first name that households share emails', async () => {
    expect(await householdsShareEmail(pairs(() => 'Zacharie'))).toBeGreaterThan(0.5);
  });

  it("does not take a person's own records for a household when one lacks or misspells the first name", async () => {
    // too few pairs with first names that differ: the defaults
    expect(await householdsShareEmail(pairs((i) => (i % 2 ? null : 'Olvevr')))).toBe(
      DEFAULT_PARAMETERS.uHousehold[EMAIL][EXACT],
    );
  });
});
