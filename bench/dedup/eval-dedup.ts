import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { logger } from '@app/common';
import { BenchFailure, log, onCleanup, runBench, SMOKE } from '../support/run.js';
import { DedupStack, round4 } from './dedup-harness.js';
import { writeQuebecPeopleCsv } from './quebec-people.js';

const USAGE = `npm run eval:dedup -- --file <csv> --truth-column <column> [--truth-pattern <regex with one group>]
    [--map header=field,...] [--link-file <csv>] [--options key=value,...]`;

/**
 * `npm run eval:dedup`: imports labelled file(s) into a fresh organization (embedded PostgreSQL, or a new database on
 * DATABASE_URL's server) through the real API and worker, runs a full dedup run without auto-merge, and prints one
 * JSON line: records, true pairs, candidate pairs, blocking recall, precision/recall/F1 at the auto-merge and review
 * thresholds, wall seconds and the worker's peak RSS. The truth column is imported as a custom attribute that matching
 * never reads; every row becomes a contact (strategy CREATE_ALL); a birth date that is not a date is kept as entered.
 * BENCH_SMOKE=1 without --file: a generated file of 300 Quebec people (bench/dedup/quebec-people.ts), truth column `person`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      'link-file': { type: 'string' },
      'truth-column': { type: 'string' },
      'truth-pattern': { type: 'string' },
      map: { type: 'string' },
      options: { type: 'string' },
    },
  });
  if (SMOKE && !values.file) {
    const work = await mkdtemp(path.join(os.tmpdir(), 'crm-eval-dedup-'));
    onCleanup(() => rm(work, { recursive: true, force: true }));
    values.file = path.join(work, 'people.csv');
    values['truth-column'] = 'person';
    await writeQuebecPeopleCsv(values.file, { people: 300, duplicateRate: 0.1, seed: 1 });
  }
  if (!values.file || !values['truth-column']) throw new BenchFailure(USAGE);
  const files = [values.file, ...(values['link-file'] ? [values['link-file']] : [])];
  const options = Object.fromEntries(
    (values.options ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
  if (values.map) options.mapping = values.map;
  const started = performance.now();

  const stack = await DedupStack.start('crm_eval_dedup');
  let rejectedRows = 0;
  for (const file of files) {
    const run = await stack.importContacts(file, values['truth-column'], options);
    rejectedRows += Number(run.counts.invalid ?? 0);
    if (run.counts.invalid)
      log(`${file}: ${Number(run.counts.invalid)} rows rejected, e.g. ${JSON.stringify(run.errors.slice(0, 3))}`);
  }
  const dedup = await stack.dedup('scope: ALL, autoMerge: false');
  const quality = await stack.quality(values['truth-pattern'] ? new RegExp(values['truth-pattern']) : null);
  const result = {
    files,
    rejectedRows,
    ...quality,
    dedupRunSeconds: round4(dedup.seconds),
    wallSeconds: round4((performance.now() - started) / 1000),
    workerPeakRssMb: dedup.workerPeakRssMb,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

logger.level = 'warn';
void runBench(main);
