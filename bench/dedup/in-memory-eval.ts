import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  compareCandidates,
  type ContactToMatch,
  DEFAULT_THRESHOLDS,
  linkedPairs,
  matchInput,
  PairScorer,
  toMatchRecord,
} from '@app/dedup';
import {
  type DedupQuality,
  febrlContacts,
  heldOutContacts,
  HELD_OUT_KINDS,
  isHeldOutKind,
  measureQuality,
  round4,
} from './held-out-sets.js';

export interface InMemoryQuality extends DedupQuality {
  seconds: number;
}

/**
 * What a full dedup run does, in memory, for a tuning loop: blocking (compareCandidates), parameters learned from the
 * records (PairScorer.learned), the pairs a run keeps (linkedPairs), and precision/recall/F1 at the review and
 * auto-merge thresholds over the clusters the pairs form (qualityAt). The reference stays `npm run eval:dedup` (the real import
 * normalizes values; heldOutContacts and febrlContacts only trim, lower-case emails and write dates ISO).
 */
export async function evaluateInMemory(
  contacts: readonly ContactToMatch[],
  labels: readonly string[],
  thresholds: { review: number; autoMerge: number } = DEFAULT_THRESHOLDS,
): Promise<InMemoryQuality> {
  const started = performance.now();
  const records = contacts.map(toMatchRecord);
  const input = matchInput(records);
  const pairs = await compareCandidates(input);
  const scorer = PairScorer.learned(input.table, pairs);
  const scored = linkedPairs(input.table, pairs, scorer, thresholds.review).links;
  return {
    ...(await measureQuality(records, labels, scored, thresholds)),
    seconds: round4((performance.now() - started) / 1000),
  };
}

const USAGE = `node dist/bench/dedup/in-memory-eval.js --kind people|historical|translit [--seed 1] [--size 1000]
node dist/bench/dedup/in-memory-eval.js --febrl <file> [--link <file>]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kind: { type: 'string' },
      seed: { type: 'string', default: '1' },
      size: { type: 'string', default: '1000' },
      febrl: { type: 'string' },
      link: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  let data: { contacts: ContactToMatch[]; labels: string[] };
  let name: string;
  if (values.febrl) {
    data = await febrlContacts(values.febrl);
    name = values.febrl;
    if (values.link) {
      const linked = await febrlContacts(values.link, data.contacts.length);
      data = { contacts: [...data.contacts, ...linked.contacts], labels: [...data.labels, ...linked.labels] };
      name += ` + ${values.link}`;
    }
  } else if (values.kind && isHeldOutKind(values.kind)) {
    const seed = Number(values.seed);
    const records = Number(values.size);
    if (!Number.isInteger(seed) || !Number.isInteger(records) || records < 1) throw new Error(USAGE);
    data = heldOutContacts(HELD_OUT_KINDS[values.kind]({ records, seed }));
    name = `${values.kind} seed ${seed}`;
  } else throw new Error(USAGE);

  const quality = await evaluateInMemory(data.contacts, data.labels);
  if (values.json) return void process.stdout.write(`${JSON.stringify({ set: name, ...quality })}\n`);
  const lines = [
    `${name}: ${quality.records} records, ${quality.truePairs} true pairs, ${quality.candidatePairs} candidate pairs (${quality.seconds} s)`,
    `blocking recall ${quality.blockingRecall}`,
    `pairs first found per key: ${Object.entries(quality.perKey)
      .map(([key, pairs]) => `${key} ${pairs}`)
      .join(', ')}`,
    `true pairs agreeing per key: ${Object.entries(quality.keyRecall)
      .map(([key, recall]) => `${key} ${recall}`)
      .join(', ')}`,
    `review ≥ ${quality.review.threshold}: P ${quality.review.precision} R ${quality.review.recall} F1 ${quality.review.f1}`,
    `auto-merge ≥ ${quality.autoMerge.threshold}: P ${quality.autoMerge.precision} R ${quality.autoMerge.recall} F1 ${quality.autoMerge.f1}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
