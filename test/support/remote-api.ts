import { type BuiltProcess, startBuiltProcess, stopAllBuiltProcesses } from './child-process.js';
import { TestApi } from './test-app.js';

/** What TestApi does over HTTP alone: usable against any API, the one in this process or a built child process. */
export type HttpApi = Pick<TestApi, 'url' | 'gql' | 'ok' | 'upload' | 'finishedRun'>;

/**
 * TestApi's HTTP helpers against the API at `url` (a built child process: startBuiltProcess), for tests whose API
 * must be a process of its own: one that a bad file could crash or freeze while the test goes on. Organizations and
 * keys still come from an in-process TestApi (they share the database).
 */
export function remoteApi(url: string): HttpApi {
  // only `url` is read by these methods; the in-process app is never touched
  return Object.assign(Object.create(TestApi.prototype) as TestApi, { url });
}

/**
 * An API in a built child process that runs the jobs itself (the embedded default: the process a bad file could crash
 * or freeze), with an organization on it; the in-process TestApi (no processors) sets up the database.
 */
export interface ChildApi {
  setup: TestApi;
  child: BuiltProcess;
  api: HttpApi;
  token: string;
  /** Uploads a file to an import endpoint (answered 202) and waits for its run to finish: the run. */
  importFile(file: string, path?: string, options?: Record<string, string>): Promise<any>;
  /** Stops the child processes and the in-process app. */
  close(): Promise<void>;
}

export async function startChildApi(env: Record<string, string>, organization: string): Promise<ChildApi> {
  const setup = await TestApi.start(env); // no processors here: the child runs the jobs
  const child = await startBuiltProcess('api', { ...env, RUN_JOBS_IN_API: 'true' });
  const api = remoteApi(child.url);
  const { token } = await setup.createOrganization(organization);
  return {
    setup,
    child,
    api,
    token,
    async importFile(file, path = '/imports', options = { dedup: 'false' }) {
      const upload = await api.upload(token, file, options, path);
      if (upload.status !== 202)
        throw new Error(`The upload to ${path} answered ${upload.status}, not 202: ${JSON.stringify(upload.body)}`);
      return api.finishedRun(token, upload.body.jobRunId);
    },
    async close() {
      await stopAllBuiltProcesses();
      await setup.close();
    },
  };
}
