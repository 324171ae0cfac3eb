import { Inject, Injectable } from '@nestjs/common';
import { logger } from '@app/common';
import { TenantDb } from '@app/database';
import { JobHandler, type JobHandlerContract, JobName, type JobPayload, type JobProgress } from '@app/jobs';
import { DEFAULT_PARAMETERS } from '../matching/fellegi-sunter.js';
import { DuplicateFinder } from '../keys/duplicate-finder.service.js';
import { MatchKeysService } from '../keys/match-keys.service.js';
import { ComparisonThreads } from '../matching/comparison-threads.js';
import type { MatchRecord } from '../matching/match-record.js';
import { coherentClusters, type ScoredPair } from '../matching/clustering.js';
import {
  compareCandidates,
  type ComparedPairs,
  NameFrequencies,
  PairScorer,
  linkedPairs,
  pairFingerprint,
} from '../matching/matcher.js';
import { MergeService } from '../merge/merge.service.js';
import { DedupSettingsService } from './dedup-settings.service.js';
import { type DedupRunParams, DedupScope } from './dedup.models.js';
import { DuplicatesService, type FoundPair } from './duplicates.service.js';

export interface DedupOptions {
  /** Threads a full run compares on (DEDUP_THREADS). */
  comparisonThreads: number;
}
export const DEDUP_OPTIONS = Symbol('DEDUP_OPTIONS');

/** An automatic merge takes clusters up to this size; larger ones (chains of look-alikes) wait for a person. */
export const MAX_AUTO_MERGE_CLUSTER = 5;
/** A run focused on more contacts than this reads every contact (the neighbourhoods would cover most of them). */
export const MAX_FOCUSED = 20_000;

/**
 * A dedup run: compares contacts in memory (blocking, then Fellegi-Sunter scoring), stores the pairs at or above the
 * review threshold and, when asked, merges the clusters at or above the auto-merge threshold. A full run also learns
 * the organization's match parameters. Everything is written in one transaction: a retried run recomputes from the
 * data and ends as a clean run would.
 */
@Injectable()
@JobHandler(JobName.DEDUP_CONTACTS)
export class DedupContactsJob implements JobHandlerContract<DedupRunParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly duplicates: DuplicatesService,
    private readonly settings: DedupSettingsService,
    private readonly merges: MergeService,
    private readonly keys: MatchKeysService,
    private readonly finder: DuplicateFinder,
    @Inject(DEDUP_OPTIONS) private readonly options: DedupOptions,
  ) {}

  async run({ jobRunId, params }: JobPayload<DedupRunParams>, progress: JobProgress): Promise<Record<string, number>> {
    const started = performance.now();
    const settings = await this.settings.read();
    const focusIds = await this.focus(params);
    // a run that reads only some contacts' neighbours catches up only them; the others' turn comes with a full run
    const caughtUp = await this.keys.catchUp(focusIds && focusIds.length <= MAX_FOCUSED ? focusIds : undefined);
    const caughtUpAt = performance.now();
    if (focusIds?.length === 0) return { contacts: 0, focused: 0, pairsCompared: 0, candidates: 0, caughtUp };
    const { records, focus, pairs, names, size } = await this.compare(focusIds, progress);
    const counts: Record<string, number> = {
      contacts: size,
      loaded: records.length,
      focused: focus ? focus.reduce((sum, flag) => sum + flag, 0) : records.length,
      pairsCompared: pairs.count,
      caughtUp,
    };
    await progress.report(pairs.count, pairs.count, counts);
    const comparedAt = performance.now();

    const learn = params.scope === DedupScope.ALL;
    const scorer = learn
      ? PairScorer.learned(records, pairs, DEFAULT_PARAMETERS)
      : new PairScorer(settings.parameters ?? DEFAULT_PARAMETERS, names ?? new NameFrequencies(records));
    // a run that read every record counted its names: what possibleDuplicates and focused runs would count again
    if (!names) this.finder.keepCounts(records.length, scorer.names!);
    const review = linkedPairs(records, pairs, scorer, settings.reviewThreshold);
    const found: FoundPair[] = review.links.map(({ a, b, score, pattern }) => ({
      contactA: records[a].id,
      contactB: records[b].id,
      score,
      evidence: () => scorer.evidence(records[a], records[b], pattern),
      clusterId: records[review.roots[a]].id,
      fingerprint: pairFingerprint(records[a], records[b]),
    }));
    counts.candidates = found.length;
    const scoredAt = performance.now();

    await this.db.transaction(async (tx) => {
      if (learn && scorer.parameters !== DEFAULT_PARAMETERS) await this.settings.saveParameters(tx, scorer.parameters);
      await this.duplicates.saveRun(tx, jobRunId, focusIds, found);
      if (!params.autoMerge) return;
      // a pair a person dismissed is no link, and counts against joining its two groups
      const sureLinks = review.links.filter((pair) => pair.score >= settings.autoMergeThreshold);
      const dismissed = await this.duplicates.dismissedAmong(tx, [
        ...new Set(sureLinks.flatMap((pair) => [records[pair.a].id, records[pair.b].id])),
      ]);
      const isDismissed = (a: number, b: number) =>
        dismissed.has(a < b ? `${records[a].id}|${records[b].id}` : `${records[b].id}|${records[a].id}`);
      const sure = coherentClusters(
        records.length,
        sureLinks.filter((pair) => !isDismissed(pair.a, pair.b)),
        (a, b) => (isDismissed(a, b) ? 0 : scorer.compareAndScore(records[a], records[b])),
      );
      Object.assign(counts, await this.mergeClusters(records, sure.roots, sure.links, jobRunId));
    });
    const ms = (from: number, to: number) => Math.round(to - from);
    logger.info(
      {
        jobRunId,
        ...counts,
        catchUpMs: ms(started, caughtUpAt),
        loadAndCompareMs: ms(caughtUpAt, comparedAt),
        scoreMs: ms(comparedAt, scoredAt),
        saveMs: ms(scoredAt, performance.now()),
      },
      'dedup run',
    );
    return counts;
  }

  /**
   * The pairs to score. A run focused on at most MAX_FOCUSED contacts reads only them and the contacts sharing a stored
   * key with them (DuplicateFinder.candidatesOf, name frequencies counted over the organization); any other run reads
   * every stored record and blocks in memory (only pairs touching the focused contacts, if any), on DEDUP_THREADS threads.
   */
  private async compare(
    focusIds: string[] | null,
    progress: JobProgress,
  ): Promise<{
    records: MatchRecord[];
    focus: Uint8Array | null;
    pairs: ComparedPairs;
    names: NameFrequencies | null;
    size: number;
  }> {
    if (focusIds && focusIds.length <= MAX_FOCUSED) {
      return this.db.transaction(async (tx) => {
        const size = await this.keys.count(tx);
        const { records, focus, pairs, names } = await this.finder.candidatesOf(tx, focusIds, { size });
        return { records, focus, pairs: { ...pairs, perKey: {} }, names, size };
      });
    }
    const threads = ComparisonThreads.start(this.options.comparisonThreads);
    try {
      const records = await this.keys.loadRecords(async (texts, loaded) => {
        threads?.add(texts);
        await progress.report(0, null, { loaded });
      });
      let focus: Uint8Array | null = null;
      if (focusIds) {
        const index = new Map(records.map((record, i) => [record.id, i]));
        focus = new Uint8Array(records.length);
        for (const id of focusIds) if (index.has(id)) focus[index.get(id)!] = 1;
      }
      const pairs = await compareCandidates(records, focus, threads);
      return { records, focus, pairs, names: null, size: records.length };
    } finally {
      await threads?.close();
    }
  }

  private async focus(params: DedupRunParams): Promise<string[] | null> {
    if (params.scope === DedupScope.CONTACT_IDS) return params.contactIds ?? [];
    if (params.scope === DedupScope.CHANGED_SINCE) return this.duplicates.changedSince(params.since!);
    return null;
  }

  /** Merges each group of sure links into its oldest contact (the smallest id: ids are time-ordered). */
  private async mergeClusters(
    records: readonly MatchRecord[],
    roots: Int32Array,
    links: readonly ScoredPair[],
    jobRunId: string,
  ): Promise<Record<string, number>> {
    const clusters = new Map<number, { members: Set<number>; weakest: number }>();
    for (const link of links) {
      const root = roots[link.a];
      const cluster = clusters.get(root) ?? { members: new Set<number>(), weakest: 1 };
      cluster.members.add(link.a).add(link.b);
      cluster.weakest = Math.min(cluster.weakest, link.score);
      clusters.set(root, cluster);
    }
    const counts = { merges: 0, mergedContacts: 0, clustersTooLarge: 0 };
    for (const [root, { members, weakest }] of clusters) {
      if (members.size > MAX_AUTO_MERGE_CLUSTER) {
        counts.clustersTooLarge++;
        continue;
      }
      const mergedIds = [...members].filter((member) => member !== root).map((member) => records[member].id);
      await this.merges.merge({ survivorId: records[root].id, mergedIds, automatic: true, score: weakest, jobRunId });
      counts.merges++;
      counts.mergedContacts += mergedIds.length;
    }
    return counts;
  }
}
