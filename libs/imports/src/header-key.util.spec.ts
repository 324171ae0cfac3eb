import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { headerKey } from './header-key.util.js';

describe('headerKey', () => {
  it.each([
    ['Prénom', 'prenom'],
    ['E-mail', 'e mail'],
    ['  Code   postal ', 'code postal'],
    ['No. de client', 'no de client'],
    ['N° client', 'n client'],
    ['Téléphone (cellulaire)', 'telephone cellulaire'],
    ['ÉTIQUETTES', 'etiquettes'],
    ['season_pass', 'season pass'],
    ['Adresse 2', 'adresse 2'],
    ['---', ''],
  ])('reduces %j to %j', (header, key) => {
    expect(headerKey(header)).toBe(key);
  });

  it('gives lower-case words of letters and digits separated by one space, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        const key = headerKey(header);
        expect(key).toMatch(/^([a-z0-9]+( [a-z0-9]+)*)?$/);
        expect(headerKey(key)).toBe(key);
      }),
    );
  });
});
