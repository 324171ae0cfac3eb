import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { logger } from '@app/common';
import { migrate } from '@app/database';
import {
  type BenchDatabase,
  createOrganization,
  createOwnerKey,
  openBenchDatabase,
  postgresVersion,
} from '../support/database.js';
import { type Machine, cpuBetween, cpuSnapshot, machine, sampleRss } from '../support/measurements.js';
import { API_ENTRY, appEnv, freePort, startChild, stopChild, waitUntil, WORKER_ENTRY } from '../support/processes.js';
import { type JobRunState, pollJobRun, uploadFile } from '../support/http.js';
import { BenchFailure, log, mb, n, onCleanup, runBench, SMOKE, writeBenchmarksSection } from '../support/run.js';
import { CEILING_COLUMNS, CONTACTS_CHECKSUM_SQL, writeCeilingCopyFile } from './ceiling-rows.js';
import { DEFAULT_SEED, FRENCH_HEADERS, type WriteCsvResult, writeContactsCsv } from './generate-contacts-csv.js';

/**
 * `npm run bench:import [-- --rows N] [--keep] [--no-write]`: the CSV import's
 * throughput against bare COPY, on one machine.
 *
 * 1. Generates N rows (default 1,000,000) of realistic contacts (generate-contacts-csv.ts).
 * 2. Starts a throwaway embedded PostgreSQL (or a new database on DATABASE_URL's server),
 *    migrates it, creates organization A (imported over HTTP) and B (the COPY ceiling).
 * 3. The ceiling: the same rows normalized here (untimed) into a COPY text file, then a
 *    timed bare `COPY contacts (...) FROM STDIN` into B as the owner role (indexes and the
 *    search-token trigger included: the import pays them too), and a timed COPY into an
 *    UNLOGGED table of the same columns without indexes or triggers. The contacts table
 *    is then emptied, so the import starts from the same empty table the COPY did.
 * 4. Starts the API (`dist/apps/api/src/main.js`, RUN_JOBS_IN_API=false) and the worker
 *    (`dist/apps/worker/src/main.js`) as separate child processes, samples their RSS every
 *    100 ms and reads the kernel's high-water mark (VmHWM).
 * 5. Streams the file to `POST /imports?strategy=UPSERT_BY_EXTERNAL_ID&source=bench&invalidFields=REJECT` (the
 *    ceiling rejects the invalid rows, so the import must too)
 *    (202 + jobRunId), polls `jobRun` every 100 ms until it ends. End to end = from the
 *    first byte sent to the poll that sees SUCCEEDED.
 * 6. Checks: contacts in A = rows − invalid rows; the stored values equal the ceiling's
 *    (an order-independent checksum over the columns both write).
 * Prints one JSON line on stdout and replaces the "Import" section of BENCHMARKS.md.
 * BENCH_SMOKE=1: 2,000 rows by default, nothing written.
 */

const SECTION_TITLE = '## Import (`npm run bench:import`)';
const RSS_SAMPLE_MS = 100;
const IMPORT_TIMEOUT_MS = 60 * 60_000;
const MB = 1024 * 1024;

const TARGETS = { rowsPerSecond: 100_000, copyRatio: 0.25, rssBytes: 500 * MB };

interface Args {
  rows: number;
  keep: boolean;
  write: boolean;
}

interface CopyTiming {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Cores used on average during the COPY by PostgreSQL, and by processes other than this benchmark's (null: not measurable). */
  cores: { postgres: number | null; others: number | null };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  logger.level = process.env.LOG_LEVEL ?? 'warn';
  const appPassword = randomBytes(12).toString('hex');
  const work = await mkdtemp(path.join(os.tmpdir(), 'crm-bench-import-'));
  const csvPath = path.join(work, `contacts-${args.rows}.csv`);
  onCleanup(async () => {
    if (!args.keep) return rm(work, { recursive: true, force: true });
    await rm(path.join(work, 'ceiling.copy'), { force: true });
    log(`Kept the generated file: ${csvPath}`);
  });

  log(`Generating ${n(args.rows)} rows...`);
  const csv = await writeContactsCsv(csvPath, {
    rows: args.rows,
    seed: DEFAULT_SEED,
    headers: 'fr',
    encoding: 'utf-8',
  });
  log(`  ${mb(csv.bytes)} in ${(csv.ms / 1000).toFixed(1)} s (${n(csv.noisy)} noisy, ${n(csv.invalid)} invalid rows)`);
  const expectedContacts = csv.rows - csv.invalid;

  log('Starting the database...');
  const database = await openBenchDatabase('crm_bench_import');
  onCleanup(() => database.close());
  await migrate(database.ownerUrl, appPassword);
  const owner = new pg.Client({ connectionString: database.ownerUrl, application_name: 'crm-bench-import' });
  owner.on('error', (error) => log(`Owner connection: ${error.message}`)); // e.g. the server stopped on Ctrl-C
  await owner.connect();
  onCleanup(() => owner.end());
  const pgVersion = await postgresVersion(database.ownerUrl);
  const orgA = await createOrganization(owner, 'Banc d’essai import (HTTP)');
  const orgB = await createOrganization(owner, 'Banc d’essai import (COPY)');
  const token = await createOwnerKey(owner, orgA);

  // --- The ceiling -----------------------------------------------------------------------------
  log('Normalizing the rows for the COPY ceiling (untimed)...');
  const ceilingFile = await writeCeilingCopyFile(path.join(work, 'ceiling.copy'), orgB, {
    rows: args.rows,
    seed: DEFAULT_SEED,
  });
  log(
    `  ${n(ceilingFile.rows)} rows kept, ${n(ceilingFile.rejected)} rejected, in ${(ceilingFile.ms / 1000).toFixed(1)} s`,
  );
  if (ceilingFile.rejected !== csv.invalid) {
    log(
      `  WARNING: the generator made ${n(csv.invalid)} invalid rows but normalization rejected ${n(ceilingFile.rejected)}`,
    );
  }

  const columns = CEILING_COLUMNS.join(', ');
  await owner.query('CHECKPOINT');
  log('COPY into contacts (indexes, search-token trigger)...');
  const copyContacts = await timeCopy(owner, `COPY contacts (${columns}) FROM STDIN`, ceilingFile.file, database);
  log(
    `  ${n(copyContacts.rows)} rows in ${copyContacts.seconds.toFixed(2)} s: ${n(Math.round(copyContacts.rowsPerSecond))} rows/s (other processes: ${copyContacts.cores.others?.toFixed(2) ?? 'n/a'} cores)`,
  );
  const ceilingStored = await storedSummary(owner, orgB);

  await owner.query('TRUNCATE contacts CASCADE');
  await owner.query('CREATE UNLOGGED TABLE bench_copy_bare (LIKE contacts INCLUDING DEFAULTS INCLUDING GENERATED)');
  await owner.query('CHECKPOINT');
  log('COPY into an unlogged table without indexes or triggers...');
  const copyBare = await timeCopy(owner, `COPY bench_copy_bare (${columns}) FROM STDIN`, ceilingFile.file, database);
  log(
    `  ${n(copyBare.rows)} rows in ${copyBare.seconds.toFixed(2)} s: ${n(Math.round(copyBare.rowsPerSecond))} rows/s (other processes: ${copyBare.cores.others?.toFixed(2) ?? 'n/a'} cores)`,
  );
  await owner.query('DROP TABLE bench_copy_bare');
  await rm(ceilingFile.file, { force: true });
  await owner.query('VACUUM (ANALYZE)');
  await owner.query('CHECKPOINT');

  // --- API and worker --------------------------------------------------------------------------
  const apiPort = await freePort();
  const workerPort = await freePort();
  const queueBackend = process.env.REDIS_URL ? 'Redis' : 'BullMQ PostgreSQL backend';
  const env = appEnv(database.ownerUrl, appPassword, {
    QUEUE_PREFIX: `benchimport${process.pid}`,
    PORT: String(apiPort),
    WORKER_PORT: String(workerPort),
  });
  log(`Starting the API (port ${apiPort}) and the worker (port ${workerPort}); queue: ${queueBackend}...`);
  const api = startChild('API', API_ENTRY, { ...env, RUN_JOBS_IN_API: 'false' });
  onCleanup(() => stopChild(api.child));
  const worker = startChild('worker', WORKER_ENTRY, env);
  onCleanup(() => stopChild(worker.child));
  const graphqlUrl = `http://127.0.0.1:${apiPort}/graphql`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  await waitUntil(
    api,
    async () =>
      (await fetch(graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) }))
        .status === 200,
  );
  await waitUntil(worker, async () => (await fetch(`http://127.0.0.1:${workerPort}/health`)).status === 200);
  const apiRss = sampleRss(api.child.pid ?? 0, RSS_SAMPLE_MS);
  const workerRss = sampleRss(worker.child.pid ?? 0, RSS_SAMPLE_MS);
  onCleanup(() => {
    apiRss.stop();
    workerRss.stop();
  });
  const idle = { api: apiRss.current(), worker: workerRss.current() };

  // --- The import ------------------------------------------------------------------------------
  log(`Importing over HTTP (POST /imports, ${mb(csv.bytes)} streamed)...`);
  const pids = [api.child.pid ?? 0, worker.child.pid ?? 0];
  const cpuBefore = await cpuSnapshot(pids, database);
  const started = performance.now();
  const uploadUrl = new URL(
    `http://127.0.0.1:${apiPort}/imports?strategy=UPSERT_BY_EXTERNAL_ID&source=bench&invalidFields=REJECT`,
  );
  const upload = await uploadFile(uploadUrl, csvPath, csv.bytes, token);
  const uploadSeconds = (performance.now() - started) / 1000;
  let jobRunId: string | undefined;
  try {
    jobRunId = (JSON.parse(upload.body) as { jobRunId?: string }).jobRunId;
  } catch {
    // reported below
  }
  if (upload.status !== 202 || !jobRunId) {
    throw new BenchFailure(
      `POST /imports answered HTTP ${upload.status} (expected 202 with a jobRunId):\n${upload.body.slice(0, 4000)}\n--- API output ---\n${api.output()}`,
    );
  }
  log(`  202 after ${uploadSeconds.toFixed(2)} s, job run ${jobRunId}`);

  const final = await pollJobRun(graphqlUrl, headers, jobRunId, [api, worker], IMPORT_TIMEOUT_MS);
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuSnapshot(pids, database);
  const peak = { api: apiRss.peak(), worker: workerRss.peak() };
  const {
    rows: [run],
  } = await owner.query<{ running: number }>(
    `SELECT extract(epoch FROM finished_at - started_at)::float8 AS running FROM job_runs WHERE org_id = $1 AND id = $2`,
    [orgA, jobRunId],
  );
  const imported = await storedSummary(owner, orgA);
  await stopChild(worker.child);
  await stopChild(api.child);

  const {
    processes: [apiCpu, workerCpu],
    postgres: postgresCpu,
    others: othersCpu,
  } = cpuBetween(cpuBefore, cpuAfter);
  const cpu = { api: apiCpu, worker: workerCpu, postgres: postgresCpu, others: othersCpu };
  const succeeded = final.status === 'SUCCEEDED';
  const checks = {
    contactsEqualRowsMinusInvalid: imported.contacts === expectedContacts,
    jobInvalidEqualsGenerated: Number(final.counts.invalid) === csv.invalid,
    sameValuesAsCeiling: imported.contacts === ceilingStored.contacts && imported.checksum === ceilingStored.checksum,
    sameSearchTokensAsCeiling: imported.searchTokens === ceilingStored.searchTokens,
  };
  const importRowsPerSecond = csv.rows / seconds;
  const result = {
    benchmark: 'import',
    date: new Date().toISOString(),
    rows: csv.rows,
    fileBytes: csv.bytes,
    noisyRows: csv.noisy,
    invalidRows: csv.invalid,
    expectedContacts,
    status: final.status,
    jobRunId,
    importSeconds: round(seconds, 2),
    importRowsPerSecond: Math.round(importRowsPerSecond),
    uploadSeconds: round(uploadSeconds, 2),
    workerSeconds: round(run?.running ?? NaN, 2),
    copyContacts: {
      ...copyContacts,
      seconds: round(copyContacts.seconds, 2),
      rowsPerSecond: Math.round(copyContacts.rowsPerSecond),
    },
    copyUnloggedBare: {
      ...copyBare,
      seconds: round(copyBare.seconds, 2),
      rowsPerSecond: Math.round(copyBare.rowsPerSecond),
    },
    // Same stored rows on both sides: the ratio of the times is the ratio of the rates.
    ratioToCopyContacts: round(copyContacts.seconds / seconds, 3),
    ratioToCopyUnlogged: round(copyBare.seconds / seconds, 3),
    peakRssBytes: peak,
    idleRssBytes: idle,
    // During the import; `others`: processes that are not the API, the worker, PostgreSQL or this benchmark.
    cpuSeconds: {
      api: round(cpu.api, 1),
      worker: round(cpu.worker, 1),
      postgres: nullable(cpu.postgres, 1),
      others: nullable(cpu.others, 1),
    },
    counts: final.counts,
    firstErrors: final.errors.slice(0, 5),
    contactsInOrg: imported.contacts,
    externalIdsInOrg: imported.externalIds,
    searchTokens: { import: imported.searchTokens, ceiling: ceilingStored.searchTokens },
    checks,
    machine: machine(),
    node: process.version,
    postgres: pgVersion,
    database: database.embedded
      ? 'embedded, as `npm start` runs it (shared_buffers 512 MB)'
      : `DATABASE_URL's server ${database.host}:${database.port}, fresh database ${database.name}`,
    queue: queueBackend,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);

  log('');
  log(
    `Import: ${final.status} in ${seconds.toFixed(2)} s = ${n(Math.round(importRowsPerSecond))} rows/s (upload ${uploadSeconds.toFixed(2)} s, worker ${(run?.running ?? NaN).toFixed(2)} s)`,
  );
  log(
    `Contacts in organization A: ${n(imported.contacts)} (expected ${n(expectedContacts)} = ${n(csv.rows)} rows − ${n(csv.invalid)} invalid)`,
  );
  log(`Job counts: ${JSON.stringify(final.counts)}`);
  log(
    `COPY contacts: ${n(Math.round(copyContacts.rowsPerSecond))} rows/s; unlogged bare: ${n(Math.round(copyBare.rowsPerSecond))} rows/s; ratio ${result.ratioToCopyContacts} / ${result.ratioToCopyUnlogged}`,
  );
  log(`Peak RSS: API ${mb(peak.api)}, worker ${mb(peak.worker)}`);
  log(`CPU during the import (s): ${JSON.stringify(result.cpuSeconds)}`);
  log(`Checks: ${JSON.stringify(checks)}`);
  if (!succeeded) {
    log(
      `The import ${final.status}: ${final.errors
        .map((e) => `${e.line ?? '-'}: ${e.message}`)
        .slice(0, 10)
        .join(' | ')}`,
    );
    log(`--- worker output ---\n${worker.output()}`);
    return 1;
  }

  if (args.write) {
    const section = formatSection({
      args,
      csv,
      result,
      seconds,
      copyContacts,
      copyBare,
      peak,
      idle,
      cpu,
      checks,
      final,
      imported,
      run,
      uploadSeconds,
    });
    await writeBenchmarksSection(SECTION_TITLE, section);
  }
  return Object.values(checks).every(Boolean) ? 0 : 1;
}

// --- Arguments ----------------------------------------------------------------------------------

function parseArgs(argv: string[]): Args {
  const args: Args = { rows: SMOKE ? 2_000 : 1_000_000, keep: false, write: !SMOKE };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--keep') args.keep = true;
    else if (arg === '--no-write') args.write = false;
    else if (arg === '--rows' || arg.startsWith('--rows=')) {
      const raw = arg === '--rows' ? argv[++i] : arg.slice('--rows='.length);
      const rows = Number(raw?.replace(/_/g, ''));
      if (!Number.isInteger(rows) || rows <= 0)
        throw new BenchFailure(`--rows must be a positive integer, got "${raw}"`);
      args.rows = rows;
    } else throw new BenchFailure(`Unknown argument "${arg}" (expected --rows N, --keep, --no-write)`);
  }
  return args;
}

// --- Database -----------------------------------------------------------------------------------

/** A bare COPY of the file's lines, timed from the first byte sent to PostgreSQL's answer. */
async function timeCopy(client: pg.Client, sql: string, file: string, database: BenchDatabase): Promise<CopyTiming> {
  const before = await cpuSnapshot([], database);
  const started = performance.now();
  const stream = client.query(copyFrom(sql));
  await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), stream);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuBetween(before, await cpuSnapshot([], database));
  return {
    rows: stream.rowCount,
    seconds,
    rowsPerSecond: stream.rowCount / seconds,
    cores: {
      postgres: cpu.postgres === null ? null : cpu.postgres / seconds,
      others: cpu.others === null ? null : cpu.others / seconds,
    },
  };
}

async function storedSummary(
  client: pg.Client,
  orgId: string,
): Promise<{ contacts: number; checksum: string; searchTokens: number; externalIds: number }> {
  const {
    rows: [sum],
  } = await client.query<{ n: string; sum: string }>(CONTACTS_CHECKSUM_SQL, [orgId]);
  const {
    rows: [other],
  } = await client.query<{ tokens: string; ext: string }>(
    `SELECT (SELECT count(*) FROM contact_search_tokens WHERE org_id = $1) AS tokens,
            (SELECT count(*) FROM contact_external_ids WHERE org_id = $1) AS ext`,
    [orgId],
  );
  return {
    contacts: Number(sum.n),
    checksum: sum.sum,
    searchTokens: Number(other.tokens),
    externalIds: Number(other.ext),
  };
}

// --- HTTP ---------------------------------------------------------------------------------------

// --- Report -------------------------------------------------------------------------------------

function formatSection(input: {
  args: Args;
  csv: WriteCsvResult;
  result: {
    ratioToCopyContacts: number;
    ratioToCopyUnlogged: number;
    date: string;
    postgres: string;
    database: string;
    queue: string;
    machine: Machine;
  };
  seconds: number;
  copyContacts: CopyTiming;
  copyBare: CopyTiming;
  peak: { api: number; worker: number };
  idle: { api: number; worker: number };
  cpu: { api: number; worker: number; postgres: number | null; others: number | null };
  checks: Record<string, boolean>;
  final: JobRunState;
  imported: { contacts: number; externalIds: number; searchTokens: number };
  run: { running: number } | undefined;
  uploadSeconds: number;
}): string {
  const { args, csv, result, seconds, cpu, checks } = input;
  const { copyContacts, copyBare, peak, idle, final, imported, run, uploadSeconds } = input;
  const m = result.machine;
  const command = args.rows === 1_000_000 ? 'npm run bench:import' : `npm run bench:import -- --rows ${args.rows}`;
  const stored = csv.rows - csv.invalid;
  const yes = (ok: boolean) => (ok ? 'met' : '**not met**');
  const rate = (value: number) => n(Math.round(value));
  const cores = (cpuSeconds: number | null) =>
    cpuSeconds === null ? 'n/a' : `${cpuSeconds.toFixed(1)} s (${(cpuSeconds / seconds).toFixed(2)} cores)`;
  const perCopy = (copy: CopyTiming) =>
    `${copy.cores.postgres === null ? 'n/a' : copy.cores.postgres.toFixed(2)} / ${copy.cores.others === null ? 'n/a' : copy.cores.others.toFixed(2)}`;
  const importOthers = cpu.others === null ? 'n/a' : (cpu.others / seconds).toFixed(2);
  const importPostgres = cpu.postgres === null ? 'n/a' : (cpu.postgres / seconds).toFixed(2);
  return [
    SECTION_TITLE,
    '',
    'How fast a CSV import goes end to end (HTTP upload, queue, worker, database) against a bare',
    '`COPY` of the same rows, already normalized, into the same table. The code is in',
    '[`bench/import/`](bench/import/); this section is rewritten by each run (`--no-write` leaves it alone).',
    '',
    '```sh',
    'npm run bench:import                      # builds, then: node dist/bench/import/bench-import.js (1,000,000 rows)',
    'npm run bench:import -- --rows 100000     # smaller; --keep keeps the generated CSV, --no-write leaves this file alone',
    'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:import   # a new database there, dropped at the end',
    '```',
    '',
    'What the script does: generates the file (`generate-contacts-csv.ts`, seeded: French and English',
    'names with accents, Quebec addresses with matching postal codes, phones in several formats,',
    'emails from the names, a unique `No client`; one row in 10 with formatting noise, one in 100',
    'invalid: an email without `@`, a phone missing a digit or an impossible date); starts a',
    'throwaway embedded PostgreSQL; normalizes the rows in the benchmark process (untimed) and times',
    'a bare `COPY contacts (...) FROM STDIN` as the owner role, indexes and the search-token trigger',
    'included, then the same COPY into an unlogged table without indexes or triggers; empties',
    '`contacts` again; starts the API and the worker as two child processes (the API does not run',
    'jobs); streams the file to `POST /imports?strategy=UPSERT_BY_EXTERNAL_ID&source=bench&invalidFields=REJECT` and polls',
    '`jobRun` every 100 ms. End to end is from the first byte of the upload to the poll that sees',
    "`SUCCEEDED`. Peak RSS is the kernel's high-water mark (VmHWM) of each process, start-up included.",
    '',
    `### Last run (${result.date.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `- Command: \`${command}\``,
    `- File: ${n(csv.rows)} rows, ${n(csv.bytes)} bytes (${mb(csv.bytes)}), UTF-8, \`;\`, French headers (\`${FRENCH_HEADERS.join(';')}\`); ` +
      `${n(csv.noisy)} rows with noise, ${n(csv.invalid)} invalid (${n(csv.invalidByReason.email)} emails, ${n(csv.invalidByReason.phone)} phones, ${n(csv.invalidByReason.date)} dates)`,
    `- Machine: ${m.cpuModel} × ${m.cpus} (nproc), ${(m.ramBytes / 1024 ** 3).toFixed(1)} GiB RAM, ${m.kernel}; Node ${process.version}`,
    `- Database: ${result.postgres} (${result.database}); queue: ${result.queue}; API, worker, PostgreSQL and the benchmark share the machine`,
    '',
    '| Load | rows | seconds | rows/s | PostgreSQL / other processes (cores) |',
    '|---|--:|--:|--:|--:|',
    `| **Import end to end** (HTTP upload → \`SUCCEEDED\`) | ${n(csv.rows)} read, ${n(imported.contacts)} stored | ${seconds.toFixed(2)} | **${rate(csv.rows / seconds)}** | ${importPostgres} / ${importOthers} |`,
    `| — of which the upload (first byte → 202) | | ${uploadSeconds.toFixed(2)} | | |`,
    `| — of which the worker (job started → finished) | | ${run ? run.running.toFixed(2) : 'n/a'} | | |`,
    `| Ceiling: bare \`COPY\` into \`contacts\` (indexes + search-token trigger) | ${n(copyContacts.rows)} | ${copyContacts.seconds.toFixed(2)} | ${rate(copyContacts.rowsPerSecond)} | ${perCopy(copyContacts)} |`,
    `| Bare \`COPY\` into an unlogged table, no index, no trigger | ${n(copyBare.rows)} | ${copyBare.seconds.toFixed(2)} | ${rate(copyBare.rowsPerSecond)} | ${perCopy(copyBare)} |`,
    '',
    `- Ratio to the ceiling (same ${n(stored)} stored rows, so time over time): **${result.ratioToCopyContacts.toFixed(3)}** of COPY into \`contacts\`, ${result.ratioToCopyUnlogged.toFixed(3)} of COPY into the unlogged table.`,
    `- Peak RSS: API **${mb(peak.api)}** (${mb(idle.api)} idle before the upload), worker **${mb(peak.worker)}** (${mb(idle.worker)} idle).`,
    `- CPU during the import: API ${cores(cpu.api)}, worker ${cores(cpu.worker)}, PostgreSQL ${cores(cpu.postgres)}, other processes on the machine ${cores(cpu.others)}` +
      " (work that is not this benchmark's: above ~0.1 core, the figures are disturbed).",
    `- Job counts: \`${JSON.stringify(final.counts)}\`; contacts in the organization: ${n(imported.contacts)} (rows − invalid = ${n(stored)}), external ids: ${n(imported.externalIds)}.`,
    `- Checks: contacts = rows − invalid: ${checks.contactsEqualRowsMinusInvalid ? 'yes' : '**no**'}; job's invalid count = generated: ${checks.jobInvalidEqualsGenerated ? 'yes' : '**no**'}; ` +
      `stored values identical to the ceiling's (checksum): ${checks.sameValuesAsCeiling ? 'yes' : '**no**'}; same search tokens: ${checks.sameSearchTokensAsCeiling ? 'yes' : '**no**'}.`,
    '',
    '| Target (issue 3, 2 cores) | Measured | Met? |',
    '|---|---|:-:|',
    `| ≥ 100,000 rows/s end to end | ${rate(csv.rows / seconds)} rows/s | ${yes(csv.rows / seconds >= TARGETS.rowsPerSecond)} |`,
    `| ≥ 0.25 of bare COPY | ${result.ratioToCopyContacts.toFixed(3)} (into \`contacts\`) | ${yes(result.ratioToCopyContacts >= TARGETS.copyRatio)} |`,
    `| Peak RSS < 500 MB | API ${mb(peak.api)}, worker ${mb(peak.worker)} | ${yes(Math.max(peak.api, peak.worker) < TARGETS.rssBytes)} |`,
    '',
    'Jobs per second for 10,000 tiny jobs on each queue backend: `npm run bench:jobs`, in',
    '"Queue backends" above.',
  ].join('\n');
}

function nullable(value: number | null, digits: number): number | null {
  return value === null ? null : round(value, digits);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

await runBench(main);
