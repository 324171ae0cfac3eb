import { createReadStream } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from './processes.js';
import { BenchFailure, log, n } from './run.js';

/** What benchmarks read of a job run. */
export interface JobRunState {
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  processed: number;
  total: number | null;
  counts: Record<string, unknown>;
  errors: { line: number | null; column: string | null; message: string }[];
}

const JOB_RUN_QUERY =
  'query($id: ID!) { jobRun(id: $id) { status processed total counts errors { line column message } } }';
const POLL_MS = 100;

/** Streams the file as the request body (never held in memory); resolves with the answer. */
export function uploadFile(
  url: URL,
  file: string,
  size: number,
  token: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = http.request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': String(size) },
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    // An early answer (401, 413, 415...) may cut the upload short: the answer is what counts then.
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    const source = createReadStream(file, { highWaterMark: 256 * 1024 });
    source.on('error', reject);
    source.pipe(request);
  });
}

export async function pollJobRun(
  url: string,
  headers: Record<string, string>,
  id: string,
  processes: Child[],
  timeoutMs: number,
): Promise<JobRunState> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = Date.now();
  for (;;) {
    for (const process of processes) {
      if (process.exited() !== null)
        throw new BenchFailure(
          `The ${process.name} exited with code ${process.exited()} during the job:\n${process.output()}`,
        );
    }
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: JOB_RUN_QUERY, variables: { id } }),
    });
    const text = await response.text();
    let body: { data?: { jobRun?: JobRunState } | null; errors?: { message: string }[] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // reported below
    }
    const run = body.data?.jobRun;
    if (!run) throw new BenchFailure(`jobRun(${id}) answered HTTP ${response.status}: ${text.slice(0, 2000)}`);
    if (run.status === 'SUCCEEDED' || run.status === 'FAILED' || run.status === 'CANCELLED') return run;
    if (Date.now() - lastLog >= 5_000) {
      lastLog = Date.now();
      log(`  ${run.status} ${n(run.processed)}${run.total ? ` / ${n(run.total)}` : ''}`);
    }
    if (Date.now() > deadline)
      throw new BenchFailure(
        `Job run ${id} did not finish within ${timeoutMs / 60_000} min (last: ${JSON.stringify(run)})`,
      );
    await sleep(POLL_MS);
  }
}
