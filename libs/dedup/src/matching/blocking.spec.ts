import { describe, expect, it } from '@jest/globals';
import { BLOCKING_KEYS, forEachCandidatePair, MAX_BLOCK, phonetic, WINDOW } from './blocking.js';
import { recordWith } from '../testing/contacts.js';
import type { ContactToMatch, MatchRecord } from './match-record.js';
import { matchInput } from './matcher.js';

type Values = Partial<Omit<ContactToMatch, 'id'>>;

const records = (...contacts: Values[]): MatchRecord[] => contacts.map((values, i) => recordWith(values, `c${i}`));

/** The candidate pairs as "i-j" (i < j), in the order produced, and the pairs first found by each key. */
async function candidatePairs(
  list: readonly MatchRecord[],
  focused: number[] | null = null,
): Promise<{ pairs: string[]; perKey: Record<string, number> }> {
  const pairs: string[] = [];
  let focus: Uint8Array | null = null;
  if (focused) {
    focus = new Uint8Array(list.length);
    for (const i of focused) focus[i] = 1;
  }
  const { table, hashes } = matchInput(list);
  const counts = await forEachCandidatePair(table, hashes, (i, j) => pairs.push(`${i}-${j}`), focus);
  return { pairs, perKey: Object.fromEntries(BLOCKING_KEYS.map((key, k) => [key.name, counts[k]])) };
}

const helene: Values = {
  firstName: 'Hélène',
  lastName: 'Côté',
  email: 'helene.cote@example.org',
  phone: '514 555-0101',
  postalCode: 'H2X 1Y4',
  birthDate: '1980-03-04',
  addressLine1: '45 av. du Parc',
  city: 'Montréal',
};

describe('candidate pairs (blocking)', () => {
  it('produces a pair sharing every key once, counted under the first key', async () => {
    const { pairs, perKey } = await candidatePairs(
      records(helene, { ...helene, firstName: 'Helene', lastName: 'Cote', addressLine1: '45 avenue du Parc' }),
    );
    expect(pairs).toEqual(['0-1']);
    expect(perKey).toMatchObject({ email: 1 });
    expect(Object.values(perKey).reduce((sum, n) => sum + n, 0)).toBe(1);
  });

  it('does not produce a pair sharing no key', async () => {
    const marc: Values = {
      firstName: 'Marc',
      lastName: 'Gagnon',
      email: 'marc@example.org',
      phone: '418 555-0199',
      postalCode: 'G1R 2B5',
      birthDate: '1975-11-22',
      addressLine1: '12 rue Saint-Jean',
      city: 'Québec',
    };
    expect((await candidatePairs(records(helene, marc))).pairs).toEqual([]);
    // a shared city alone, or blank values, bring no one together
    expect(
      (
        await candidatePairs(
          records({ firstName: 'Hélène', city: 'Montréal' }, { firstName: 'Marc', city: 'Montréal' }, {}, {}),
        )
      ).pairs,
    ).toEqual([]);
  });

  it.each<[string, Values, Values]>([
    [
      'the email alone',
      { firstName: 'Hélène', email: 'hcote@example.org' },
      { firstName: 'Marie', email: 'HCote@example.org' },
    ],
    ['the phone alone', { phone: '514 555-0101' }, { phone: '+1 514 555 0101' }],
    ['names swapped', { firstName: 'Minh', lastName: 'Nguyen' }, { firstName: 'Nguyen', lastName: 'Minh' }],
    [
      'names spelled alike (phonetically)',
      { firstName: 'Jean', lastName: 'Smith' },
      { firstName: 'Jean', lastName: 'Smyth' },
    ],
    [
      'the postal code and first initial',
      { firstName: 'Hélène', lastName: 'Côté', postalCode: 'H2X 1Y4' },
      { firstName: 'Hélène', lastName: 'Tremblay', postalCode: 'h2x1y4' },
    ],
    [
      'the birth date and last initial',
      { firstName: 'Robert', lastName: 'Gagnon', birthDate: '1972-06-15' },
      { firstName: 'Luc', lastName: 'Gingras', birthDate: '1972-06-15' },
    ],
    ['the street address', { addressLine1: '45 av. du Parc' }, { addressLine1: '45 avenue du Parc' }],
  ])('finds a pair through %s', async (_, a, b) => {
    expect((await candidatePairs(records(a, b))).pairs).toEqual(['0-1']);
  });

  it('ignores phone numbers too short to tell people apart', async () => {
    expect((await candidatePairs(records({ phone: '12' }, { phone: '12' }))).pairs).toEqual([]);
  });

  it('with a focus, produces only the pairs touching a focused record', async () => {
    const list = records(
      helene,
      { ...helene, firstName: 'Helene' },
      { firstName: 'Marc', lastName: 'Gagnon', email: 'marc@example.org' },
      { firstName: 'Marc', lastName: 'Gagnon', email: 'marc@example.org' },
      { firstName: 'Luc', lastName: 'Pelletier' },
    );
    expect((await candidatePairs(list)).pairs.sort()).toEqual(['0-1', '2-3']);
    expect((await candidatePairs(list, [0])).pairs).toEqual(['0-1']);
    expect((await candidatePairs(list, [3])).pairs).toEqual(['2-3']);
    expect((await candidatePairs(list, [1, 2])).pairs.sort()).toEqual(['0-1', '2-3']);
    expect((await candidatePairs(list, [4])).pairs).toEqual([]);
  });

  /** Last names, each with its own phonetic code: records sharing a key with them share only that one. */
  function distinctLastNames(count: number): string[] {
    const names: string[] = [];
    const codes = new Set<string>();
    for (const start of ['Tr', 'G', 'B', 'L', 'P', 'D', 'M', 'V', 'S', 'R', 'F', 'K', 'N', 'Ch', 'Br', 'Gr']) {
      for (const end of [
        'emblay',
        'agnon',
        'ouchard',
        'avoie',
        'elletier',
        'ubé',
        'orin',
        'allée',
        'imard',
        'oy',
        'ortin',
        'aron',
        'adeau',
        'arest',
        'ergeron',
      ]) {
        const name = start + end;
        const code = phonetic(recordWith({ lastName: name }).last);
        if (codes.has(code)) continue;
        codes.add(code);
        names.push(name);
        if (names.length === count) return names;
      }
    }
    throw new Error(`only ${names.length} phonetically distinct names`);
  }

  it('compares a record of an oversized block with its near neighbours by name only, not with every record', async () => {
    // one building: every record shares the postal code and first initial, nothing else
    const size = MAX_BLOCK * 2 + 7;
    const lastNames = distinctLastNames(size);
    const list = records(...lastNames.map((lastName) => ({ firstName: 'Marie', lastName, postalCode: 'H2X 1Y4' })));
    const { pairs, perKey } = await candidatePairs(list);

    // (the names' sorted neighbourhoods add the pairs of names starting alike, counted under their keys)
    expect(perKey['postal code and first initial']).toBeLessThanOrEqual(size * WINDOW);
    expect(pairs.length).toBeLessThan((size * (size - 1)) / 2);
    expect(new Set(pairs).size).toBe(pairs.length);
    // in name order, each record meets the WINDOW records that follow it
    const byName = list.map((_, i) => i).sort((a, b) => (list[a].last < list[b].last ? -1 : 1));
    const expected = new Set<string>();
    byName.forEach((r, x) => {
      for (const s of byName.slice(x + 1, x + 1 + WINDOW)) expected.add(r < s ? `${r}-${s}` : `${s}-${r}`);
    });
    expect(perKey['postal code and first initial']).toBe(expected.size);
    for (const pair of expected) expect(pairs).toContain(pair);
  });

  it('compares every pair of a block at the size limit', async () => {
    const lastNames = distinctLastNames(MAX_BLOCK);
    const list = records(...lastNames.map((lastName) => ({ firstName: 'Marie', lastName, postalCode: 'H2X 1Y4' })));
    expect((await candidatePairs(list)).pairs).toHaveLength((MAX_BLOCK * (MAX_BLOCK - 1)) / 2);
  });

  it('produces a pair from a small block even when a key they also share had a block too large to compare all', async () => {
    // many Marie Tremblay: the name keys' blocks are oversized, and sorted by name then birth date the two records
    // below are far apart; they also share a postal code and an address, with no one else
    const others = Array.from({ length: MAX_BLOCK + 10 }, (_, i) => ({
      firstName: 'Marie',
      lastName: 'Tremblay',
      birthDate: `19${String(40 + (i % 50)).padStart(2, '0')}-0${1 + Math.floor(i / 50)}-15`,
    }));
    const list = records(
      { firstName: 'Marie', lastName: 'Tremblay', postalCode: 'H2X 1Y4', addressLine1: '45 av. du Parc' },
      ...others,
      {
        firstName: 'Marie',
        lastName: 'Tremblay',
        postalCode: 'H2X 1Y4',
        addressLine1: '45 avenue du Parc',
        birthDate: '2001-12-31',
      },
    );
    const { pairs } = await candidatePairs(list);
    expect(pairs).toContain(`0-${list.length - 1}`);
  });
});
