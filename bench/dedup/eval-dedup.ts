import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { logger } from '@app/common';
import { migrate } from '@app/database';
import { compareCandidates } from '../../libs/dedup/src/matching/matcher.js';
import { type ContactToMatch, toMatchRecord } from '../../libs/dedup/src/matching/match-record.js';
import { qualityAt, truePairCount } from '../../libs/dedup/src/matching/evaluation.js';
import { createOrganization, createOwnerKey, openBenchDatabase } from '../support/database.js';
import { pollJobRun, uploadFile } from '../support/http.js';
import { sampleRss } from '../support/measurements.js';
import { API_ENTRY, appEnv, type Child, freePort, startChild, stopChild, waitUntil, WORKER_ENTRY } from '../support/processes.js';
import { BenchFailure, log, onCleanup, runBench } from '../support/run.js';

const USAGE = `npm run eval:dedup -- --file <csv> --truth-column <column> [--truth-pattern <regex with one group>]
    [--map header=field,...] [--link-file <csv>] [--options key=value,...]`;
const TRUTH_ATTRIBUTE = 'eval_truth';
const JOB_TIMEOUT_MS = 60 * 60_000;

/**
 * `npm run eval:dedup`: imports labelled file(s) into a fresh organization (embedded PostgreSQL, or a new database on
 * DATABASE_URL's server) through the real API and worker, runs a full dedup run without auto-merge, and prints one
 * JSON line: records, true pairs, candidate pairs, blocking recall, precision/recall/F1 at the auto-merge and review
 * thresholds, wall seconds and the worker's peak RSS. The truth column is imported as a custom attribute that matching
 * never reads; every row becomes a contact (strategy CREATE_ALL), bad birth dates are kept as entered.
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
  if (!values.file || !values['truth-column']) throw new BenchFailure(USAGE);
  const truthPattern = values['truth-pattern'] ? new RegExp(values['truth-pattern']) : null;
  const files = [values.file, ...(values['link-file'] ? [values['link-file']] : [])];
  const mapping = [`${values['truth-column']}=attributes.${TRUTH_ATTRIBUTE}`, ...(values.map ? values.map.split(',') : [])].join(',');
  const extra = Object.fromEntries((values.options ?? '').split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
  const started = performance.now();

  const appPassword = randomBytes(12).toString('hex');
  const database = await openBenchDatabase('crm_eval_dedup');
  onCleanup(() => database.close());
  await migrate(database.ownerUrl, appPassword);
  const owner = new pg.Client({ connectionString: database.ownerUrl, application_name: 'crm-eval-dedup' });
  await owner.connect();
  onCleanup(() => owner.end());
  const orgId = await createOrganization(owner, 'Évaluation dédoublonnage');
  const token = await createOwnerKey(owner, orgId);

  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const env = appEnv(database.ownerUrl, appPassword, { QUEUE_PREFIX: `evaldedup${process.pid}`, PORT: String(apiPort), WORKER_PORT: String(workerPort) });
  const api = startChild('API', API_ENTRY, { ...env, RUN_JOBS_IN_API: 'false' });
  onCleanup(() => stopChild(api.child));
  const worker = startChild('worker', WORKER_ENTRY, env);
  onCleanup(() => stopChild(worker.child));
  const graphqlUrl = `http://127.0.0.1:${apiPort}/graphql`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const gql = async (query: string, variables: Record<string, unknown> = {}): Promise<any> => {
    const body = (await (await fetch(graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query, variables }) })).json()) as { data: any; errors?: unknown[] };
    if (body.errors) throw new BenchFailure(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  await waitUntil(api, async () => (await fetch(graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) })).status === 200);
  await waitUntil(worker, async () => (await fetch(`http://127.0.0.1:${workerPort}/health`)).status === 200);
  await gql(`mutation($input: DefineAttributeInput!) { defineAttribute(input: $input) { key } }`, {
    input: { key: TRUTH_ATTRIBUTE, label: 'Evaluation truth label', type: 'TEXT' },
  });

  let rejectedRows = 0;
  for (const file of files) {
    const options = new URLSearchParams({ strategy: 'CREATE_ALL', dedup: 'false', keepBadDates: 'true', mapping, ...extra });
    const upload = await uploadFile(new URL(`http://127.0.0.1:${apiPort}/imports?${options.toString()}`), file, (await stat(file)).size, token);
    if (upload.status !== 202) throw new BenchFailure(`POST /imports answered ${upload.status}: ${upload.body}`);
    const run = await pollJobRun(graphqlUrl, headers, (JSON.parse(upload.body) as { jobRunId: string }).jobRunId, [api, worker], JOB_TIMEOUT_MS);
    if (run.status !== 'SUCCEEDED') throw new BenchFailure(`Import of ${file} ${run.status}: ${JSON.stringify(run.errors.slice(0, 5))}`);
    rejectedRows += Number(run.counts.invalid ?? 0);
    if (run.counts.invalid) log(`${file}: ${String(run.counts.invalid)} rows rejected, e.g. ${JSON.stringify(run.errors.slice(0, 3))}`);
  }

  const workerRss = sampleRss(worker.child.pid ?? 0, 100);
  onCleanup(() => workerRss.stop());
  const dedupStarted = performance.now();
  const { startDedupRun } = await gql(`mutation { startDedupRun(scope: ALL, autoMerge: false) { id } }`);
  const run = await pollJobRun(graphqlUrl, headers, startDedupRun.id as string, [api, worker] as Child[], JOB_TIMEOUT_MS);
  if (run.status !== 'SUCCEEDED') throw new BenchFailure(`Dedup run ${run.status}: ${JSON.stringify(run.errors)}`);
  const dedupSeconds = (performance.now() - dedupStarted) / 1000;
  const { dedupSettings } = await gql(`{ dedupSettings { autoMergeThreshold reviewThreshold } }`);

  // as the owner (no row-level security): the labels, and the pairs the run stored
  const { rows: contacts } = await owner.query<ContactToMatch & { truth: string }>(
    `SELECT id, first_name AS "firstName", last_name AS "lastName", email, phone, address_line1 AS "addressLine1", address_line2 AS "addressLine2",
            city, postal_code AS "postalCode", coalesce(to_char(birth_date, 'YYYY-MM-DD'), entered->>'birthDate') AS "birthDate",
            attributes->>'${TRUTH_ATTRIBUTE}' AS truth
       FROM contacts WHERE org_id = $1 ORDER BY id`,
    [orgId],
  );
  const labels = contacts.map((contact) => {
    const match = truthPattern ? truthPattern.exec(contact.truth ?? '') : null;
    if (truthPattern && !match?.[1]) throw new BenchFailure(`--truth-pattern does not match the truth value "${contact.truth}"`);
    return match ? match[1] : contact.truth;
  });
  const index = new Map(contacts.map((contact, i) => [contact.id, i]));
  const { rows: stored } = await owner.query<{ a: string; b: string; score: number }>(
    `SELECT contact_a AS a, contact_b AS b, score FROM duplicate_candidates WHERE org_id = $1`,
    [orgId],
  );
  const pairs = stored.map((pair) => ({ a: index.get(pair.a)!, b: index.get(pair.b)!, score: pair.score }));

  // blocking recall: the same blocking, on the same records, here (the run keeps only the pairs it scored high)
  const compared = await compareCandidates(contacts.map(toMatchRecord));
  let trueCompared = 0;
  for (let p = 0; p < compared.count; p++) if (labels[compared.left[p]] === labels[compared.right[p]]) trueCompared++;
  const truePairs = truePairCount(labels);

  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  const at = (threshold: number) => {
    const quality = qualityAt(labels, pairs, threshold);
    return { threshold, precision: round(quality.precision), recall: round(quality.recall), f1: round(quality.f1), predictedPairs: quality.predictedPairs };
  };
  const result = {
    files,
    records: contacts.length,
    rejectedRows,
    truePairs,
    candidatePairs: compared.count,
    blockingRecall: round(truePairs === 0 ? 1 : trueCompared / truePairs),
    autoMerge: at(dedupSettings.autoMergeThreshold as number),
    review: at(dedupSettings.reviewThreshold as number),
    dedupRunSeconds: round(dedupSeconds),
    wallSeconds: round((performance.now() - started) / 1000),
    workerPeakRssMb: Math.round(workerRss.peak() / 1024 / 1024),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

logger.level = 'warn';
void runBench(main);
