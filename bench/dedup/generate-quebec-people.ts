/**
 * Writes a labelled Quebec people CSV for deduplication benchmarks (quebec-people.ts)
 * and prints its counts as one JSON line:
 *
 *   npx tsx bench/dedup/generate-quebec-people.ts --people 100000 --duplicate-rate 0.1 --seed 1 --out people.csv
 *   node dist/bench/dedup/generate-quebec-people.js ...   (after `npm run build`)
 *
 * Defaults: --people 10000 --duplicate-rate 0.1 --seed 1 --out quebec-people-<people>.csv
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeQuebecPeopleCsv } from './quebec-people.js';
import { cliOption } from '../support/cli.js';

async function cli(args: readonly string[]): Promise<void> {
  const people = Number(cliOption(args, 'people') ?? 10_000);
  const duplicateRate = Number(cliOption(args, 'duplicate-rate') ?? 0.1);
  const seed = Number(cliOption(args, 'seed') ?? 1);
  if (!Number.isInteger(people) || people <= 0) throw new Error('--people must be a positive integer');
  if (!(duplicateRate >= 0 && duplicateRate <= 0.75)) throw new Error('--duplicate-rate must be between 0 and 0.75');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const out = path.resolve(cliOption(args, 'out') ?? `quebec-people-${people}.csv`);
  const result = await writeQuebecPeopleCsv(out, { people, duplicateRate, seed });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
