import { parentPort } from 'node:worker_threads';
import { fillBlockingHashes } from './blocking.js';
import type { ComparisonReply, ComparisonRequest } from './comparison-threads.js';
import type { MatchRecord } from './match-record.js';
import { comparePairs } from './matcher.js';

/** A comparison worker (see ComparisonThreads): its copy of the records, and the shares it is asked for. */
const records: MatchRecord[] = [];
const port = parentPort!;

port.on('message', (request: ComparisonRequest) => {
  answer(request).then(
    ({ reply, transfer }) => reply && port.postMessage(reply, transfer),
    (error: unknown) => port.postMessage({ type: 'failed', message: String(error) } satisfies ComparisonReply),
  );
});

async function answer(request: ComparisonRequest): Promise<{ reply?: ComparisonReply; transfer?: ArrayBuffer[] }> {
  switch (request.type) {
    case 'records':
      for (const line of Buffer.from(request.text).toString('utf8').split('\n'))
        records.push(JSON.parse(line) as MatchRecord);
      return {};
    case 'hash':
      if (records.length !== request.records)
        throw new Error(`A comparison worker holds ${records.length} records, not ${request.records}`);
      fillBlockingHashes(records, new Int32Array(request.hashes), request.from, request.to);
      return { reply: { type: 'hashed' } };
    case 'compare': {
      const focus = request.focus ? new Uint8Array(request.focus) : null;
      const pairs = await comparePairs(records, new Int32Array(request.hashes), focus, request);
      return {
        reply: { type: 'compared', pairs },
        transfer: [pairs.left.buffer, pairs.right.buffer, pairs.pattern.buffer] as ArrayBuffer[],
      };
    }
  }
}
