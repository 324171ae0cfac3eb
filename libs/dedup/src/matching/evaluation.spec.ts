import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { qualityAt, truePairCount } from './evaluation.js';

describe('truePairCount', () => {
  it('counts the same-person pairs: n(n-1)/2 per person', () => {
    expect(truePairCount(['ann', 'ann', 'ann', 'bob', 'bob', 'cy'])).toBe(3 + 1 + 0);
    expect(truePairCount([])).toBe(0);
  });
});

describe('qualityAt', () => {
  // a, b: one person (p1); c: another (p2); d: p1 again, never linked
  const labels = ['p1', 'p1', 'p2', 'p1'];
  const [a, b, c] = [0, 1, 2];
  const pairs = [
    { a, b, score: 0.95 },
    { a: b, b: c, score: 0.85 },
  ];

  it('counts the false pairs the transitive closure of a chain a-b-c makes, where only a and b are one person', () => {
    // merging makes {a, b, c}: pairs a-b (true), a-c and b-c (false); the one true pair is found
    expect(qualityAt(['p1', 'p1', 'p2'], pairs, 0.8)).toEqual({
      predictedPairs: 3,
      truePositives: 1,
      precision: 1 / 3,
      recall: 1,
      f1: 0.5,
    });
  });

  it('counts every pair a wrong link joins, and the true pairs never linked', () => {
    // merging at 0.8 makes {a, b, c}: 3 pairs, one true (a-b); the truth has 3 pairs (a-b, a-d, b-d)
    expect(qualityAt(labels, pairs, 0.8)).toEqual({
      predictedPairs: 3,
      truePositives: 1,
      precision: 1 / 3,
      recall: 1 / 3,
      f1: 1 / 3,
    });
  });

  it('keeps only the links at or above the threshold', () => {
    expect(qualityAt(labels, pairs, 0.85)).toMatchObject({ predictedPairs: 3, truePositives: 1 });
    expect(qualityAt(labels, pairs, 0.9)).toEqual({
      predictedPairs: 1,
      truePositives: 1,
      precision: 1,
      recall: 1 / 3,
      f1: 0.5,
    });
  });

  it('has nothing wrong and nothing found above every score', () => {
    expect(qualityAt(labels, pairs, 0.99)).toEqual({
      predictedPairs: 0,
      truePositives: 0,
      precision: 1,
      recall: 0,
      f1: 0,
    });
  });

  it('is perfect when the links make exactly the people', () => {
    const perfect = [
      { a: 0, b: 1, score: 1 },
      { a: 3, b: 0, score: 1 },
    ];
    expect(qualityAt(labels, perfect, 0.5)).toEqual({
      predictedPairs: 3,
      truePositives: 3,
      precision: 1,
      recall: 1,
      f1: 1,
    });
    expect(qualityAt(['x', 'y'], [], 0.5)).toEqual({
      predictedPairs: 0,
      truePositives: 0,
      precision: 1,
      recall: 1,
      f1: 1,
    });
  });

  it('never finds more true pairs than it predicts or than exist; a lower threshold links at least as much', () => {
    const instance = fc.integer({ min: 2, max: 12 }).chain((size) =>
      fc.record({
        labels: fc.array(fc.constantFrom('p1', 'p2', 'p3', 'p4'), { minLength: size, maxLength: size }),
        pairs: fc.array(
          fc.record({ a: fc.nat(size - 1), b: fc.nat(size - 1), score: fc.double({ min: 0, max: 1, noNaN: true }) }),
          { maxLength: 20 },
        ),
      }),
    );
    fc.assert(
      fc.property(
        instance,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ labels: people, pairs: links }, t1, t2) => {
          const [low, high] = t1 <= t2 ? [t1, t2] : [t2, t1];
          const [loose, strict] = [qualityAt(people, links, low), qualityAt(people, links, high)];
          for (const quality of [loose, strict]) {
            expect(quality.truePositives).toBeLessThanOrEqual(quality.predictedPairs);
            expect(quality.truePositives).toBeLessThanOrEqual(truePairCount(people));
          }
          // a lower threshold links more: it finds at least as many true pairs
          expect(loose.truePositives).toBeGreaterThanOrEqual(strict.truePositives);
          expect(loose.predictedPairs).toBeGreaterThanOrEqual(strict.predictedPairs);
        },
      ),
    );
  });
});
