import { parentPort } from 'node:worker_threads';
import { type ComparisonReply, type ComparisonRequest, LOADED_CODE } from './comparison-threads.js';
import { sharedMatchTable } from './match-table.js';
import { comparePairs } from './matcher.js';

/** A comparison worker (see ComparisonThreads): the pairs of the shares of the blocks it is asked for. */
const port = parentPort!;

port.on('message', (request: ComparisonRequest) => {
  if (request.code !== null && request.code !== LOADED_CODE) {
    const message = 'The comparison code changed on disk since the process started: restart the worker process';
    return port.postMessage({ type: 'failed', message } satisfies ComparisonReply);
  }
  const focus = request.focus ? new Uint8Array(request.focus) : null;
  comparePairs(sharedMatchTable(request.table), new Int32Array(request.hashes), focus, request).then(
    (share) =>
      port.postMessage(
        { type: 'compared', share } satisfies ComparisonReply,
        share.chunks.flatMap((chunk) => [chunk.left.buffer, chunk.right.buffer, chunk.pattern.buffer] as ArrayBuffer[]),
      ),
    (error: unknown) => port.postMessage({ type: 'failed', message: String(error) } satisfies ComparisonReply),
  );
});
