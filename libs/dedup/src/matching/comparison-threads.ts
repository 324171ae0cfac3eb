import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BLOCKING_KEYS, fillBlockingHashes } from './blocking.js';
import type { MatchRecord } from './match-record.js';
import { comparePairs, type ComparedPairs } from './matcher.js';

/** What the main thread asks a comparison worker (comparison.worker.ts), in this order. */
export type ComparisonRequest =
  /** records as loaded, JSON text separated by newlines (UTF-8, shared: every worker parses its own copy) */
  | { type: 'records'; text: SharedArrayBuffer }
  /** the key hashes of records [from, to) of `records`, written into the shared array */
  | { type: 'hash'; records: number; hashes: SharedArrayBuffer; from: number; to: number }
  /** the pairs of one share of the blocks */
  | { type: 'compare'; hashes: SharedArrayBuffer; focus: SharedArrayBuffer | null; index: number; of: number };
export type ComparisonReply =
  { type: 'hashed' } | { type: 'compared'; pairs: ComparedPairs } | { type: 'failed'; message: string };

const WORKER_SCRIPT = new URL('./comparison.worker.js', import.meta.url);

/**
 * A full run's comparing on several threads: this one and workers, each with its own copy of the records (sent as
 * JSON text while they load), each computing a share of the key hashes, then the pairs of a share of the blocks. The
 * pairs are the same as on one thread, in another order.
 */
export class ComparisonThreads {
  private constructor(private readonly workers: Worker[]) {}

  /**
   * `threads` in all (this one included). Null for one thread, and when running from the TypeScript sources (tests in
   * Jest), which have no compiled worker: the run compares on its own thread.
   */
  static start(threads: number, script: URL = WORKER_SCRIPT): ComparisonThreads | null {
    if (threads <= 1 || !existsSync(fileURLToPath(script))) return null;
    return new ComparisonThreads(Array.from({ length: threads - 1 }, () => new Worker(script)));
  }

  /** The next records as loaded, in the order `compare` will be given them. */
  add(texts: readonly string[]): void {
    if (texts.length === 0) return;
    const bytes = Buffer.from(texts.join('\n'));
    const text = new SharedArrayBuffer(bytes.length);
    new Uint8Array(text).set(bytes);
    for (const worker of this.workers) worker.postMessage({ type: 'records', text } satisfies ComparisonRequest);
  }

  async compare(records: readonly MatchRecord[], focus: Uint8Array | null): Promise<ComparedPairs> {
    const threads = this.workers.length + 1;
    const hashes = new SharedArrayBuffer(records.length * BLOCKING_KEYS.length * Int32Array.BYTES_PER_ELEMENT);
    const range = (index: number) => ({
      from: Math.floor((records.length * index) / threads),
      to: Math.floor((records.length * (index + 1)) / threads),
    });
    const hashed = this.workers.map((worker, w) =>
      this.ask(worker, { type: 'hash', records: records.length, hashes, ...range(w + 1) }),
    );
    const { from, to } = range(0);
    fillBlockingHashes(records, new Int32Array(hashes), from, to);
    await Promise.all(hashed);

    let sharedFocus: SharedArrayBuffer | null = null;
    if (focus) {
      sharedFocus = new SharedArrayBuffer(focus.length);
      new Uint8Array(sharedFocus).set(focus);
    }
    const theirs = this.workers.map((worker, w) =>
      this.ask(worker, { type: 'compare', hashes, focus: sharedFocus, index: w + 1, of: threads }),
    );
    const mine = await comparePairs(records, new Int32Array(hashes), focus, { index: 0, of: threads });
    const shares = [mine];
    for (const reply of await Promise.all(theirs)) if (reply.type === 'compared') shares.push(reply.pairs);
    return concatenate(shares);
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

function concatenate(shares: readonly ComparedPairs[]): ComparedPairs {
  const count = shares.reduce((sum, share) => sum + share.count, 0);
  const [left, right, pattern] = [new Int32Array(count), new Int32Array(count), new Int32Array(count)];
  const perKey: Record<string, number> = {};
  let at = 0;
  for (const share of shares) {
    left.set(share.left.subarray(0, share.count), at);
    right.set(share.right.subarray(0, share.count), at);
    pattern.set(share.pattern.subarray(0, share.count), at);
    at += share.count;
    for (const [key, pairs] of Object.entries(share.perKey)) perKey[key] = (perKey[key] ?? 0) + pairs;
  }
  return { count, left, right, pattern, perKey };
}
