import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ComparisonThreads } from './comparison-threads.js';
import { type MatchRecord, toMatchRecord } from './match-record.js';
import { compareCandidates, type ComparedPairs, forEachPair, matchInput } from './matcher.js';

// the compiled worker (`npm test` builds first): Jest runs the TypeScript sources, a worker thread cannot
const COMPILED_WORKER = new URL('../../../../dist/libs/dedup/src/matching/comparison.worker.js', import.meta.url);

const FIRST = ['Marie', 'Jean', 'Luc', 'Sophie', 'Éric', 'Nathalie', 'Olena', 'Mykola', 'Anne-Marie', 'J.-F.'];
const LAST = ['Tremblay', 'Gagnon', 'Roy', 'Côté', 'Bouchard', 'Shevchenko', 'Kovalenko', 'Lavoie'];

/** Records sharing names, emails, phones and birth dates in many ways: small blocks and oversized ones. */
function records(count: number): MatchRecord[] {
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  return Array.from({ length: count }, (_, i) => {
    const [first, last] = [FIRST[next(FIRST.length)], LAST[next(LAST.length)]];
    return toMatchRecord({
      id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      firstName: next(10) === 0 ? null : first,
      lastName: last + (next(4) === 0 ? 'e' : ''),
      email: next(3) === 0 ? `${first}.${last}${next(50)}@example.org`.toLowerCase() : null,
      phone: next(3) === 0 ? `514555${String(next(400)).padStart(4, '0')}` : null,
      addressLine1: next(2) === 0 ? `${next(60)} rue ${LAST[next(LAST.length)]}` : null,
      addressLine2: null,
      city: ['Montréal', 'Québec', 'Laval'][next(3)],
      postalCode: null,
      birthDate: next(2) === 0 ? `19${50 + next(10)}-0${1 + next(9)}-1${next(10)}` : null,
    });
  });
}

const pairSet = (pairs: ComparedPairs): string[] => {
  const found: string[] = [];
  forEachPair(pairs, (a, b, pattern) => found.push(`${a}-${b}:${pattern}`));
  expect(found).toHaveLength(pairs.count);
  return found.sort();
};

describe('ComparisonThreads', () => {
  const threads = ComparisonThreads.start(3, COMPILED_WORKER)!;
  afterAll(() => threads.close());

  it('finds the same pairs, with the same patterns and per-key counts, as one thread', async () => {
    const all = matchInput(records(3_000));
    const alone = await compareCandidates(all);
    expect(alone.count).toBeGreaterThan(10_000);
    const together = await compareCandidates(all, null, threads);
    expect(pairSet(together)).toEqual(pairSet(alone));
    expect(together.perKey).toEqual(alone.perKey);

    const focus = new Uint8Array(all.table.size);
    for (let i = 0; i < all.table.size; i += 97) focus[i] = 1;
    expect(pairSet(await compareCandidates(all, focus, threads))).toEqual(pairSet(await compareCandidates(all, focus)));
  });

  it('fails the run when a worker stops, even while this thread is still comparing', async () => {
    const stops = join(tmpdir(), `stopping-${process.pid}.worker.mjs`);
    writeFileSync(
      stops,
      "import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));",
    );
    const failing = ComparisonThreads.start(2, pathToFileURL(stops))!;
    try {
      // enough records for this thread's share to outlast the worker (it yields while it compares)
      await expect(compareCandidates(matchInput(records(20_000)), null, failing)).rejects.toThrow(
        'A comparison worker stopped (3)',
      );
    } finally {
      await failing.close();
    }
  });

  it('fails the run when a worker loaded other code than this thread (files replaced since the process started)', async () => {
    const stale = ComparisonThreads.start(2, COMPILED_WORKER, 'the code of an earlier build')!;
    try {
      await expect(compareCandidates(matchInput(records(100)), null, stale)).rejects.toThrow(
        'The comparison code changed on disk since the process started',
      );
    } finally {
      await stale.close();
    }
  });

  it('compares on one thread when asked for one, or when there is no compiled worker', () => {
    expect(ComparisonThreads.start(1, COMPILED_WORKER)).toBeNull();
    expect(ComparisonThreads.start(2, new URL('./no-such.worker.js', import.meta.url))).toBeNull();
  });
});
