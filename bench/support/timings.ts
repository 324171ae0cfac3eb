/** Pure helpers of the benchmarks: percentiles of timings, and the gist of an EXPLAIN ANALYZE. */

export interface Summary {
  runs: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentiles (as the other benchmarks report them), rounded to the millisecond. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('no values to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]);
  return { runs: sorted.length, p50: at(0.5), p95: at(0.95), max: Math.round(sorted.at(-1)!) };
}

const ACTUAL_TIME = /actual time=[\d.]+\.\.([\d.]+) rows=[\d.]+ loops=(\d+)/;
const EXECUTION_TIME = /^Execution Time: ([\d.]+) ms/;

/**
 * The lines of a text EXPLAIN ANALYZE plan worth reading: the root, every node whose total time (last row time ×
 * loops) is at least `share` of the execution time, what says why it is slow (subplans, sorts and hashes on disk,
 * batches, rows removed by a filter), and the execution time. At most `limit` lines, in plan order.
 */
export function planGist(plan: readonly string[], share = 0.1, limit = 30): string[] {
  const execution = plan.map((line) => EXECUTION_TIME.exec(line.trim())).find(Boolean);
  const totalMs = execution ? Number(execution[1]) : null;
  const kept = plan.filter((line, i) => {
    if (i === 0 || EXECUTION_TIME.test(line.trim())) return true;
    if (/SubPlan|InitPlan|Disk|Batches: [2-9]|Batches: \d{2,}|Rows Removed by Filter: \d{6,}|external merge/.test(line))
      return true;
    const time = ACTUAL_TIME.exec(line);
    return time !== null && totalMs !== null && Number(time[1]) * Number(time[2]) >= share * totalMs;
  });
  return kept.length > limit ? [...kept.slice(0, limit - 1), kept.at(-1)!] : kept;
}

/** The execution time an EXPLAIN ANALYZE reports, in ms (null when it has none). */
export function executionMs(plan: readonly string[]): number | null {
  const match = plan.map((line) => EXECUTION_TIME.exec(line.trim())).find(Boolean);
  return match ? Number(match[1]) : null;
}
