import 'reflect-metadata';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { logger } from '@app/common';
import { machine } from '../support/measurements.js';
import { BenchFailure, log, n, onCleanup, runBench, SMOKE, writeBenchmarksSection } from '../support/run.js';
import { summarize } from '../support/timings.js';
import { DedupStack } from './dedup-harness.js';
import { type DedupQuality, round4 } from './held-out-sets.js';
import { writeQuebecPeopleCsv } from './quebec-people.js';

const SECTION_TITLE = '## Deduplication (`npm run bench:dedup`)';
const DUPLICATE_RATE = 0.1;
const NEW_CONTACTS = SMOKE ? 100 : 1_000;
/** Near-duplicates created one by one (createContact), then asked for their possibleDuplicates. */
const TYPED_DUPLICATES = SMOKE ? 20 : 200;
const SEED = 1;

interface SizeResult {
  contacts: number;
  importSeconds: number;
  /** the first run after the import: it writes every contact's match record and keys first (an import does not) */
  firstRun: { seconds: number; workerPeakRssMb: number; counts: Record<string, unknown> };
  full: {
    seconds: number;
    workerPeakRssMb: number;
    counts: Record<string, unknown>;
    /** where the time went, as the worker logged it (ms) */
    phases: Record<string, number>;
  };
  incremental: {
    seconds: number;
    workerPeakRssMb: number;
    counts: Record<string, unknown>;
    phases: Record<string, number>;
  };
  quality: DedupQuality;
  possibleDuplicates: PossibleDuplicatesTimes;
}

interface PossibleDuplicatesTimes {
  calls: number;
  /** createContact of a near-duplicate (its keys written in the same transaction), over HTTP */
  createP50Ms: number;
  createP95Ms: number;
  /** contact(id) { possibleDuplicates { score contact { id } } } over HTTP */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** how many of the near-duplicates listed the contact they were typed from */
  foundOriginal: number;
}

/**
 * `npm run bench:dedup [-- --sizes 10000,100000,1000000]`: for each size, the synthetic Quebec generator makes that
 * many contacts with 10% duplicates (bench/dedup/quebec-people.ts); all but the last 1,000 are imported into a fresh
 * organization (CREATE_ALL, no dedup run), a full dedup run (no auto-merge) is timed through the API and a separate
 * worker, then the last 1,000 are imported and an incremental run (CHANGED_SINCE) is timed. Quality (precision,
 * recall, F1 at both thresholds) is measured on everything the runs stored. Prints one JSON line and replaces the
 * "Deduplication" section of BENCHMARKS.md. BENCH_SMOKE=1: one size of 600 contacts (100 of them new), nothing written.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: SMOKE ? '600' : '10000,100000,1000000' } },
  });
  const sizes = values.sizes.split(',').map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size <= NEW_CONTACTS))
    throw new BenchFailure(`--sizes: integers above ${NEW_CONTACTS}`);
  const work = await mkdtemp(path.join(os.tmpdir(), 'crm-bench-dedup-'));
  onCleanup(() => rm(work, { recursive: true, force: true }));

  const results: SizeResult[] = [];
  for (const size of sizes) {
    log(`\n${n(size)} contacts: generating...`);
    const file = path.join(work, `people-${size}.csv`);
    const people = Math.round(size * (1 - DUPLICATE_RATE));
    const generated = await writeQuebecPeopleCsv(file, { people, duplicateRate: DUPLICATE_RATE, seed: SEED });
    const [existing, added] = [path.join(work, `existing-${size}.csv`), path.join(work, `added-${size}.csv`)];
    await splitLastRows(file, generated.records - NEW_CONTACTS, existing, added);

    const stack = await DedupStack.start(`crm_bench_dedup_${size}`);
    log(`  importing ${n(generated.records - NEW_CONTACTS)} contacts...`);
    const importStarted = performance.now();
    await stack.importContacts(existing, 'person');
    const importSeconds = (performance.now() - importStarted) / 1000;
    await stack.owner.query('VACUUM (ANALYZE)');

    log(`  first run (writes the match records of every imported contact)...`);
    const firstRun = await stack.dedup('scope: ALL, autoMerge: false');
    log(`  ${firstRun.seconds.toFixed(2)} s, worker peak ${firstRun.workerPeakRssMb} MB`);
    log(`  full run...`);
    const full = await stack.dedup('scope: ALL, autoMerge: false');
    log(
      `  ${full.seconds.toFixed(2)} s, worker peak ${full.workerPeakRssMb} MB, ${JSON.stringify(full.run.counts)}, ms ${JSON.stringify(full.phases)}`,
    );

    const [{ now }] = (await stack.owner.query<{ now: Date }>('SELECT now()')).rows;
    await stack.importContacts(added, 'person');
    log(`  incremental run for ${n(NEW_CONTACTS)} new contacts...`);
    const incremental = await stack.dedup(`scope: CHANGED_SINCE, since: "${now.toISOString()}", autoMerge: false`);
    log(
      `  ${incremental.seconds.toFixed(2)} s, ${JSON.stringify(incremental.run.counts)}, ms ${JSON.stringify(incremental.phases)}`,
    );

    const quality = await stack.quality(null);
    log(
      `  review F1 ${quality.review.f1}, auto-merge precision ${quality.autoMerge.precision}, blocking recall ${quality.blockingRecall}`,
    );
    results.push({
      contacts: size,
      importSeconds: round4(importSeconds),
      firstRun: {
        seconds: round4(firstRun.seconds),
        workerPeakRssMb: firstRun.workerPeakRssMb,
        counts: firstRun.run.counts,
      },
      full: {
        seconds: round4(full.seconds),
        workerPeakRssMb: full.workerPeakRssMb,
        counts: full.run.counts,
        phases: full.phases,
      },
      incremental: {
        seconds: round4(incremental.seconds),
        workerPeakRssMb: incremental.workerPeakRssMb,
        counts: incremental.run.counts,
        phases: incremental.phases,
      },
      quality,
      possibleDuplicates: await timePossibleDuplicates(stack),
    });
    await stack.close();
  }
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), machine: machine(), results })}\n`);
  await writeBenchmarksSection(SECTION_TITLE, formatSection(results));
}

/**
 * Creates TYPED_DUPLICATES near-duplicates of random contacts one by one (a letter of the last name doubled, the email's
 * local part changed, the rest kept), then asks each for its possibleDuplicates, timing both over HTTP.
 */
async function timePossibleDuplicates(stack: DedupStack): Promise<PossibleDuplicatesTimes> {
  log(`  possibleDuplicates of ${n(TYPED_DUPLICATES)} near-duplicates created one by one...`);
  const { rows } = await stack.owner.query<{
    id: string;
    firstName: string;
    lastName: string;
    email: string | null;
    phone: string | null;
    birthDate: string | null;
    city: string | null;
  }>(
    `SELECT id, first_name AS "firstName", last_name AS "lastName", email, phone, birth_date::text AS "birthDate", city
       FROM contacts WHERE org_id = $1 AND length(first_name) > 1 AND length(last_name) > 2
      ORDER BY md5(id::text) LIMIT $2`,
    [stack.orgId, TYPED_DUPLICATES],
  );
  const created: { id: string; original: string }[] = [];
  const createTimes: number[] = [];
  for (const row of rows) {
    const middle = Math.floor(row.lastName.length / 2);
    const input = {
      firstName: row.firstName,
      lastName: row.lastName.slice(0, middle) + row.lastName[middle] + row.lastName.slice(middle),
      email: row.email ? row.email.replace('@', '2@') : null,
      phone: row.phone,
      birthDate: row.birthDate,
      city: row.city,
    };
    const started = performance.now();
    const { createContact } = await stack.gql<{ createContact: { id: string } }>(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
      { input },
    );
    createTimes.push(performance.now() - started);
    created.push({ id: createContact.id, original: row.id });
  }
  const times: number[] = [];
  let foundOriginal = 0;
  for (const { id, original } of created) {
    const started = performance.now();
    const { contact } = await stack.gql<{ contact: { possibleDuplicates: { contact: { id: string } }[] } }>(
      `query($id: ID!) { contact(id: $id) { possibleDuplicates { score contact { id } } } }`,
      { id },
    );
    times.push(performance.now() - started);
    if (contact.possibleDuplicates.some((duplicate) => duplicate.contact.id === original)) foundOriginal++;
  }
  const create = summarize(createTimes);
  const asked = summarize(times);
  log(
    `  createContact p50 ${create.p50} ms, p95 ${create.p95} ms; possibleDuplicates p50 ${asked.p50} ms, p95 ${asked.p95} ms, max ${asked.max} ms; original listed ${foundOriginal}/${created.length}`,
  );
  return {
    calls: created.length,
    createP50Ms: create.p50,
    createP95Ms: create.p95,
    p50Ms: asked.p50,
    p95Ms: asked.p95,
    maxMs: asked.max,
    foundOriginal,
  };
}

/** Writes the first `keep` data rows (after the header) to `head` and the rest to `tail`, each with the header. */
async function splitLastRows(file: string, keep: number, head: string, tail: string): Promise<void> {
  const [headOut, tailOut] = [createWriteStream(head), createWriteStream(tail)];
  let row = -1;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    const text = `${line}\n`;
    const out = row < 0 ? null : row < keep ? headOut : tailOut;
    if (out) {
      if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    } else {
      headOut.write(text);
      tailOut.write(text);
    }
    row++;
  }
  await Promise.all([headOut, tailOut].map((out) => new Promise<void>((resolve) => out.end(() => resolve()))));
}

function formatSection(results: SizeResult[]): string {
  const m = machine();
  const rows = results.map(({ contacts, firstRun, full, incremental, quality }) =>
    [
      n(contacts),
      firstRun.seconds.toFixed(1),
      full.seconds.toFixed(1),
      `${full.workerPeakRssMb} MB`,
      n(Number(full.counts.pairsCompared ?? 0)),
      incremental.seconds.toFixed(2),
      quality.blockingRecall,
      quality.review.precision,
      quality.review.recall,
      quality.review.f1,
      quality.autoMerge.precision,
      quality.autoMerge.recall,
    ].join(' | '),
  );
  return [
    SECTION_TITLE,
    '',
    `Run ${new Date().toISOString().slice(0, 10)} on ${m.cpuModel} × ${m.cpus}, ${(m.ramBytes / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}; ` +
      `embedded PostgreSQL unless DATABASE_URL; queue: ${process.env.REDIS_URL ? 'Redis' : 'BullMQ PostgreSQL backend'}. ` +
      `Synthetic Quebec contacts (bench/dedup/quebec-people.ts, seed ${SEED}, ${DUPLICATE_RATE * 100}% duplicates, households and namesakes). ` +
      'First run: `startDedupRun(scope: ALL)` right after the import, over HTTP until SUCCEEDED, worker in its own process; ' +
      "it first writes every imported contact's match record and keys (an import leaves them to the next run). " +
      `Full run: the same again, match records in place, compared on ${process.env.DEDUP_THREADS ?? 2} threads (DEDUP_THREADS). Incremental: ${n(NEW_CONTACTS)} new contacts, ` +
      '`CHANGED_SINCE`. Quality over the pairs stored (clusters at each threshold), default thresholds (review 0.8, auto-merge 0.99).',
    '',
    '| contacts | first run s | full run s | worker peak RSS | pairs compared | incremental s | blocking recall | review P | review R | review F1 | auto-merge P | auto-merge R |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
    '',
    `Where the full run went (ms, as the worker logs it): ${phasesOf(results.map(({ contacts, full }) => [contacts, full.phases]))}. ` +
      `The incremental run: ${phasesOf(results.map(({ contacts, incremental }) => [contacts, incremental.phases]))}.`,
    '',
    'Targets: full run on 1,000,000 contacts ≤ 60 s with worker RSS < 1.5 GB; incremental run for 1,000 new ≤ 2 s; ' +
      'F1 ≥ 0.95 at review and precision ≥ 0.99 at auto-merge.',
    '',
    `Duplicates as they arrive: after the runs, ${n(TYPED_DUPLICATES)} near-duplicates of random contacts (a letter of the last name doubled, ` +
      "the email's local part changed) are created one by one with `createContact` (their match keys written in its transaction), " +
      'then each is read with `contact(id) { possibleDuplicates { score contact { id } } }`, over HTTP (the API process; times include it).',
    '',
    '| contacts | createContact p50 ms | p95 ms | possibleDuplicates p50 ms | p95 ms | max ms | original listed | incremental run counts |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      ({ contacts, possibleDuplicates: p, incremental }) =>
        `| ${n(contacts)} | ${p.createP50Ms} | ${p.createP95Ms} | ${p.p50Ms} | ${p.p95Ms} | ${p.maxMs} | ${p.foundOriginal}/${p.calls} | ` +
        `loaded ${n(Number(incremental.counts.loaded ?? 0))}, compared ${n(Number(incremental.counts.pairsCompared ?? 0))} |`,
    ),
    '',
    'Target: possibleDuplicates p95 ≤ 50 ms at 1,000,000 contacts.',
  ].join('\n');
}

function phasesOf(runs: [number, Record<string, number>][]): string {
  return runs
    .map(
      ([contacts, phases]) =>
        `${n(contacts)}: ${Object.entries(phases)
          .map(([phase, ms]) => `${phase} ${n(ms)}`)
          .join(', ')}`,
    )
    .join('; ');
}

logger.level = 'warn';
void runBench(main);
