import type { Rng } from '@app/fixtures';

/** Items with weights, picked by one uniform draw and a binary search over the running totals. */
export class Weighted<T> {
  readonly items: readonly T[];
  private readonly totals: Float64Array;
  constructor(pairs: readonly (readonly [T, number])[]) {
    const kept = pairs.filter(([, weight]) => weight > 0);
    if (kept.length === 0) throw new Error('a weighted list needs a positive weight');
    this.items = kept.map(([item]) => item);
    this.totals = new Float64Array(kept.length);
    let total = 0;
    kept.forEach(([, weight], i) => (this.totals[i] = total += weight));
  }
  pick(rng: Rng): T {
    return this.items[searchTotals(this.totals, this.totals.length, rng.float() * this.totals[this.totals.length - 1])];
  }
}

/** The first index among `count` running totals that exceeds `roll`. */
export function searchTotals(totals: Float64Array, count: number, roll: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (totals[mid] > roll) high = mid;
    else low = mid + 1;
  }
  return low;
}
