import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import pg from 'pg';
import { migrate } from '@app/database';
import { compareCandidates, type ContactToMatch, qualityAt, toMatchRecord, truePairCount } from '@app/dedup';
import { type BenchDatabase, createOrganization, createOwnerKey, openBenchDatabase } from '../support/database.js';
import { type JobRunState, pollJobRun, uploadFile } from '../support/http.js';
import { sampleRss } from '../support/measurements.js';
import { API_ENTRY, appEnv, type Child, freePort, startChild, stopChild, waitUntil, WORKER_ENTRY } from '../support/processes.js';
import { BenchFailure, onCleanup } from '../support/run.js';

/** The custom attribute holding each record's truth label: imported, never read by matching. */
export const TRUTH_ATTRIBUTE = 'eval_truth';
const JOB_TIMEOUT_MS = 60 * 60_000;

/**
 * What eval:dedup and bench:dedup share: a fresh database (embedded, or on DATABASE_URL's server), an organization
 * with an owner's key, the API and a separate worker as child processes, and the truth-label attribute.
 */
export class DedupStack {
  private constructor(
    readonly database: BenchDatabase,
    readonly owner: pg.Client,
    readonly orgId: string,
    private readonly token: string,
    private readonly apiPort: number,
    private readonly processes: Child[],
  ) {}

  static async start(prefix: string): Promise<DedupStack> {
    const appPassword = randomBytes(12).toString('hex');
    const database = await openBenchDatabase(prefix);
    onCleanup(() => database.close());
    await migrate(database.ownerUrl, appPassword);
    const owner = new pg.Client({ connectionString: database.ownerUrl, application_name: prefix });
    owner.on('error', () => undefined); // the server stopping at cleanup
    await owner.connect();
    const orgId = await createOrganization(owner, 'Dédoublonnage');
    const token = await createOwnerKey(owner, orgId);

    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const env = appEnv(database.ownerUrl, appPassword, { QUEUE_PREFIX: `${prefix.replace(/_/g, '')}${process.pid}`, PORT: String(apiPort), WORKER_PORT: String(workerPort) });
    const api = startChild('API', API_ENTRY, { ...env, RUN_JOBS_IN_API: 'false' });
    const worker = startChild('worker', WORKER_ENTRY, env);
    const stack = new DedupStack(database, owner, orgId, token, apiPort, [api, worker]);
    onCleanup(() => stack.stopProcesses());
    await waitUntil(api, async () => (await stack.post('{ __typename }')).status === 200);
    await waitUntil(worker, async () => (await fetch(`http://127.0.0.1:${workerPort}/health`)).status === 200);
    await stack.gql(`mutation($input: DefineAttributeInput!) { defineAttribute(input: $input) { key } }`, {
      input: { key: TRUTH_ATTRIBUTE, label: 'Evaluation truth label', type: 'TEXT' },
    });
    return stack;
  }

  private stopped = false;

  private async stopProcesses(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const process of this.processes) await stopChild(process.child);
    await this.owner.end().catch(() => undefined);
  }

  /** Stops the processes and the database now rather than at cleanup (the next size starts its own). */
  async close(): Promise<void> {
    await this.stopProcesses();
    await this.database.close();
  }

  get worker(): Child {
    return this.processes[1];
  }

  private get graphqlUrl(): string {
    return `http://127.0.0.1:${this.apiPort}/graphql`;
  }

  private get headers(): Record<string, string> {
    return { 'content-type': 'application/json', authorization: `Bearer ${this.token}` };
  }

  private post(query: string, variables: Record<string, unknown> = {}): Promise<Response> {
    return fetch(this.graphqlUrl, { method: 'POST', headers: this.headers, body: JSON.stringify({ query, variables }) });
  }

  async gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const body = (await (await this.post(query, variables)).json()) as { data: T; errors?: unknown[] };
    if (body.errors) throw new BenchFailure(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  /** Imports a file as it is (every row a contact, no dedup run), the truth column into the truth attribute. */
  async importFile(file: string, truthColumn: string, options: Record<string, string> = {}): Promise<JobRunState> {
    const { mapping, ...rest } = options;
    const query = new URLSearchParams({
      strategy: 'CREATE_ALL', dedup: 'false', keepBadDates: 'true',
      mapping: [`${truthColumn}=attributes.${TRUTH_ATTRIBUTE}`, ...(mapping ? [mapping] : [])].join(','),
      ...rest,
    });
    const upload = await uploadFile(new URL(`http://127.0.0.1:${this.apiPort}/imports?${query.toString()}`), file, (await stat(file)).size, this.token);
    if (upload.status !== 202) throw new BenchFailure(`POST /imports answered ${upload.status}: ${upload.body}`);
    const run = await this.finished((JSON.parse(upload.body) as { jobRunId: string }).jobRunId);
    if (run.status !== 'SUCCEEDED') throw new BenchFailure(`Import of ${file} ${run.status}: ${JSON.stringify(run.errors.slice(0, 5))}`);
    return run;
  }

  /** Starts a dedup run and waits for it: its counts, its wall time and the worker's peak RSS meanwhile. */
  async dedup(args: string): Promise<{ run: JobRunState; seconds: number; workerPeakRssMb: number }> {
    const rss = sampleRss(this.worker.child.pid ?? 0, 50);
    const started = performance.now();
    const { startDedupRun } = await this.gql<{ startDedupRun: { id: string } }>(`mutation { startDedupRun(${args}) { id } }`);
    const run = await this.finished(startDedupRun.id);
    const seconds = (performance.now() - started) / 1000;
    rss.stop();
    if (run.status !== 'SUCCEEDED') throw new BenchFailure(`Dedup run ${run.status}: ${JSON.stringify(run.errors)}`);
    return { run, seconds, workerPeakRssMb: Math.round(rss.peak() / 1024 / 1024) };
  }

  private finished(id: string): Promise<JobRunState> {
    return pollJobRun(this.graphqlUrl, this.headers, id, this.processes, JOB_TIMEOUT_MS);
  }

  /**
   * Quality of what the runs stored, read as the owner (no row-level security): labels from the truth attribute
   * (`truthPattern`'s group when given), blocking recall from the same blocking on the same records, and precision,
   * recall and F1 at each threshold over the clusters the stored pairs form.
   */
  async quality(truthPattern: RegExp | null): Promise<DedupQuality> {
    const { rows: contacts } = await this.owner.query<ContactToMatch & { truth: string | null }>(
      `SELECT id, first_name AS "firstName", last_name AS "lastName", email, phone, address_line1 AS "addressLine1", address_line2 AS "addressLine2",
              city, postal_code AS "postalCode", coalesce(to_char(birth_date, 'YYYY-MM-DD'), entered->>'birthDate') AS "birthDate",
              attributes->>'${TRUTH_ATTRIBUTE}' AS truth
         FROM contacts WHERE org_id = $1 ORDER BY id`,
      [this.orgId],
    );
    const labels = contacts.map((contact) => {
      if (!truthPattern) return contact.truth ?? contact.id;
      const match = truthPattern.exec(contact.truth ?? '');
      if (!match?.[1]) throw new BenchFailure(`--truth-pattern does not match the truth value "${contact.truth}"`);
      return match[1];
    });
    const index = new Map(contacts.map((contact, i) => [contact.id, i]));
    const { rows: stored } = await this.owner.query<{ a: string; b: string; score: number }>(
      `SELECT contact_a AS a, contact_b AS b, score FROM duplicate_candidates WHERE org_id = $1 AND status = 'PENDING'`,
      [this.orgId],
    );
    const pairs = stored.map((pair) => ({ a: index.get(pair.a)!, b: index.get(pair.b)!, score: pair.score }));
    const compared = await compareCandidates(contacts.map(toMatchRecord));
    let trueCompared = 0;
    for (let p = 0; p < compared.count; p++) if (labels[compared.left[p]] === labels[compared.right[p]]) trueCompared++;
    const truePairs = truePairCount(labels);
    const { dedupSettings } = await this.gql<{ dedupSettings: { autoMergeThreshold: number; reviewThreshold: number } }>(
      `{ dedupSettings { autoMergeThreshold reviewThreshold } }`,
    );
    const at = (threshold: number): ThresholdQuality => {
      const quality = qualityAt(labels, pairs, threshold);
      return { threshold, precision: round4(quality.precision), recall: round4(quality.recall), f1: round4(quality.f1), predictedPairs: quality.predictedPairs };
    };
    return {
      records: contacts.length,
      truePairs,
      candidatePairs: compared.count,
      blockingRecall: round4(truePairs === 0 ? 1 : trueCompared / truePairs),
      autoMerge: at(dedupSettings.autoMergeThreshold),
      review: at(dedupSettings.reviewThreshold),
    };
  }
}

export interface ThresholdQuality {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  predictedPairs: number;
}

export interface DedupQuality {
  records: number;
  truePairs: number;
  candidatePairs: number;
  blockingRecall: number;
  autoMerge: ThresholdQuality;
  review: ThresholdQuality;
}

export const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
