import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { prefixUpperBound, searchTerms } from './search-terms.util.js';

describe('searchTerms', () => {
  it('folds accents and case and splits on punctuation', () => {
    expect(searchTerms('Côté, Hélène')).toEqual(['cote', 'helene']);
    expect(searchTerms('HELENE  cote')).toEqual(['helene', 'cote']);
    expect(searchTerms('Jean-François Œuvre')).toEqual(['jean', 'francois', 'oeuvre']);
    expect(searchTerms('ana@Example.org')).toEqual(['ana', 'example', 'org']);
    expect(searchTerms('  ,, ')).toEqual([]);
  });

  it('gives words the index can hold (a-z, 0-9) and is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const terms = searchTerms(text);
        for (const term of terms) expect(term).toMatch(/^[a-z0-9]+$/);
        expect(searchTerms(terms.join(' '))).toEqual(terms);
      }),
    );
  });
});

describe('prefixUpperBound', () => {
  it('bounds every word that starts with the prefix, and none that does not', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]{1,6}$/),
        fc.stringMatching(/^[a-z0-9]{0,6}$/),
        fc.stringMatching(/^[a-z0-9]{1,8}$/),
        (prefix, rest, other) => {
          const upper = prefixUpperBound(prefix);
          const word = prefix + rest;
          expect(word >= prefix && word < upper).toBe(true);
          if (!other.startsWith(prefix)) expect(other >= prefix && other < upper).toBe(false);
        },
      ),
    );
  });
});
