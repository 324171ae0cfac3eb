import 'reflect-metadata';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { logger } from '@app/common';
import { writeContactsCsv } from '../import/generate-contacts-csv.js';
import { postgresVersion } from '../support/database.js';
import { machine } from '../support/measurements.js';
import { BenchFailure, countOptions, log, n, onCleanup, runBench, writeBenchmarksSection } from '../support/run.js';
import { AppStack } from '../support/stack.js';
import { summarize } from '../support/timings.js';
import { ENGAGEMENT_CSV_HEADERS, generateInteractions, toCsvLine, toGraphqlInput } from './engagement-data.js';

const SECTION_TITLE = '## Engagement (`npm run bench:engagement`)';
const BATCH = 1_000;

/** The analytics questions the issue names, with its target p95; each is asked `--repeat` times after two warm-up runs. */
const QUERIES: { name: string; query: string; variables: Record<string, unknown>; targetMs: number }[] = [
  {
    name: 'a year by month x discipline: interactions, amount, quantity',
    targetMs: 100,
    query: `query($filter: EngagementFilterInput!) { engagementStats(filter: $filter, groupBy: [DISCIPLINE], interval: MONTH) {
      rows { periodStart group { discipline } interactions amountCents quantity } totals { interactions amountCents } } }`,
    variables: { filter: { from: '2024-09-01T04:00:00Z', to: '2025-09-01T04:00:00Z' } },
  },
  {
    name: 'the same with distinct contacts',
    targetMs: 300,
    query: `query($filter: EngagementFilterInput!) { engagementStats(filter: $filter, groupBy: [DISCIPLINE], interval: MONTH) {
      rows { periodStart group { discipline } interactions uniqueContacts amountCents quantity } totals { interactions uniqueContacts } } }`,
    variables: { filter: { from: '2024-09-01T04:00:00Z', to: '2025-09-01T04:00:00Z' } },
  },
  {
    name: 'a quarter by week x type: interactions, amount, quantity',
    targetMs: 300,
    query: `query($filter: EngagementFilterInput!) { engagementStats(filter: $filter, groupBy: [TYPE], interval: WEEK) {
      rows { periodStart group { type } interactions amountCents quantity } } }`,
    variables: { filter: { from: '2025-01-01T05:00:00Z', to: '2025-04-01T04:00:00Z' } },
  },
  {
    name: 'a quarter by week x campaign: open and click rates',
    targetMs: 300,
    query: `query($filter: EngagementFilterInput!) { engagementStats(filter: $filter, groupBy: [CAMPAIGN], interval: WEEK) {
      rows { periodStart group { campaign } emailsDelivered openRate clickRate } } }`,
    variables: {
      filter: {
        from: '2025-01-01T05:00:00Z',
        to: '2025-04-01T04:00:00Z',
        types: ['EMAIL_DELIVERED', 'EMAIL_OPENED', 'EMAIL_CLICKED'],
      },
    },
  },
  {
    name: 'retention: monthly cohorts of a season, 6 months on',
    targetMs: 500,
    query: `query($filter: EngagementFilterInput!) { retention(filter: $filter, cohortInterval: MONTH, periods: 6) { cohorts { periodStart size retained } } }`,
    variables: { filter: { from: '2024-09-01T04:00:00Z', to: '2025-09-01T04:00:00Z' } },
  },
  {
    name: 'a year by month x discipline with distinct contacts, contacts of one region (Montréal)',
    targetMs: 1_000,
    query: `query($filter: EngagementFilterInput!) { engagementStats(filter: $filter, groupBy: [DISCIPLINE], interval: MONTH) {
      rows { periodStart group { discipline } interactions uniqueContacts amountCents quantity } totals { interactions uniqueContacts } } }`,
    variables: { filter: { from: '2024-09-01T04:00:00Z', to: '2025-09-01T04:00:00Z', regions: ['Montréal'] } },
  },
];

interface QueryResult {
  name: string;
  targetMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * `npm run bench:engagement [-- --contacts 1000000 --interactions 10000000 --graphql 200000 --repeat 20]`: the
 * contacts of generate-contacts-csv, then the interactions of engagement-data.ts (three seasons): all but the last
 * `--graphql` through the CSV import (POST /imports/interactions, creating the few contacts the contacts file
 * rejected), the last `--graphql` through recordInteractions in batches of 1,000 (two requests at a time); then the
 * analytics questions, timed over HTTP. API and worker run as separate processes. Prints one JSON line and replaces
 * the "Engagement" section of BENCHMARKS.md. BENCH_SMOKE=1: 1,000 contacts, 5,000 interactions (1,000 through GraphQL),
 * one timed run of each question; nothing written.
 */
async function main(): Promise<void> {
  const {
    contacts,
    interactions,
    graphql: viaGraphql,
    repeat,
  } = countOptions({
    contacts: [1_000_000, 1_000],
    interactions: [10_000_000, 5_000],
    graphql: [200_000, 1_000],
    repeat: [20, 1],
  });
  if (viaGraphql >= interactions) throw new BenchFailure('--graphql must be below --interactions');
  const work = await mkdtemp(path.join(os.tmpdir(), 'crm-bench-engagement-'));
  onCleanup(() => rm(work, { recursive: true, force: true }));

  log(`Generating ${n(contacts)} contacts and ${n(interactions)} interactions...`);
  const contactsFile = path.join(work, 'contacts.csv');
  await writeContactsCsv(contactsFile, { rows: contacts, headers: 'fr' });
  const interactionsFile = path.join(work, 'interactions.csv');
  const batches = await splitInteractions(interactionsFile, { contacts, interactions }, interactions - viaGraphql);

  // one file of every interaction but the GraphQL ones: about 100 bytes a row, more than the default IMPORT_MAX_BYTES
  const stack = await AppStack.open('crm_bench_engagement', { IMPORT_MAX_BYTES: String(8 * 1024 ** 3) });
  log('Importing the contacts...');
  await stack.importFile('/imports', contactsFile, { strategy: 'CREATE_ALL', source: 'billetterie', dedup: 'false' });
  await stack.owner.query('VACUUM (ANALYZE)');

  log(`Importing ${n(interactions - viaGraphql)} interactions from CSV...`);
  let started = performance.now();
  const csvRun = await stack.importFile('/imports/interactions', interactionsFile, {
    source: 'billetterie',
    createContacts: 'true',
    dedup: 'false',
  });
  const csvSeconds = (performance.now() - started) / 1000;

  log(`Recording ${n(viaGraphql)} interactions through recordInteractions...`);
  started = performance.now();
  const graphqlCounts = { accepted: 0, duplicates: 0, rejected: 0 };
  const send = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      const { recordInteractions } = await stack.gql<{ recordInteractions: typeof graphqlCounts }>(
        'mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted duplicates rejected } }',
        { input: batch },
      );
      for (const key of Object.keys(graphqlCounts) as (keyof typeof graphqlCounts)[])
        graphqlCounts[key] += recordInteractions[key];
    }
  };
  await Promise.all([send(), send()]);
  const graphqlSeconds = (performance.now() - started) / 1000;
  await stack.owner.query('VACUUM (ANALYZE)');

  const queries: QueryResult[] = [];
  for (const { name, query, variables, targetMs } of QUERIES) {
    log(`Timing: ${name}...`);
    const times: number[] = [];
    for (let run = -2; run < repeat; run++) {
      const start = performance.now();
      await stack.gql(query, variables);
      if (run >= 0) times.push(performance.now() - start);
    }
    const { p50, p95, max } = summarize(times);
    queries.push({ name, targetMs, p50Ms: p50, p95Ms: p95, maxMs: max });
  }
  const {
    rows: [sizes],
  } = await stack.owner.query<{ interactions: string; rollups: string; bytes: string }>(
    `SELECT (SELECT count(*) FROM interactions) AS interactions, (SELECT count(*) FROM interaction_rollups) AS rollups,
            pg_total_relation_size('interactions') AS bytes`,
  );
  const result = {
    contacts,
    interactions,
    viaCsv: interactions - viaGraphql,
    viaGraphql,
    csv: {
      seconds: round1(csvSeconds),
      perSecond: Math.round((interactions - viaGraphql) / csvSeconds),
      counts: csvRun.counts,
    },
    graphql: {
      seconds: round1(graphqlSeconds),
      perSecond: Math.round(viaGraphql / graphqlSeconds),
      counts: graphqlCounts,
    },
    stored: {
      interactions: Number(sizes.interactions),
      rollupRows: Number(sizes.rollups),
      interactionsTableMb: Math.round(Number(sizes.bytes) / 1024 / 1024),
    },
    queries,
    postgres: await postgresVersion(stack.database.ownerUrl),
    machine: machine(),
  };
  await stack.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await writeBenchmarksSection(SECTION_TITLE, report(result, repeat));
}

/**
 * Writes the first `csvRecords` generated interactions to a CSV file, streaming, and returns the others as
 * recordInteractions batches (held in memory: the GraphQL part is the small one).
 */
async function splitInteractions(
  file: string,
  options: { contacts: number; interactions: number },
  csvRecords: number,
): Promise<unknown[][]> {
  const out = createWriteStream(file);
  let chunk = stringify([[...ENGAGEMENT_CSV_HEADERS]], { delimiter: ';', record_delimiter: 'windows' });
  const batches: unknown[][] = [];
  let written = 0;
  for (const record of generateInteractions(options)) {
    if (written < csvRecords) {
      chunk += toCsvLine(record);
      if (++written % 5_000 === 0 || written === csvRecords) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
      continue;
    }
    if (!batches.length || batches.at(-1)!.length === BATCH) batches.push([]);
    batches.at(-1)!.push(toGraphqlInput(record));
  }
  out.end();
  await once(out, 'finish');
  return batches;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

function report(
  result: {
    contacts: number;
    interactions: number;
    viaCsv: number;
    viaGraphql: number;
    csv: { seconds: number; perSecond: number; counts: Record<string, unknown> };
    graphql: { seconds: number; perSecond: number; counts: Record<string, number> };
    stored: { interactions: number; rollupRows: number; interactionsTableMb: number };
    queries: QueryResult[];
    postgres: string;
    machine: ReturnType<typeof machine>;
  },
  repeat: number,
): string {
  const { machine: m } = result;
  return [
    SECTION_TITLE,
    '',
    `Command: \`npm run bench:engagement -- --contacts ${result.contacts} --interactions ${result.interactions} --graphql ${result.viaGraphql} --repeat ${repeat}\``,
    `(${new Date().toISOString().slice(0, 10)}; ${m.cpus} CPUs, ${m.cpuModel}, ${Math.round(m.ramBytes / 1024 ** 3)} GiB; ${result.postgres}; PostgreSQL queue backend; API and worker as separate processes).`,
    '',
    `Data: ${n(result.contacts)} contacts (generate-contacts-csv), ${n(result.interactions)} interactions over three seasons (bench/engagement/engagement-data.ts).`,
    `Stored: ${n(result.stored.interactions)} interactions (${n(result.stored.interactionsTableMb)} MB with indexes), ${n(result.stored.rollupRows)} rollup rows.`,
    '',
    '| Ingestion | Interactions | Seconds | Per second | Target |',
    '|---|---:|---:|---:|---:|',
    `| CSV import (\`POST /imports/interactions\`, upload included) | ${n(result.viaCsv)} | ${result.csv.seconds} | ${n(result.csv.perSecond)} | 30,000 |`,
    `| \`recordInteractions\`, batches of ${n(BATCH)}, 2 at a time | ${n(result.viaGraphql)} | ${result.graphql.seconds} | ${n(result.graphql.perSecond)} | 20,000 |`,
    '',
    `CSV import counts: \`${JSON.stringify(result.csv.counts)}\`; recordInteractions: \`${JSON.stringify(result.graphql.counts)}\`.`,
    '',
    `| Analytics query (${repeat} runs after 2 warm-up runs, over HTTP) | p50 ms | p95 ms | max ms | Target p95 |`,
    '|---|---:|---:|---:|---:|',
    ...result.queries.map((q) => `| ${q.name} | ${n(q.p50Ms)} | ${n(q.p95Ms)} | ${n(q.maxMs)} | ${n(q.targetMs)} |`),
  ].join('\n');
}

void runBench(async () => {
  logger.level = 'warn';
  await main();
});
