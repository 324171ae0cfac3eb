import { describe, expect, it } from '@jest/globals';
import { BLOCKING_KEYS, keyHash } from '../matching/blocking.js';
import { comparisonPattern } from '../matching/comparisons.js';
import { DEFAULT_PARAMETERS } from '../matching/fellegi-sunter.js';
import { type ContactToMatch, toMatchRecord } from '../matching/match-record.js';
import { contactWith } from '../testing/contacts.js';
import { matchTable } from '../matching/match-table.js';
import { NAME_KINDS, NameFrequencies, PairScorer } from '../matching/matcher.js';
import { keyHashesOf, nameTermsOf } from './match-keys.service.js';

const contact = (
  id: number,
  firstName: string,
  lastName: string,
  extra: Partial<ContactToMatch> = {},
): ContactToMatch =>
  contactWith({ firstName, lastName, ...extra }, `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`);

const records = [
  contact(1, 'Marie', 'Tremblay', { birthDate: '1985-02-11' }),
  contact(2, 'Marie-Ève', 'Tremblay', { birthDate: '1985-02-11' }),
  contact(3, 'Anne-Marie', 'Gagnon'),
  contact(4, 'Marie', 'Gagnon', { email: 'marie.gagnon@example.org' }),
  contact(5, 'Ophélie', 'Vanasse', { phone: '514 555-0101' }),
  contact(6, 'Ophelie', 'Vanasse', { phone: '5145550101' }),
  contact(7, 'Tremblay', 'Marie'),
].map(toMatchRecord);

describe('stored match keys', () => {
  it('stores every exact blocking key a record has, once, and none it lacks (sorted neighbourhoods are not looked up)', () => {
    for (const record of records) {
      const expected = new Set(
        BLOCKING_KEYS.filter((key) => !key.sorted)
          .map((key) => keyHash(key.of(record)))
          .filter((hash) => hash !== 0),
      );
      expect(new Set(keyHashesOf(record))).toEqual(expected);
      expect(keyHashesOf(record)).toHaveLength(expected.size);
    }
  });

  it('gives name frequencies from stored counts that score every pair as those of the records themselves', () => {
    const counts = Object.fromEntries(NAME_KINDS.map((kind) => [kind, new Map<string, number>()])) as Record<
      (typeof NAME_KINDS)[number],
      Map<string, number>
    >;
    for (const record of records) {
      for (const term of nameTermsOf(record)) {
        const [kind, name] = [term.slice(0, term.indexOf(':')), term.slice(term.indexOf(':') + 1)];
        const map = counts[kind as (typeof NAME_KINDS)[number]];
        map.set(name, (map.get(name) ?? 0) + 1);
      }
    }
    const table = matchTable(records);
    const inMemory = new PairScorer(DEFAULT_PARAMETERS, new NameFrequencies(table));
    const fromCounts = new PairScorer(DEFAULT_PARAMETERS, NameFrequencies.fromCounts(records.length, counts));
    let adjusted = 0;
    for (let i = 0; i < records.length; i++) {
      for (let j = i + 1; j < records.length; j++) {
        const pattern = comparisonPattern(table, i, j);
        const expected = inMemory.score(table, i, j, pattern);
        expect(fromCounts.score(table, i, j, pattern)).toBe(expected);
        if (expected !== new PairScorer(DEFAULT_PARAMETERS).score(table, i, j, pattern)) adjusted++;
      }
    }
    expect(adjusted).toBeGreaterThan(0);
  });
});
