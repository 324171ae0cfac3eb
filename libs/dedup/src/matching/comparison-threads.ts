import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type MatchTable, type SharedMatchTable, shareMatchTable } from './match-table.js';
import { comparePairs, type ComparedPairs, joinShares, type PairShare } from './matcher.js';

/** What the main thread asks a comparison worker (comparison.worker.ts): the pairs of one share of the blocks. */
export interface ComparisonRequest {
  table: SharedMatchTable;
  hashes: SharedArrayBuffer;
  focus: SharedArrayBuffer | null;
  index: number;
  of: number;
  /** LOADED_CODE of the thread asking, for the worker to check against its own; null: not checked. */
  code: string | null;
}
export type ComparisonReply = { type: 'compared'; share: PairShare } | { type: 'failed'; message: string };

const WORKER_SCRIPT = new URL('./comparison.worker.js', import.meta.url);

/**
 * The compiled code of this folder as this thread loaded it. Workers load it when a run starts: had a deploy (or a
 * build) replaced the files since the process started, the threads would compare with two versions and the run would
 * store pairs that neither finds. A worker whose code differs fails the run instead (comparison.worker.ts).
 */
export const LOADED_CODE = codeFingerprint(fileURLToPath(new URL('.', import.meta.url)));

function codeFingerprint(folder: string): string {
  const hash = createHash('sha1');
  for (const file of readdirSync(folder)
    .filter((name) => name.endsWith('.js'))
    .sort())
    hash.update(file).update(readFileSync(join(folder, file)));
  return hash.digest('hex');
}

/**
 * A full run's comparing on several threads: this one and workers, all reading one MatchTable and its key hashes in
 * shared memory, each making the pairs of a share of the blocks. The pairs are the same as on one thread, in another
 * order.
 */
export class ComparisonThreads {
  private constructor(
    private readonly workers: Worker[],
    private readonly code: string | null,
  ) {}

  /**
   * `threads` in all (this one included). Null for one thread, and when running from the TypeScript sources (tests in
   * Jest), which have no compiled worker: the run compares on its own thread. `code`: what the workers check their
   * code against (LOADED_CODE for the worker beside this file; none for another script).
   */
  static start(
    threads: number,
    script: URL = WORKER_SCRIPT,
    code: string | null = script.href === WORKER_SCRIPT.href ? LOADED_CODE : null,
  ): ComparisonThreads | null {
    if (threads <= 1 || !existsSync(fileURLToPath(script))) return null;
    return new ComparisonThreads(
      Array.from({ length: threads - 1 }, () => new Worker(script)),
      code,
    );
  }

  async compare(table: MatchTable, hashes: Int32Array, focus: Uint8Array | null): Promise<ComparedPairs> {
    const threads = this.workers.length + 1;
    let sharedFocus: SharedArrayBuffer | null = null;
    if (focus) {
      sharedFocus = new SharedArrayBuffer(focus.length);
      new Uint8Array(sharedFocus).set(focus);
    }
    const shared = shareMatchTable(table);
    const theirs = Promise.all(
      this.workers.map((worker, w) =>
        this.ask(worker, {
          table: shared,
          hashes: hashes.buffer as SharedArrayBuffer,
          focus: sharedFocus,
          index: w + 1,
          of: threads,
          code: this.code,
        }),
      ),
    );
    // awaited once this thread's share is done: a worker failing meanwhile must not be an unhandled rejection
    theirs.catch(() => undefined);
    const shares = [await comparePairs(table, hashes, focus, { index: 0, of: threads })];
    for (const reply of await theirs) if (reply.type === 'compared') shares.push(reply.share);
    return joinShares(shares);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  /** One request, one reply; a worker that fails or stops fails the run. */
  private ask(worker: Worker, request: ComparisonRequest): Promise<ComparisonReply> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        outcome();
      };
      const onMessage = (reply: ComparisonReply) =>
        settle(() => (reply.type === 'failed' ? reject(new Error(reply.message)) : resolve(reply)));
      const onError = (error: Error) => settle(() => reject(error));
      const onExit = (code: number) => settle(() => reject(new Error(`A comparison worker stopped (${code})`)));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage(request);
    });
  }
}
