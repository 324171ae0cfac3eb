import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import pg from 'pg';
import { migrate } from '@app/database';
import { type BenchDatabase, createOrganization, createOwnerKey, openBenchDatabase } from './database.js';
import { type JobRunState, pollJobRun, uploadFile } from './http.js';
import {
  API_ENTRY,
  appEnv,
  type Child,
  freePort,
  startChild,
  stopChild,
  waitUntil,
  WORKER_ENTRY,
} from './processes.js';
import { BenchFailure, onCleanup } from './run.js';

const JOB_TIMEOUT_MS = 60 * 60_000;

/**
 * The product as benchmarks drive it: a fresh database (embedded, or on DATABASE_URL's server), an organization with
 * an owner's key, the API and a separate worker as child processes; GraphQL, uploads and job runs over HTTP.
 */
export class AppStack {
  protected constructor(
    readonly database: BenchDatabase,
    /** The owner's connection: no row-level security, for checks and VACUUM. */
    readonly owner: pg.Client,
    /** The organization GraphQL, uploads and checks go to (see useOrganization). */
    public orgId: string,
    public token: string,
    readonly apiPort: number,
    private readonly processes: Child[],
  ) {
    onCleanup(() => this.stopProcesses());
  }

  /** `env`: settings of the API and worker beyond the database and ports (e.g. IMPORT_MAX_BYTES). */
  static async open(prefix: string, env: Record<string, string> = {}): Promise<AppStack> {
    const appPassword = randomBytes(12).toString('hex');
    const database = await openBenchDatabase(prefix);
    onCleanup(() => database.close());
    await migrate(database.ownerUrl, appPassword);
    const owner = new pg.Client({ connectionString: database.ownerUrl, application_name: prefix });
    owner.on('error', () => undefined); // the server stopping at cleanup
    await owner.connect();
    const orgId = await createOrganization(owner, prefix);
    const token = await createOwnerKey(owner, orgId);

    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const childEnv = appEnv(database.ownerUrl, appPassword, {
      ...env,
      QUEUE_PREFIX: `${prefix.replace(/_/g, '')}${process.pid}`,
      PORT: String(apiPort),
      WORKER_PORT: String(workerPort),
    });
    const api = startChild('API', API_ENTRY, { ...childEnv, RUN_JOBS_IN_API: 'false' });
    const worker = startChild('worker', WORKER_ENTRY, childEnv);
    const stack = new this(database, owner, orgId, token, apiPort, [api, worker]);
    await waitUntil(api, async () => (await stack.post('{ __typename }')).status === 200);
    await waitUntil(worker, async () => (await fetch(`http://127.0.0.1:${workerPort}/health`)).status === 200);
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

  get api(): Child {
    return this.processes[0];
  }

  get worker(): Child {
    return this.processes[1];
  }

  private get graphqlUrl(): string {
    return `http://127.0.0.1:${this.apiPort}/graphql`;
  }

  private get headers(): Record<string, string> {
    return this.headersOf(this.token);
  }

  private headersOf(token: string): Record<string, string> {
    return { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  }

  private post(query: string, variables: Record<string, unknown> = {}, token = this.token): Promise<Response> {
    return fetch(this.graphqlUrl, {
      method: 'POST',
      headers: this.headersOf(token),
      body: JSON.stringify({ query, variables }),
    });
  }

  /** A GraphQL operation with the owner's key of the stack's organization, or with `token` (addOrganization's). */
  async gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token = this.token,
  ): Promise<T> {
    const body = (await (await this.post(query, variables, token)).json()) as { data: T; errors?: unknown[] };
    if (body.errors) throw new BenchFailure(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 2000)}`);
    return body.data;
  }

  /** One more organization, with an owner's API key (a benchmark of several organizations, such as pools). */
  async addOrganization(name: string): Promise<{ orgId: string; token: string }> {
    const orgId = await createOrganization(this.owner, name);
    return { orgId, token: await createOwnerKey(this.owner, orgId) };
  }

  /** Sends the stack's requests and checks to another organization from now on (one stack, a fresh organization per data set). */
  useOrganization(organization: { orgId: string; token: string }): void {
    this.orgId = organization.orgId;
    this.token = organization.token;
  }

  /** Uploads a file to an import endpoint (`/imports`, `/imports/interactions`) and waits for its run to succeed. */
  async importFile(path: string, file: string, options: Record<string, string>): Promise<JobRunState> {
    const url = new URL(`http://127.0.0.1:${this.apiPort}${path}?${new URLSearchParams(options).toString()}`);
    const upload = await uploadFile(url, file, (await stat(file)).size, this.token);
    if (upload.status !== 202) throw new BenchFailure(`POST ${path} answered ${upload.status}: ${upload.body}`);
    const run = await this.finished((JSON.parse(upload.body) as { jobRunId: string }).jobRunId);
    if (run.status !== 'SUCCEEDED')
      throw new BenchFailure(`Import of ${file} ${run.status}: ${JSON.stringify(run.errors.slice(0, 5))}`);
    return run;
  }

  finished(id: string): Promise<JobRunState> {
    return pollJobRun(this.graphqlUrl, this.headers, id, this.processes, JOB_TIMEOUT_MS);
  }
}
