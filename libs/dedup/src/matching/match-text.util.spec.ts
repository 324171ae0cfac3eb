import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { adversarialText, finishesWithin, KNOWN_WORST_CASES } from '../../../../test/support/adversarial-text.js';
import { phonetic } from './blocking.js';
import { matchAddress, matchFirstName, matchLastName, matchName, matchWords } from './match-text.util.js';

describe('matchWords', () => {
  it('folds accents, case, hyphens and apostrophes', () => {
    expect(matchWords('Côté-Roy')).toEqual(['cote', 'roy']);
    expect(matchWords('COTE roy')).toEqual(['cote', 'roy']);
    expect(matchWords("O'Neil")).toEqual(['oneil']);
    expect(matchWords('Lœvenbrück')).toEqual(['loevenbruck']);
  });

  it.each([null, '', ' - '])('has no word in %p', (text) => {
    expect(matchWords(text)).toEqual([]);
  });
});

describe('matchName', () => {
  it.each([
    ['Côté-Roy', 'cote roy', 'cote roy'],
    ['St-Pierre', 'Saint Pierre', 'saint pierre'],
    ['ST PIERRE', 'saint-pierre', 'saint pierre'],
    ['Ste-Foy', 'Sainte-Foy', 'sainte foy'],
    ['Mt-Royal', 'Mont Royal', 'mont royal'],
    ['St-Jérôme', 'Saint-Jérôme', 'saint jerome'],
  ])('writes %p and %p alike (%p)', (a, b, both) => {
    expect(matchName(a)).toBe(both);
    expect(matchName(b)).toBe(both);
  });

  it('leaves names that only begin like Saint alone', () => {
    expect(matchName('Stéphane Sterling')).toBe('stephane sterling');
  });
});

describe('matchFirstName', () => {
  it.each([
    ['Bob', 'robert'],
    ['Bobby', 'robert'],
    ['Robert', 'robert'],
    ['Bill', 'william'],
    ['Liz', 'elizabeth'],
    ['J.-F.', 'j f'],
    ['J F', 'j f'],
    ['Jean-François', 'jean francois'],
    ['Marie-Ève', 'marie eve'],
    ['Mme Marie-Ève', 'marie eve'],
    ['Hon. Charles', 'charles'],
    ['Sister Mary Ann', 'mary ann'],
    // a title alone is what was typed as the name; "M." may be an initial
    ['Sister', 'sister'],
    ['M. Edward', 'm edward'],
    // a patronymic is the father's name; a name alone stays, whatever its ending
    ['Iryna Petrivna', 'iryna'],
    ['Dmitri Ivanovich', 'dmitri'],
    ['Yury Serhiyovych', 'yury'],
    ['Iaroslav Vasilevich', 'iaroslav'],
    ['Anna-Maria Ivanovna', 'anna maria'],
    ['Ivanovich', 'ivanovich'],
    [null, ''],
  ])('reads %p as %p', (name, words) => {
    expect(matchFirstName(name)).toBe(words);
  });
});

describe('matchLastName', () => {
  it.each([
    ["M'Donald", 'macdonald'],
    ['Mc Donald', 'macdonald'],
    ['McGill-Roy', 'macgill roy'],
    ['Gagnon McKay', 'gagnon mackay'],
    ['Macdonald', 'macdonald'],
    // only a prefix: a name that merely contains "mc" stays as it is
    ['Emcee', 'emcee'],
    ['Côté', 'cote'],
  ])('reads %p as %p', (name, words) => {
    expect(matchLastName(name)).toBe(words);
  });
});

describe('matchAddress', () => {
  // each group: one address, written in ways people write it
  const sameAddress = [
    ['45 av. du Parc', '45 avenue du Parc', '45 Ave du Parc', '45 AV DU PARC'],
    ['1200 boul. René-Lévesque', '1200 boulevard René-Lévesque', '1200 blvd Rene Levesque', '1200 bd René Lévesque'],
    ['3400 rue Saint-Denis', '3400 r. St-Denis', '3400 rue St Denis', '3400, rue Saint-Denis'],
    ['123 Main Street', '123 Main St', '123 main st.'],
    ['1200 Sherbrooke St W', '1200 Sherbrooke Street West', '1200 Sherbrooke St. W.'],
    ['45 av. du Parc app. 4', '45 avenue du Parc apt 4', '45 Ave du Parc Unit 4', '45 av du Parc appartement 4'],
  ];

  it.each(sameAddress)('gives %p and its other writings the same full form', (...writings) => {
    const fulls = new Set(writings.map((writing) => matchAddress(writing, null)?.full));
    expect(fulls.size).toBe(1);
  });

  it('keeps different addresses apart', () => {
    const fulls = sameAddress.map((writings) => matchAddress(writings[0], null)?.full);
    expect(new Set(fulls).size).toBe(sameAddress.length);
  });

  it('reads St after a street name as street, and as saint elsewhere', () => {
    expect(matchAddress('1200 Sherbrooke St W', null)).toEqual({
      number: '1200',
      street: 'sherbrooke',
      full: '1200 sherbrooke rue w',
    });
    expect(matchAddress('12 St-Denis', null)).toEqual({ number: '12', street: 'saint denis', full: '12 saint denis' });
    expect(matchAddress('12 rue St-Denis', null)).toEqual({
      number: '12',
      street: 'saint denis',
      full: '12 rue saint denis',
    });
    expect(matchAddress('1450 Ste-Catherine St W', null)).toMatchObject({
      street: 'sainte catherine',
      full: '1450 sainte catherine rue w',
    });
  });

  it('names the street alike in French and English word order', () => {
    const french = matchAddress('1200 rue Sherbrooke Ouest', null);
    const english = matchAddress('1200 Sherbrooke St W', null);
    expect(french).toMatchObject({ number: '1200', street: 'sherbrooke' });
    expect(english).toMatchObject({ number: french?.number, street: french?.street });
  });

  it('keeps the street number, not the unit number, as the number', () => {
    expect(matchAddress('45 av. du Parc', 'app. 4')).toEqual({
      number: '45',
      street: 'parc',
      full: '45 av parc unit 4',
    });
  });

  it('is null without any word', () => {
    expect(matchAddress(null, null)).toBeNull();
    expect(matchAddress('  ', '')).toBeNull();
  });

  // street types and unit words however they are abbreviated, in the order of the language that abbreviates them so
  const frenchTypes = {
    rue: ['rue', 'r.', 'Rue'],
    avenue: ['av.', 'ave', 'Avenue', 'av'],
    boulevard: ['boul.', 'blvd', 'bd', 'Boulevard'],
    chemin: ['ch.', 'Chemin'],
  };
  const englishTypes = {
    street: ['St', 'St.', 'Street', 'str'],
    avenue: ['Ave', 'Av.', 'avenue'],
    road: ['Rd', 'Road', 'rd.'],
    drive: ['Dr', 'Drive'],
  };
  const units = ['app.', 'apt', 'Appartement', 'unit', 'Suite', 'App'];
  const streets = ['du Parc', 'Saint-Denis', 'René-Lévesque', 'Laurier', 'de la Montagne', 'Côte-Vertu'];
  const writing = (types: Record<string, string[]>) =>
    fc.record({
      number: fc.integer({ min: 1, max: 9999 }),
      type: fc.constantFrom(...Object.keys(types)),
      street: fc.constantFrom(...streets),
      unit: fc.option(fc.integer({ min: 1, max: 999 }), { nil: null }),
      forms: fc.tuple(fc.nat(), fc.nat()),
    });

  it('gives the same full form however the street type and unit are abbreviated (French order)', () => {
    fc.assert(
      fc.property(writing(frenchTypes), ({ number, type, street, unit, forms: [typeForm, unitForm] }) => {
        const types = frenchTypes[type as keyof typeof frenchTypes];
        const unitWords = (form: string) => (unit === null ? '' : ` ${form} ${unit}`);
        const written = `${number} ${types[typeForm % types.length]} ${street}${unitWords(units[unitForm % units.length])}`;
        const spelledOut = `${number} ${types.at(-1)} ${street}${unitWords('appartement')}`;
        expect(matchAddress(written, null)?.full).toBe(matchAddress(spelledOut, null)?.full);
      }),
    );
  });

  it('gives the same full form however the street type and unit are abbreviated (English order)', () => {
    fc.assert(
      fc.property(writing(englishTypes), ({ number, type, street, unit, forms: [typeForm, unitForm] }) => {
        const types = englishTypes[type as keyof typeof englishTypes];
        const unitWords = (form: string) => (unit === null ? '' : ` ${form} ${unit}`);
        const written = `${number} ${street} ${types[typeForm % types.length]}${unitWords(units[unitForm % units.length])}`;
        const spelledOut = `${number} ${street} ${types.at(-1)}${unitWords('unit')}`;
        expect(matchAddress(written, null)?.full).toBe(matchAddress(spelledOut, null)?.full);
      }),
    );
  });
});

// Issue 13, item 2: what dedup derives from names and addresses finishes on 10-50 KB of adversarial text
// (finishesWithin's bound only turns a hang into a failure: linear code takes milliseconds here, a cubic pattern hours).
describe.each([
  ['matchWords', (text: string) => matchWords(text)],
  ['matchName', (text: string) => matchName(text)],
  ['matchFirstName', (text: string) => matchFirstName(text)],
  ['matchLastName', (text: string) => matchLastName(text)],
  ['matchAddress', (text: string) => matchAddress(text, text)],
  ['phonetic', (text: string) => phonetic(matchName(text))],
] as [string, (text: string) => unknown][])('%s on long adversarial text', (_, fold) => {
  it('finishes on the known worst cases and on any long run of spaces, digits, dots, hyphens and the rest', () => {
    for (const input of KNOWN_WORST_CASES) finishesWithin(10, fold, input);
    fc.assert(
      fc.property(adversarialText(), (input) => void finishesWithin(10, fold, input)),
      { numRuns: 25 },
    );
  });
});
