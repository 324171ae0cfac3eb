import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { QUEBEC_REGIONS, quebecRegionFromPostalCode } from './quebec-region.util.js';

describe('quebecRegionFromPostalCode', () => {
  it('lists the 17 regions once each', () => {
    expect(QUEBEC_REGIONS).toHaveLength(17);
    expect(new Set(QUEBEC_REGIONS).size).toBe(17);
  });

  it.each([
    ['H2X 1Y4', 'Montréal'], // Plateau
    ['h3a 0g4', 'Montréal'], // downtown, any case
    ['H9R 2S2', 'Montréal'], // Pointe-Claire, West Island
    ['H7N 1A1', 'Laval'],
    ['G1R 4S9', 'Capitale-Nationale'], // Vieux-Québec
    ['G3Z 1A1', 'Capitale-Nationale'], // Baie-Saint-Paul
    ['G6V 1A1', 'Chaudière-Appalaches'], // Lévis
    ['J1H 1A1', 'Estrie'], // Sherbrooke
    ['J2G 1A1', 'Estrie'], // Granby, moved from Montérégie in 2021
    ['J8X 1A1', 'Outaouais'], // Gatineau (Hull)
    ['J4K 1A1', 'Montérégie'], // Longueuil
    ['J6A 1A1', 'Lanaudière'], // Repentigny
    ['J7Z 1A1', 'Laurentides'], // Saint-Jérôme
    ['G9A 1A1', 'Mauricie'], // Trois-Rivières
    ['J2B 1A1', 'Centre-du-Québec'], // Drummondville
    ['G7H 1A1', 'Saguenay–Lac-Saint-Jean'], // Chicoutimi
    ['G5L 1A1', 'Bas-Saint-Laurent'], // Rimouski
    ['G4R 1A1', 'Côte-Nord'], // Sept-Îles
    ['G4X 1A1', 'Gaspésie–Îles-de-la-Madeleine'], // Gaspé
    ['J9X 1A1', 'Abitibi-Témiscamingue'], // Rouyn-Noranda
    ['G8P 1A1', 'Nord-du-Québec'], // Chibougamau
  ])('maps %p to %p', (code, region) => {
    expect(quebecRegionFromPostalCode(code)).toBe(region);
  });

  it.each([
    ['G0A 1A0', 'rural FSA spanning several regions'],
    ['J0K 1A0', 'rural FSA spanning several regions'],
    ['H0M 1A0', 'Akwesasne'],
    ['H0H 0H0', 'Santa Claus'],
    ['J2N 1A1', 'Farnham: not in the reviewed list'],
  ])('returns null when unsure: %p (%s)', (code) => {
    expect(quebecRegionFromPostalCode(code)).toBeNull();
  });

  it.each([null, '', 'K1A 0B1', 'M5V 3L9', 'V6B 1A1', '2612', 'H', 'H2'])(
    'returns null outside Quebec or for %p',
    (code) => {
      expect(quebecRegionFromPostalCode(code)).toBeNull();
    },
  );

  it('maps every possible Quebec FSA to null or one of the 17 regions', () => {
    for (const a of 'GHJ')
      for (let d = 0; d <= 9; d++)
        for (const b of 'ABCEGHJKLMNPRSTVWXYZ') {
          const region = quebecRegionFromPostalCode(`${a}${d}${b}`);
          if (region !== null) expect(QUEBEC_REGIONS).toContain(region);
        }
  });

  it('only ever returns one of the 17 regions, and only for G/H/J codes', () => {
    const fsa = fc
      .tuple(
        fc.constantFrom(...'ABCEGHJKLMNPRSTVXY'),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(...'ABCEGHJKLMNPRSTVWXYZ'),
      )
      .map(([a, d, b]) => `${a}${d}${b} 1A1`);
    fc.assert(
      fc.property(fc.oneof(fsa, fc.string()), (code) => {
        const region = quebecRegionFromPostalCode(code);
        if (region === null) return;
        expect(QUEBEC_REGIONS).toContain(region);
        expect(code.replace(/\s+/gu, '')[0]?.toUpperCase()).toMatch(/[GHJ]/u);
      }),
    );
  });
});
