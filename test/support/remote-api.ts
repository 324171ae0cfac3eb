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
