import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { normalizeName } from './normalize-name.util.js';

describe('normalizeName', () => {
  it.each([
    ['  Marie-Ève   Tremblay ', 'Marie-Ève Tremblay'],
    ['Jean\u00a0de\u202fla\tFontaine', 'Jean de la Fontaine'],
    ['McGill', 'McGill'],
    ['van GOGH', 'van GOGH'],
  ])('normalizes %p to %p', (input, expected) => {
    expect(normalizeName(input)).toEqual({ ok: true, value: expected });
  });

  it.each([null, undefined, '', ' \u00a0\n'])('treats %p as blank', (input) => {
    expect(normalizeName(input)).toEqual({ ok: true, value: null });
  });

  const spacedText = fc.string({ unit: fc.constantFrom('a', 'É', '-', "'", ' ', '\u00a0', '\t', '\n') });

  it('leaves no outer or repeated whitespace and keeps every other character', () => {
    fc.assert(
      fc.property(spacedText, (input) => {
        const result = normalizeName(input);
        expect(result.ok).toBe(true);
        if (!result.ok || result.value === null) return;
        expect(result.value).toBe(result.value.trim());
        expect(result.value).not.toMatch(/\s\s|[^\S ]/u);
        expect(result.value.replace(/\s/gu, '')).toBe(input.replace(/\s/gu, ''));
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(spacedText, fc.string()), (input) => {
        const first = normalizeName(input);
        if (first.ok && first.value !== null) expect(normalizeName(first.value)).toEqual(first);
      }),
    );
  });
});
