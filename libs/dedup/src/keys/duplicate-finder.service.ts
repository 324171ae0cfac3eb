import { Injectable } from '@nestjs/common';
import { ContactDuplicates, type ContactDuplicatesContract, ContactLookupService } from '@app/contacts';
import { TenantContexts, TenantDb, type Tx } from '@app/database';
import { COMPARISONS, comparisonPattern, levelOf } from '../matching/comparisons.js';
import { DEFAULT_PARAMETERS } from '../matching/fellegi-sunter.js';
import {
  type ContactToMatch,
  MATCH_RECORD_VERSION,
  type MatchRecord,
  toMatchRecord,
} from '../matching/match-record.js';
import { NAME_KINDS, type NameKind, NameFrequencies, PairScorer } from '../matching/matcher.js';
import { type DedupSettings, DedupSettingsService } from '../runs/dedup-settings.service.js';
import { DuplicatesService } from '../runs/duplicates.service.js';
import { keyHashesOf, MATCH_COLUMNS, MatchKeysService, nameTermsOf } from './match-keys.service.js';
import type { PossibleDuplicateModel } from './possible-duplicate.model.js';

/**
 * A contact meets at most this many others per key it shares: the nearest by sort key (names, then birth date), half
 * on each side. A full run sorts a large block and compares each contact with its few next (blocking.ts); looking at
 * a few contacts, this compares each with more, at a bounded cost.
 */
export const MAX_PER_KEY = 50;
/** possibleDuplicates lists at most this many, most likely first. */
export const MAX_POSSIBLE_DUPLICATES = 10;
/** How long the organization's contact count (the base of name frequencies) is kept between reads. */
const SIZE_TTL_MS = 60_000;
const NAME_FIELDS = COMPARISONS.flatMap((comparison, field) => (comparison.name ? [field] : []));
const DIFFERENT = (field: number) => COMPARISONS[field].levels.indexOf('different');

/** The contacts that may be the same person as some focused contacts, with the pairs to score. */
export interface Candidates {
  /** The focused contacts and the others, in id order. */
  records: MatchRecord[];
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
  /** The organization's contact count, when the caller has it exactly (a run); else counted, then kept a minute. */
  size?: number;
}

/**
 * Who may be the same person as given contacts, from the stored keys (contact_match_keys) and records: the one way
 * possibleDuplicates, a create with onDuplicate REJECT, an import's counts and incremental runs find candidates. It
 * is also what the writers of contacts call (ContactDuplicatesContract, plugged in at start-up).
 */
@Injectable()
export class DuplicateFinder implements ContactDuplicatesContract {
  private readonly sizes = new Map<string, { size: number; at: number }>();

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
   * Every contact sharing a stored blocking key hash with a focused contact (at most MAX_PER_KEY per key), compared
   * with it and scored with the organization's learned parameters and its name frequencies (counted over every
   * contact). A focused contact without a current stored record is normalized as it is now.
   */
  async candidatesOf(tx: Tx, contactIds: readonly string[], options: CandidateOptions = {}): Promise<Candidates> {
    const focused = await this.recordsOf(tx, contactIds, true);
    const others = await this.nearestSharingKeys(tx, focused, options.existingOnly ?? false);
    const focusIds = new Set(focused.map((record) => record.id));
    const othersNeeded = [...new Set([...others.values()].flatMap((ids) => [...ids]))].filter(
      (id) => !focusIds.has(id),
    );
    const records = [...focused, ...(await this.recordsOf(tx, othersNeeded, false))].sort((a, b) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    const index = new Map(records.map((record, i) => [record.id, i]));
    const focus = new Uint8Array(records.length);
    for (const id of focusIds) focus[index.get(id)!] = 1;

    const seen = new Set<number>();
    const [left, right]: number[][] = [[], []];
    for (const [focusId, near] of others) {
      const f = index.get(focusId)!;
      for (const id of near) {
        const o = index.get(id);
        if (o === undefined) continue; // no current record yet: the next catch-up stores it
        const [i, j] = f < o ? [f, o] : [o, f];
        if (seen.has(i * records.length + j)) continue;
        seen.add(i * records.length + j);
        left.push(i);
        right.push(j);
      }
    }
    const pattern = Int32Array.from(left, (i, p) => comparisonPattern(records[i], records[right[p]]));
    const settings = await this.settings.get(tx);
    const names = await this.nameFrequencies(tx, records, left, right, pattern, options.size);
    const scorer = new PairScorer(settings.parameters ?? DEFAULT_PARAMETERS, names);
    const score = Float64Array.from(left, (i, p) => scorer.score(records[i], records[right[p]], pattern[p]));
    return {
      records,
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
    const { records, focus, pairs, scorer, settings } = await this.candidatesOf(tx, contactIds, options);
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
              .evidence(records[i], records[j], pairs.pattern[p])
              .map((item) => (f === i ? item : { ...item, a: item.b, b: item.a })),
        }));
      });
  }

  /** Stored records of the current version; with `normalizeMissing`, those lacking are computed from the contacts. */
  private async recordsOf(tx: Tx, ids: readonly string[], normalizeMissing: boolean): Promise<MatchRecord[]> {
    if (ids.length === 0) return [];
    const stored = (
      await tx.query<{ record: MatchRecord }>(
        'SELECT record FROM contact_match_records WHERE contact_id = ANY($1::uuid[]) AND version = $2',
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
   * For each focused contact, the others sharing a stored key with it: per key, the MAX_PER_KEY / 2 nearest on each
   * side in sort key order (the primary key's order: a few index rows per key however large the block). With
   * `existingOnly`, only contacts created before this transaction.
   */
  private async nearestSharingKeys(
    tx: Tx,
    focused: readonly MatchRecord[],
    existingOnly: boolean,
  ): Promise<Map<string, Set<string>>> {
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
    const existing = existingOnly
      ? 'AND EXISTS (SELECT 1 FROM contacts c WHERE c.org_id = k.org_id AND c.id = k.contact_id AND c.created_at < now())'
      : '';
    const rows = keys.ids.length
      ? await tx.query<{ focusId: string; id: string }>(
          `SELECT f.id AS "focusId", n.contact_id AS id
             FROM unnest($1::uuid[], $2::int4[], $3::text[]) AS f(id, hash, sort_key)
            CROSS JOIN LATERAL (
              (SELECT k.contact_id FROM contact_match_keys k
                WHERE k.key_hash = f.hash AND (k.sort_key, k.contact_id) < (f.sort_key COLLATE "C", f.id) ${existing}
                ORDER BY k.sort_key DESC, k.contact_id DESC LIMIT ${MAX_PER_KEY / 2})
              UNION ALL
              (SELECT k.contact_id FROM contact_match_keys k
                WHERE k.key_hash = f.hash AND (k.sort_key, k.contact_id) > (f.sort_key COLLATE "C", f.id) ${existing}
                ORDER BY k.sort_key, k.contact_id LIMIT ${MAX_PER_KEY / 2})
            ) n`,
          [keys.ids, keys.hashes, keys.sortKeys],
        )
      : [];
    const others = new Map(focused.map((record) => [record.id, new Set<string>()]));
    for (const { focusId, id } of rows) others.get(focusId)!.add(id);
    return others;
  }

  /**
   * How common the names of the pairs agreeing on a name are, counted over the organization's stored names (an
   * index-only count per name); the organization's size counted, or as given.
   */
  private async nameFrequencies(
    tx: Tx,
    records: readonly MatchRecord[],
    left: readonly number[],
    right: readonly number[],
    pattern: Int32Array,
    size: number | undefined,
  ): Promise<NameFrequencies> {
    const terms = new Set<string>();
    for (let p = 0; p < left.length; p++) {
      if (!NAME_FIELDS.some((field) => levelOf(pattern[p], field) > DIFFERENT(field))) continue;
      for (const term of [...nameTermsOf(records[left[p]]), ...nameTermsOf(records[right[p]])]) terms.add(term);
    }
    const counts = Object.fromEntries(NAME_KINDS.map((kind) => [kind, new Map<string, number>()])) as Record<
      NameKind,
      Map<string, number>
    >;
    if (terms.size > 0) {
      const rows = await tx.query<{ name: string; count: number }>(
        'SELECT name, count(*)::int AS count FROM contact_match_names WHERE name = ANY($1::text[]) GROUP BY name',
        [[...terms]],
      );
      for (const { name, count } of rows) {
        const colon = name.indexOf(':');
        counts[name.slice(0, colon) as NameKind]?.set(name.slice(colon + 1), count);
      }
    }
    return NameFrequencies.fromCounts(size ?? (await this.organizationSize(tx)), counts);
  }

  private async organizationSize(tx: Tx): Promise<number> {
    const { orgId } = TenantContexts.require();
    const kept = this.sizes.get(orgId);
    if (kept && Date.now() - kept.at < SIZE_TTL_MS) return kept.size;
    const size = await this.keys.count(tx);
    if (this.sizes.size > 10_000) this.sizes.clear();
    this.sizes.set(orgId, { size, at: Date.now() });
    return size;
  }
}
