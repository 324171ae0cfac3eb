import { readFile } from 'node:fs/promises';
import {
  BLOCKING_KEYS,
  compareCandidates,
  forEachPair,
  matchInput,
  type ContactToMatch,
  type MatchRecord,
  qualityAt,
  truePairCount,
} from '@app/dedup';
import { generateHistoricalPeople } from './historical-people.js';
import type { HeldOutOptions, HeldOutRow } from './held-out-support.js';
import { generateSyntheticPeople } from './synthetic-people.js';
import { generateTranslitPeople } from './translit-people.js';

/** The held-out generators by kind (the table: people, historical, transliterated names). */
export const HELD_OUT_KINDS = {
  people: generateSyntheticPeople,
  historical: generateHistoricalPeople,
  translit: generateTranslitPeople,
} as const satisfies Record<string, (options: HeldOutOptions) => HeldOutRow[]>;
export type HeldOutKind = keyof typeof HELD_OUT_KINDS;

export function isHeldOutKind(kind: string): kind is HeldOutKind {
  return Object.hasOwn(HELD_OUT_KINDS, kind);
}

/** FEBRL's columns as contact fields (README, "Evaluate on labelled data"), and its truth in rec_id. */
export const FEBRL_MAPPING =
  'given_name=firstName,surname=lastName,street_number=addressLine1,address_1=addressLine1,address_2=addressLine2,suburb=city,postcode=postalCode,state=region,date_of_birth=birthDate,soc_sec_id=ignore';
export const FEBRL_TRUTH_COLUMN = 'rec_id';
export const FEBRL_TRUTH_PATTERN = /rec-(\d+)-/;

const blank = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
};

/** YYYYMMDD or YYYY/MM/DD → YYYY-MM-DD when it is a calendar date; anything else as entered (the import keeps bad dates so). */
function lightDate(value: string | null): string | null {
  if (value === null) return null;
  const parts = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})$/.exec(value);
  if (!parts) return value;
  const date = `${parts[1]}-${parts[2]}-${parts[3]}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date) ? date : value;
}

/**
 * Held-out rows as the contacts matching reads. A light stand-in for the import's normalization (trim, lower-case
 * email, ISO dates); the reference is the API path (`npm run eval:dedup`), which parses and cleans every field.
 */
export function heldOutContacts(rows: readonly HeldOutRow[]): { contacts: ContactToMatch[]; labels: string[] } {
  const contacts = rows.map((row, i): ContactToMatch => ({
    id: String(i + 1),
    firstName: blank(row.firstName),
    lastName: blank(row.lastName),
    email: blank(row.email)?.toLowerCase() ?? null,
    phone: null,
    addressLine1: null,
    addressLine2: null,
    city: blank(row.city),
    postalCode: blank(row.postalCode),
    birthDate: lightDate(blank(row.birthDate)),
  }));
  return { contacts, labels: rows.map((row) => row.person) };
}

/** A FEBRL file (values separated by ", ") as contacts, mapped as FEBRL_MAPPING says, with its truth labels. */
export async function febrlContacts(
  file: string,
  idOffset = 0,
): Promise<{ contacts: ContactToMatch[]; labels: string[] }> {
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0].split(',').map((cell) => cell.trim());
  const column = (name: string) => header.indexOf(name);
  const contacts: ContactToMatch[] = [];
  const labels: string[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((cell) => cell.trim());
    const at = (name: string) => blank(cells[column(name)]);
    const street = [at('street_number'), at('address_1')].filter(Boolean).join(' ');
    const truth = FEBRL_TRUTH_PATTERN.exec(at(FEBRL_TRUTH_COLUMN) ?? '');
    labels.push(truth?.[1] ?? `row${contacts.length + idOffset}`);
    contacts.push({
      id: String(idOffset + contacts.length + 1),
      firstName: at('given_name'),
      lastName: at('surname'),
      email: null,
      phone: null,
      addressLine1: street || null,
      addressLine2: at('address_2'),
      city: at('suburb'),
      postalCode: at('postcode'),
      birthDate: lightDate(at('date_of_birth')),
    });
  }
  return { contacts, labels };
}

/** Per blocking key: the share of true pairs whose two records have the same, non-empty key value. */
export type KeyRecall = Record<string, number>;

/**
 * What each blocking key could find on its own: the share of true pairs that agree on its value (an exact-key upper
 * bound; the blocking itself also caps large blocks and looks at sorted neighbours). Iterates BLOCKING_KEYS generically.
 */
export function blockingKeyRecall(
  records: readonly MatchRecord[],
  labels: readonly string[],
  truePairs: number,
): KeyRecall {
  const recall: KeyRecall = {};
  for (const key of BLOCKING_KEYS) {
    const groups = new Map<string, number>();
    for (let i = 0; i < records.length; i++) {
      const value = key.of(records[i]);
      if (!value) continue;
      const group = `${value}\u0000${labels[i]}`;
      groups.set(group, (groups.get(group) ?? 0) + 1);
    }
    let pairs = 0;
    for (const n of groups.values()) pairs += (n * (n - 1)) / 2;
    recall[key.name] = truePairs === 0 ? 1 : Math.round((pairs / truePairs) * 10_000) / 10_000;
  }
  return recall;
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
  /** candidate pairs first found by each blocking key */
  perKey: Record<string, number>;
  /** per blocking key, the share of true pairs whose records have the same non-empty key value */
  keyRecall: KeyRecall;
  autoMerge: ThresholdQuality;
  review: ThresholdQuality;
}

export const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;

/**
 * Quality of scored pairs against the labels: blocking recall from the same blocking on the same records, and
 * precision, recall and F1 at each threshold over the clusters the pairs at or above it form (what merging does).
 */
export async function measureQuality(
  records: readonly MatchRecord[],
  labels: readonly string[],
  scored: readonly { a: number; b: number; score: number }[],
  thresholds: { review: number; autoMerge: number },
): Promise<DedupQuality> {
  const compared = await compareCandidates(matchInput(records));
  let trueCompared = 0;
  forEachPair(compared, (a, b) => {
    if (labels[a] === labels[b]) trueCompared++;
  });
  const truePairs = truePairCount(labels);
  const at = (threshold: number): ThresholdQuality => {
    const quality = qualityAt(labels, scored, threshold);
    return {
      threshold,
      precision: round4(quality.precision),
      recall: round4(quality.recall),
      f1: round4(quality.f1),
      predictedPairs: quality.predictedPairs,
    };
  };
  return {
    records: records.length,
    truePairs,
    candidatePairs: compared.count,
    blockingRecall: round4(truePairs === 0 ? 1 : trueCompared / truePairs),
    perKey: compared.perKey,
    keyRecall: blockingKeyRecall(records, labels, truePairs),
    autoMerge: at(thresholds.autoMerge),
    review: at(thresholds.review),
  };
}
