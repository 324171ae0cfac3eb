import { clusterRoots } from './matcher.js';

/** Precision, recall and F1 of predicted pairs against labelled ones. */
export interface PairQuality {
  predictedPairs: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

const pairsIn = (n: number): number => (n * (n - 1)) / 2;

/** Unordered same-person pairs: the sum of n(n-1)/2 over the people. */
export function truePairCount(labels: readonly string[]): number {
  const sizes = new Map<string, number>();
  for (const label of labels) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  let pairs = 0;
  for (const size of sizes.values()) pairs += pairsIn(size);
  return pairs;
}

/**
 * Quality at a threshold: the predicted pairs are all pairs inside the clusters that linking every pair scored at or
 * above it forms (what merging would do), so a wrong link between two clusters counts every pair it joins.
 */
export function qualityAt(
  labels: readonly string[],
  pairs: readonly { a: number; b: number; score: number }[],
  threshold: number,
): PairQuality {
  const roots = clusterRoots(
    labels.length,
    (function* () {
      for (const pair of pairs) if (pair.score >= threshold) yield [pair.a, pair.b] as [number, number];
    })(),
  );
  const clusterSize = new Map<number, number>();
  const entityInCluster = new Map<string, number>();
  for (let i = 0; i < labels.length; i++) {
    clusterSize.set(roots[i], (clusterSize.get(roots[i]) ?? 0) + 1);
    const key = `${roots[i]}\u0000${labels[i]}`;
    entityInCluster.set(key, (entityInCluster.get(key) ?? 0) + 1);
  }
  let predictedPairs = 0;
  for (const size of clusterSize.values()) predictedPairs += pairsIn(size);
  let truePositives = 0;
  for (const size of entityInCluster.values()) truePositives += pairsIn(size);
  const truth = truePairCount(labels);
  const precision = predictedPairs === 0 ? 1 : truePositives / predictedPairs;
  const recall = truth === 0 ? 1 : truePositives / truth;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { predictedPairs, truePositives, precision, recall, f1 };
}
