import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { logger } from '@app/common';
import type { JobRunState } from '../support/http.js';
import { BenchFailure, log, n, onCleanup, ROOT, runBench, SMOKE } from '../support/run.js';
import { DedupStack } from './dedup-harness.js';
import { type DedupQuality, round4 } from './held-out-sets.js';
import {
  FEBRL_MAPPING,
  FEBRL_TRUTH_COLUMN,
  FEBRL_TRUTH_PATTERN,
  HELD_OUT_KINDS,
  type HeldOutKind,
} from './held-out-sets.js';
import { writeHeldOutCsv } from './held-out-support.js';
import { writeQuebecPeopleCsv } from './quebec-people.js';

const USAGE = `npm run eval:dedup -- --file <csv> --truth-column <column> [--truth-pattern <regex with one group>]
    [--map header=field,...] [--link-file <csv>] [--options key=value,...]
npm run eval:dedup -- --suite [--febrl-dir <dir>] [--only <set name prefixes,...>] [--out <file.jsonl>]`;

/**
 * `npm run eval:dedup`: imports labelled file(s) into a fresh organization (embedded PostgreSQL, or a new database on
 * DATABASE_URL's server) through the real API and worker, runs a full dedup run without auto-merge, and prints one
 * JSON line: records, true pairs, candidate pairs, blocking recall, precision/recall/F1 at the auto-merge and review
 * thresholds, wall seconds and the worker's peak RSS. The truth column is imported as a custom attribute that matching
 * never reads; every row becomes a contact (strategy CREATE_ALL); a birth date that is not a date is kept as entered.
 * BENCH_SMOKE=1 without --file: a generated file of 300 Quebec people (bench/dedup/quebec-people.ts), truth column `person`.
 *
 * `--suite` (also `npm run eval:dedup:suite`): every labelled set at hand, each in a fresh organization of one stack:
 * FEBRL 1–4 from --febrl-dir (default ../shared/data/febrl from the repository, or EVAL_FEBRL_DIR; skipped with a
 * notice when absent), the Quebec generator, and the held-out generators (people, historical, translit) at a tuning
 * seed and a report seed. One JSON line per set (also appended to --out), then one Markdown table. `--only people,
 * febrl` runs the sets whose names start so. BENCH_SMOKE=1: a few hundred records a set, FEBRL 1 only.
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
      suite: { type: 'boolean', default: false },
      'febrl-dir': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.suite) return suite(values['febrl-dir'], values.only, values.out);
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
    logRejectedRows(file, run);
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

// --- The suite -----------------------------------------------------------------------------------

/** One labelled set of the suite: the file(s) it imports, how their columns map, where its truth is. */
interface SuiteSet {
  name: string;
  kind: string;
  /** tuning: the seed a tuning loop may look at; report: seeds it must not (the figures to publish) */
  role: 'tuning' | 'report' | 'public';
  /** Writes the set's file(s) into `dir` (or names existing ones). */
  files(dir: string): Promise<string[]>;
  truthColumn: string;
  truthPattern: RegExp | null;
  mapping?: string;
}

/** Sizes: full, and BENCH_SMOKE=1 (a few hundred records each). */
const SIZES = SMOKE
  ? { quebecPeople: 150, people: 200, historical: 200, translit: 200 }
  : { quebecPeople: 20_000, people: 5_000, historical: 50_000, translit: 15_000 };
const TUNING_SEED = 1;
const REPORT_SEEDS = [2];

const KIND_LABELS: Record<HeldOutKind, string> = {
  people: 'synthetic people, ~4 records/person, typos, swaps, missing values, email variants',
  historical: 'historical people, up to 21 records/person, nicknames, titles, date errors, namesakes',
  translit: 'foreign-born residents, transliterated names, heavy corruption',
};

function suiteSets(febrlDir: string): SuiteSet[] {
  const sets: SuiteSet[] = [];
  if (existsSync(febrlDir)) {
    const febrl = (name: string, files: string[]): SuiteSet => ({
      name,
      kind: 'FEBRL',
      role: 'public',
      files: () => Promise.resolve(files.map((file) => path.join(febrlDir, file))),
      truthColumn: FEBRL_TRUTH_COLUMN,
      truthPattern: FEBRL_TRUTH_PATTERN,
      mapping: FEBRL_MAPPING,
    });
    sets.push(febrl('FEBRL 1', ['dataset1.csv']));
    if (!SMOKE) {
      sets.push(febrl('FEBRL 2', ['dataset2.csv']), febrl('FEBRL 3', ['dataset3.csv']));
      sets.push(febrl('FEBRL 4 (4a + 4b, link)', ['dataset4a.csv', 'dataset4b.csv']));
    }
  } else log(`FEBRL skipped: ${febrlDir} not found (--febrl-dir <dir>)`);
  sets.push({
    name: `Quebec generator (${n(SIZES.quebecPeople)} people, seed 1)`,
    kind: 'quebec',
    role: 'tuning',
    files: async (dir) => {
      const file = path.join(dir, 'quebec.csv');
      await writeQuebecPeopleCsv(file, { people: SIZES.quebecPeople, duplicateRate: 0.1, seed: 1 });
      return [file];
    },
    truthColumn: 'person',
    truthPattern: null,
  });
  for (const kind of Object.keys(HELD_OUT_KINDS) as HeldOutKind[]) {
    for (const seed of [TUNING_SEED, ...REPORT_SEEDS]) {
      const role = seed === TUNING_SEED ? 'tuning' : 'report';
      sets.push({
        name: `${kind} (${role}, seed ${seed})`,
        kind,
        role,
        files: async (dir) => {
          const file = path.join(dir, `${kind}-${seed}.csv`);
          await writeHeldOutCsv(file, HELD_OUT_KINDS[kind]({ records: SIZES[kind], seed }));
          return [file];
        },
        truthColumn: 'person',
        truthPattern: null,
      });
    }
  }
  return sets;
}

interface SuiteResult extends DedupQuality {
  set: string;
  kind: string;
  role: string;
  rejectedRows: number;
  importSeconds: number;
  dedupRunSeconds: number;
  workerPeakRssMb: number;
}

const fixed = (value: number) => value.toFixed(3);

function suiteTable(results: readonly SuiteResult[]): string {
  const header =
    '| set | kind | records | true pairs | candidate pairs | blocking recall | pairs first found per key (true pairs agreeing) | review P / R / F1 | auto-merge P / R | rejected rows | run s |';
  const rows = results.map((r) =>
    [
      r.set,
      r.kind,
      n(r.records),
      n(r.truePairs),
      n(r.candidatePairs),
      fixed(r.blockingRecall),
      Object.entries(r.perKey)
        .filter(([key, pairs]) => pairs > 0 || (r.keyRecall[key] ?? 0) > 0)
        .map(([key, pairs]) => `${key} ${n(pairs)} (${fixed(r.keyRecall[key] ?? 0)})`)
        .join('; '),
      `${fixed(r.review.precision)} / ${fixed(r.review.recall)} / **${fixed(r.review.f1)}**`,
      `${fixed(r.autoMerge.precision)} / ${fixed(r.autoMerge.recall)}`,
      n(r.rejectedRows),
      r.dedupRunSeconds.toFixed(1),
    ].join(' | '),
  );
  const align = ['---', '---', '--:', '--:', '--:', '--:', '---', '--:', '--:', '--:', '--:'];
  return [header, `|${align.join('|')}|`, ...rows.map((row) => `| ${row} |`)].join('\n');
}

/**
 * `--suite`: every labelled set in turn, each in a fresh organization of one stack (the real import, a full dedup run
 * without auto-merge, quality read back), one JSON line per set on stdout (and in --out), then one Markdown table.
 * Held-out kinds run at a tuning seed and a report seed: tune on the first, publish the second.
 */
async function suite(
  febrlDirOption: string | undefined,
  only: string | undefined,
  out: string | undefined,
): Promise<void> {
  const febrlDir = path.resolve(ROOT, febrlDirOption ?? process.env.EVAL_FEBRL_DIR ?? '../shared/data/febrl');
  const filters =
    only
      ?.split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean) ?? [];
  const sets = suiteSets(febrlDir).filter(
    (set) => filters.length === 0 || filters.some((filter) => set.name.toLowerCase().startsWith(filter)),
  );
  if (sets.length === 0) throw new BenchFailure(`--only ${only}: no set of the suite matches`);
  const work = await mkdtemp(path.join(os.tmpdir(), 'crm-eval-suite-'));
  onCleanup(() => rm(work, { recursive: true, force: true }));
  if (out) await writeFile(out, '');

  const stack = await DedupStack.start('crm_eval_suite');
  const results: SuiteResult[] = [];
  for (const [i, set] of sets.entries()) {
    if (i > 0) await stack.newOrganization(`eval ${set.name}`);
    log(`${set.name}: importing`);
    const files = await set.files(work);
    const importStarted = performance.now();
    let rejectedRows = 0;
    for (const file of files) {
      const run = await stack.importContacts(file, set.truthColumn, set.mapping ? { mapping: set.mapping } : {});
      rejectedRows += Number(run.counts.invalid ?? 0);
      logRejectedRows(`  ${path.basename(file)}`, run);
    }
    const importSeconds = (performance.now() - importStarted) / 1000;
    const dedup = await stack.dedup('scope: ALL, autoMerge: false');
    const quality = await stack.quality(set.truthPattern);
    const result: SuiteResult = {
      set: set.name,
      kind: set.kind,
      role: set.role,
      ...quality,
      rejectedRows,
      importSeconds: round4(importSeconds),
      dedupRunSeconds: round4(dedup.seconds),
      workerPeakRssMb: dedup.workerPeakRssMb,
    };
    results.push(result);
    const line = `${JSON.stringify(result)}\n`;
    process.stdout.write(line);
    if (out) await appendFile(out, line);
    log(`${set.name}: blocking recall ${quality.blockingRecall}, review F1 ${quality.review.f1}`);
  }
  const kinds = [...new Set(results.map((r) => r.kind))]
    .filter((kind): kind is HeldOutKind => kind in KIND_LABELS)
    .map((kind) => `- ${kind}: ${KIND_LABELS[kind]}`);
  process.stdout.write(`\n${suiteTable(results)}\n\n${kinds.join('\n')}\n`);
}

/** How many rows an import refused, and a few of its reasons (not the notes of fields it imported empty). */
function logRejectedRows(file: string, run: JobRunState): void {
  if (!run.counts.invalid) return;
  const refused = run.errors.filter((error) => !error.message.startsWith('imported without ')).slice(0, 3);
  log(`${file}: ${Number(run.counts.invalid)} rows rejected, e.g. ${JSON.stringify(refused)}`);
}

logger.level = 'warn';
void runBench(main);
