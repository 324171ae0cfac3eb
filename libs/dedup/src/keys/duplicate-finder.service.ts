import { Injectable } from '@nestjs/common';
import { ContactDuplicates, type ContactDuplicatesContract, ContactLookupService } from '@app/contacts';
import { logger } from '@app/common';
import { TenantContexts, TenantDb, type Tx } from '@app/database';
import { MAX_BLOCK } from '../matching/blocking.js';
import { COMPARISONS, comparisonPattern } from '../matching/comparisons.js';
import { type MatchTable, matchTable } from '../matching/match-table.js';
import { DEFAULT_PARAMETERS } from '../matching/fellegi-sunter.js';
import {
  type ContactToMatch,
  MATCH_RECORD_VERSION,
  type MatchRecord,
  toMatchRecord,
} from '../matching/match-record.js';
import { NAME_KINDS, type NameKind, NameFrequencies, Namesakes, PairScorer } from '../matching/matcher.js';
import { type DedupSettings, DedupSettingsService } from '../runs/dedup-settings.service.js';
import { DuplicatesService } from '../runs/duplicates.service.js';
import { keyHashesOf, MATCH_COLUMNS, MatchKeysService } from './match-keys.service.js';
import type { PossibleDuplicateModel } from './possible-duplicate.model.js';

/**
 * Per key a contact shares, the others it meets: every member of a block of at most MAX_BLOCK (as a full run compares
 * them all), else the NEAR_IN_LARGE_BLOCK nearest on each side by sort key (names, then birth date), where a full run
 * compares each with its WINDOW next: a few index rows per key however large the block.
 */
export const NEAR_IN_LARGE_BLOCK = 5;
/** possibleDuplicates lists at most this many, most likely first. */
export const MAX_POSSIBLE_DUPLICATES = 10;
/**
 * How long counts for name frequencies (an organization's size, how many of its contacts have a name) are used before
 * they are counted again: they change slowly, and frequencies move little with them.
 */
const COUNT_TTL_MS = 5 * 60_000;
/**
 * Smaller counts are counted each time: that costs little, and a small organization's counts change fast. Counts kept
 * at most: then they are all counted again.
 */
const KEEP_COUNTS_FROM = 1_000;
const MAX_KEPT_COUNTS = 100_000;
const DIFFERENT = (field: number) => COMPARISONS[field].levels.indexOf('different');

/** The contacts that may be the same person as some focused contacts, with the pairs to score. */
export interface Candidates {
  /** The focused contacts and the others, in id order. */
  records: MatchRecord[];
  /** The records as compared (same rows). */
  table: MatchTable;
  focus: Uint8Array;
  /** Each pair once, left < right (indexes in records), with its comparison pattern and score. */
  pairs: { count: number; left: Int32Array; right: Int32Array; pattern: Int32Array; score: Float64Array };
  scorer: PairScorer;
  names: NameFrequencies;
  settings: DedupSettings;
}

export interface CandidateOptions {
  /** Only contacts created before this transaction as the others (what a create or an import is checked against). */
  existingOnly?: boolean;
  /** The organization's contact count, when the caller has it; else organizationSize. */
  size?: number;
}

/**
 * Who may be the same person as given contacts, from the stored keys (contact_match_keys) and records: the one way
 * possibleDuplicates, a create with onDuplicate REJECT, an import's counts and incremental runs find candidates. It
 * is also what the writers of contacts call (ContactDuplicatesContract, plugged in at start-up).
 */
@Injectable()
export class DuplicateFinder implements ContactDuplicatesContract {
  private readonly kept = new KeptCounts();

  constructor(
    private readonly db: TenantDb,
    private readonly keys: MatchKeysService,
    private readonly settings: DedupSettingsService,
    private readonly duplicates: DuplicatesService,
    private readonly contacts: ContactLookupService,
    writers: ContactDuplicates,
  ) {
    writers.provide(this);
  }

  async refresh(tx: Tx, contactIds: readonly string[]): Promise<void> {
    await this.keys.refresh(tx, contactIds);
  }

  /**
   * Every contact sharing a stored blocking key hash with a focused contact (the nearest, in a large block), compared
   * with it and scored with the organization's learned parameters and its name frequencies (counted over every
   * contact). A focused contact without a current stored record is normalized as it is now.
   */
  async candidatesOf(tx: Tx, contactIds: readonly string[], options: CandidateOptions = {}): Promise<Candidates> {
    const focused = await this.recordsOf(tx, contactIds, { normalizeMissing: true });
    const near = await this.nearestSharingKeys(tx, focused);
    const focusIds = new Set(focused.map((record) => record.id));
    const otherIds = [...new Set([...near.values()].flatMap((ids) => [...ids]))].filter((id) => !focusIds.has(id));
    const others = await this.recordsOf(tx, otherIds, { existingOnly: options.existingOnly });
    const records = [...focused, ...others].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const index = new Map(records.map((record, i) => [record.id, i]));
    const focus = new Uint8Array(records.length);
    for (const id of focusIds) focus[index.get(id)!] = 1;

    const seen = new Set<number>();
    const [left, right]: number[][] = [[], []];
    for (const [focusId, ids] of near) {
      const f = index.get(focusId)!;
      for (const id of ids) {
        const o = index.get(id);
        // no current record yet (the next catch-up stores it), or not an existing contact
        if (o === undefined || (options.existingOnly && focus[o])) continue;
        const [i, j] = f < o ? [f, o] : [o, f];
        if (seen.has(i * records.length + j)) continue;
        seen.add(i * records.length + j);
        left.push(i);
        right.push(j);
      }
    }
    const table = matchTable(records);
    const pattern = Int32Array.from(left, (i, p) => comparisonPattern(table, i, right[p]));
    const settings = await this.settings.get(tx);
    const names = await this.nameFrequencies(tx, table, left, right, pattern, options.size);
    const scorer = new PairScorer(settings.parameters ?? DEFAULT_PARAMETERS, names);
    // as a run scores them (linkedPairs): names alone reach review where no namesake can be
    const namesakes = new Namesakes(
      table,
      scorer,
      left.flatMap((i, p) => (scorer.namesOnly(pattern[p]) ? [i, right[p]] : [])),
    );
    const score = Float64Array.from(left, (i, p) => {
      const namesOnly = scorer.namesOnly(pattern[p]);
      return scorer.score(table, i, right[p], pattern[p], namesOnly && namesakes.ruledOut(i, right[p]));
    });
    return {
      records,
      table,
      focus,
      pairs: { count: left.length, left: Int32Array.from(left), right: Int32Array.from(right), pattern, score },
      scorer,
      names,
      settings,
    };
  }

  /** For each contact given that looks like a contact created before this transaction, the most likely one. */
  async likelyDuplicatesOf(tx: Tx, contactIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, { id: string; score: number }>();
    for (const { focusId, otherId, score } of await this.likely(tx, contactIds, { existingOnly: true })) {
      if ((found.get(focusId)?.score ?? -1) < score) found.set(focusId, { id: otherId, score });
    }
    return new Map([...found].map(([id, best]) => [id, best.id]));
  }

  /**
   * For each contact, the contacts sharing a stored key with it that score at or above the review threshold, the
   * pairs a person dismissed left out: most likely first, at most MAX_POSSIBLE_DUPLICATES.
   */
  async possibleDuplicates(contactIds: readonly string[]): Promise<PossibleDuplicateModel[][]> {
    return this.db.transaction(async (tx) => {
      const likely = (await this.likely(tx, contactIds)).sort((a, b) => b.score - a.score);
      const lists = new Map<string, typeof likely>(contactIds.map((id) => [id, []]));
      for (const pair of likely) {
        const list = lists.get(pair.focusId)!;
        if (list.length < MAX_POSSIBLE_DUPLICATES) list.push(pair);
      }
      const shown = [...lists.values()].flat();
      const contacts = new Map(
        (
          await this.contacts.getMany(
            tx,
            shown.map((pair) => pair.otherId),
          )
        ).map((contact) => [contact.id, contact]),
      );
      return contactIds.map((id) =>
        lists.get(id)!.map(({ otherId, score, evidence }) => {
          const found = evidence();
          return {
            contact: contacts.get(otherId)!,
            score,
            matchingFields: found
              .filter((item, field) => COMPARISONS[field].levels.indexOf(item.level) > DIFFERENT(field))
              .map((item) => item.field),
            evidence: found,
          };
        }),
      );
    });
  }

  /** The pairs of focused contacts with others scoring at or above the review threshold, dismissed ones left out. */
  private async likely(tx: Tx, contactIds: readonly string[], options: CandidateOptions = {}) {
    const { records, table, focus, pairs, scorer, settings } = await this.candidatesOf(tx, contactIds, options);
    const kept: number[] = [];
    for (let p = 0; p < pairs.count; p++) if (pairs.score[p] >= settings.reviewThreshold) kept.push(p);
    const dismissed = kept.length
      ? await this.duplicates.dismissedAmong(tx, [
          ...new Set(kept.flatMap((p) => [records[pairs.left[p]].id, records[pairs.right[p]].id])),
        ])
      : new Set<string>();
    return kept
      .filter((p) => !dismissed.has(`${records[pairs.left[p]].id}|${records[pairs.right[p]].id}`))
      .flatMap((p) => {
        const [i, j] = [pairs.left[p], pairs.right[p]];
        // a pair of two focused contacts is listed for both
        const sides =
          focus[i] && focus[j]
            ? [
                [i, j],
                [j, i],
              ]
            : focus[i]
              ? [[i, j]]
              : [[j, i]];
        return sides.map(([f, o]) => ({
          focusId: records[f].id,
          otherId: records[o].id,
          score: pairs.score[p],
          // the focused contact's values as `a`
          evidence: () =>
            scorer
              .evidence(table, i, j, pairs.pattern[p])
              .map((item) => (f === i ? item : { ...item, a: item.b, b: item.a })),
        }));
      });
  }

  /**
   * Stored records of the current version; with `normalizeMissing`, those lacking are computed from the contacts; with
   * `existingOnly`, only those of contacts created before this transaction.
   */
  private async recordsOf(
    tx: Tx,
    ids: readonly string[],
    { normalizeMissing = false, existingOnly = false } = {},
  ): Promise<MatchRecord[]> {
    if (ids.length === 0) return [];
    const existing = existingOnly
      ? 'AND EXISTS (SELECT 1 FROM contacts c WHERE c.org_id = r.org_id AND c.id = r.contact_id AND c.created_at < now())'
      : '';
    const stored = (
      await tx.query<{ record: MatchRecord }>(
        `SELECT record FROM contact_match_records r WHERE contact_id = ANY($1::uuid[]) AND version = $2 ${existing}`,
        [ids, MATCH_RECORD_VERSION],
      )
    ).map((row) => row.record);
    if (!normalizeMissing || stored.length === ids.length) return stored;
    const have = new Set(stored.map((record) => record.id));
    const missing = ids.filter((id) => !have.has(id));
    const contacts = await tx.query<ContactToMatch>(
      `SELECT ${MATCH_COLUMNS} FROM contacts WHERE id = ANY($1::uuid[])`,
      [missing],
    );
    return [...stored, ...contacts.map(toMatchRecord)];
  }

  /**
   * For each focused contact, the others sharing a stored key with it (NEAR_IN_LARGE_BLOCK): per key, up to MAX_BLOCK
   * on each side in sort key order, the primary key's.
   */
  private async nearestSharingKeys(tx: Tx, focused: readonly MatchRecord[]): Promise<Map<string, Set<string>>> {
    // the key values some contact holds, one probe each: an import into an organization without its keys yet (a new
    // one, or contacts not caught up) probes nothing more
    const hashesOf = new Map(focused.map((record) => [record.id, keyHashesOf(record)]));
    const held = new Set(
      (
        await tx.query<{ hash: number }>(
          `SELECT h AS hash FROM unnest($1::int4[]) AS h
            WHERE EXISTS (SELECT 1 FROM contact_match_keys k WHERE k.key_hash = h)`,
          [[...new Set([...hashesOf.values()].flat())]],
        )
      ).map((row) => row.hash),
    );
    const keys = { ids: [] as string[], hashes: [] as number[], sortKeys: [] as string[] };
    for (const record of focused) {
      for (const hash of hashesOf.get(record.id)!) {
        if (!held.has(hash)) continue;
        keys.ids.push(record.id);
        keys.hashes.push(hash);
        keys.sortKeys.push(record.sortKey);
      }
    }
    // `near`: 1 for the next on its side
    const rows = keys.ids.length
      ? await tx.query<{ key: number; id: string; near: number }>(
          `SELECT f.key::int AS key, n.contact_id AS id, n.near
             FROM unnest($1::uuid[], $2::int4[], $3::text[]) WITH ORDINALITY AS f(id, hash, sort_key, key)
            CROSS JOIN LATERAL (
              (SELECT k.contact_id, row_number() OVER (ORDER BY k.sort_key DESC, k.contact_id DESC)::int AS near
                 FROM contact_match_keys k
                WHERE k.key_hash = f.hash AND (k.sort_key, k.contact_id) < (f.sort_key COLLATE "C", f.id)
                ORDER BY k.sort_key DESC, k.contact_id DESC LIMIT ${MAX_BLOCK})
              UNION ALL
              (SELECT k.contact_id, row_number() OVER (ORDER BY k.sort_key, k.contact_id)::int AS near
                 FROM contact_match_keys k
                WHERE k.key_hash = f.hash AND (k.sort_key, k.contact_id) > (f.sort_key COLLATE "C", f.id)
                ORDER BY k.sort_key, k.contact_id LIMIT ${MAX_BLOCK})
            ) n`,
          [keys.ids, keys.hashes, keys.sortKeys],
        )
      : [];
    const blockSize = new Map<number, number>();
    for (const { key } of rows) blockSize.set(key, (blockSize.get(key) ?? 1) + 1);
    const others = new Map(focused.map((record) => [record.id, new Set<string>()]));
    for (const { key, id, near } of rows) {
      if (blockSize.get(key)! > MAX_BLOCK && near > NEAR_IN_LARGE_BLOCK) continue;
      others.get(keys.ids[key - 1])!.add(id);
    }
    return others;
  }

  /**
   * How common the names the pairs agree on are (and both records' full names where a pair may be scored on names
   * alone: Namesakes), counted over the organization's stored names (an index-only count per name, kept a while: a
   * common name counts tens of thousands of rows); the organization's size as given, or kept.
   */
  private async nameFrequencies(
    tx: Tx,
    table: MatchTable,
    left: readonly number[],
    right: readonly number[],
    pattern: Int32Array,
    size: number | undefined,
  ): Promise<NameFrequencies> {
    const { orgId } = TenantContexts.require();
    const counts = Object.fromEntries(NAME_KINDS.map((kind) => [kind, new Map<string, number>()])) as Record<
      NameKind,
      Map<string, number>
    >;
    const uncounted = new Set<string>();
    for (let p = 0; p < left.length; p++) {
      const [a, b] = [left[p], right[p]];
      const names = [
        ...NameFrequencies.agreedNames(table, a, b, pattern[p]),
        ...NameFrequencies.fullNames(table, a, b, pattern[p]),
      ];
      for (const [kind, name] of names) {
        const kept = this.kept.get(`${orgId}:${kind}:${name}`);
        if (kept && kept.age < COUNT_TTL_MS) counts[kind].set(name, kept.count);
        else uncounted.add(`${kind}:${name}`);
      }
    }
    if (uncounted.size > 0) {
      const rows = await tx.query<{ name: string; count: number }>(
        'SELECT name, count(*)::int AS count FROM contact_match_names WHERE name = ANY($1::text[]) GROUP BY name',
        [[...uncounted]],
      );
      const found = new Map(rows.map((row) => [row.name, row.count]));
      for (const term of uncounted) {
        const colon = term.indexOf(':');
        const count = found.get(term) ?? 0;
        counts[term.slice(0, colon) as NameKind].set(term.slice(colon + 1), count);
        this.kept.set(`${orgId}:${term}`, count);
      }
    }
    return NameFrequencies.fromCounts(size ?? (await this.organizationSize(tx)), counts);
  }

  /** What a run that read every stored record counted: the organization's size and its names, kept. */
  keepCounts(size: number, names: NameFrequencies): void {
    const { orgId } = TenantContexts.require();
    this.kept.set(orgId, size);
    for (const [kind, name, count] of names.counts()) this.kept.set(`${orgId}:${kind}:${name}`, count);
  }

  /**
   * How many contacts the organization has (MatchKeysService.count), kept when large: a tenth of a second at a
   * million. A kept count older than COUNT_TTL_MS is still answered while a transaction of its own counts again.
   */
  async organizationSize(tx: Tx): Promise<number> {
    const { orgId } = TenantContexts.require();
    const kept = this.kept.get(orgId);
    if (!kept) {
      const size = await this.keys.count(tx);
      this.kept.set(orgId, size);
      return size;
    }
    if (kept.age >= COUNT_TTL_MS) {
      this.kept.set(orgId, kept.count); // one recount at a time
      this.db
        .separateTransaction((recount) => this.keys.count(recount))
        .then(
          (size) => this.kept.set(orgId, size),
          (error: unknown) => logger.warn({ err: error }, 'recounting contacts for name frequencies failed'),
        );
    }
    return kept.count;
  }
}

/** Counts (an organization's size, how many of its contacts have a name) with when they were counted; bounded. */
class KeptCounts {
  private readonly counts = new Map<string, { count: number; at: number }>();

  /** The count and its age (ms), if kept. */
  get(key: string): { count: number; age: number } | undefined {
    const kept = this.counts.get(key);
    return kept && { count: kept.count, age: Date.now() - kept.at };
  }

  /** Keeps the count if it is at least KEEP_COUNTS_FROM (forgets a smaller one). */
  set(key: string, count: number): void {
    if (count < KEEP_COUNTS_FROM) {
      this.counts.delete(key);
      return;
    }
    if (this.counts.size >= MAX_KEPT_COUNTS) this.counts.clear();
    this.counts.set(key, { count, at: Date.now() });
  }
}
