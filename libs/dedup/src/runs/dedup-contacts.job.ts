import { Inject, Injectable } from '@nestjs/common';
import { logger } from '@app/common';
import { TenantDb } from '@app/database';
import { JobHandler, type JobHandlerContract, JobName, type JobPayload, type JobProgress } from '@app/jobs';
import { DEFAULT_PARAMETERS } from '../matching/fellegi-sunter.js';
import { DuplicateFinder } from '../keys/duplicate-finder.service.js';
import { MatchKeysService } from '../keys/match-keys.service.js';
import { ComparisonThreads } from '../matching/comparison-threads.js';
import { coherentClusters, type ScoredPair } from '../matching/clustering.js';
import type { MatchTable } from '../matching/match-table.js';
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
    const { table, focus, pairs, names, size } = await this.compare(focusIds, progress);
    const counts: Record<string, number> = {
      contacts: size,
      loaded: table.size,
      focused: focus ? focus.reduce((sum, flag) => sum + flag, 0) : table.size,
      pairsCompared: pairs.count,
      caughtUp,
    };
    await progress.report(pairs.count, pairs.count, counts);
    const comparedAt = performance.now();

    const learn = params.scope === DedupScope.ALL;
    const scorer = learn
      ? PairScorer.learned(table, pairs, DEFAULT_PARAMETERS)
      : new PairScorer(settings.parameters ?? DEFAULT_PARAMETERS, names ?? new NameFrequencies(table));
    // a run that read every record counted its names: what possibleDuplicates and focused runs would count again
    if (!names) this.finder.keepCounts(table.size, scorer.names!);
    const review = linkedPairs(table, pairs, scorer, settings.reviewThreshold);
    const id = (row: number) => table.id.at(row);
    const found: FoundPair[] = review.links.map(({ a, b, score, pattern }) => ({
      contactA: id(a),
      contactB: id(b),
      score,
      evidence: () => scorer.evidence(table, a, b, pattern),
      clusterId: id(review.roots[a]),
      fingerprint: pairFingerprint(table, a, b),
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
        ...new Set(sureLinks.flatMap((pair) => [id(pair.a), id(pair.b)])),
      ]);
      const isDismissed = (a: number, b: number) =>
        dismissed.has(id(a) < id(b) ? `${id(a)}|${id(b)}` : `${id(b)}|${id(a)}`);
      const sure = coherentClusters(
        table.size,
        sureLinks.filter((pair) => !isDismissed(pair.a, pair.b)),
        (a, b) => (isDismissed(a, b) ? 0 : scorer.compareAndScore(table, a, b)),
      );
      Object.assign(counts, await this.mergeClusters(table, sure.roots, sure.links, jobRunId));
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
    table: MatchTable;
    focus: Uint8Array | null;
    pairs: ComparedPairs;
    names: NameFrequencies | null;
    size: number;
  }> {
    if (focusIds && focusIds.length <= MAX_FOCUSED) {
      return this.db.transaction(async (tx) => {
        const size = await this.keys.count(tx);
        const { table, focus, pairs, names } = await this.finder.candidatesOf(tx, focusIds, { size });
        return { table, focus, pairs: { count: pairs.count, chunks: [pairs], perKey: {} }, names, size };
      });
    }
    const threads = ComparisonThreads.start(this.options.comparisonThreads);
    try {
      const input = await this.keys.loadAll((loaded) => progress.report(0, null, { loaded }));
      const { table } = input;
      let focus: Uint8Array | null = null;
      if (focusIds) {
        const focused = new Set(focusIds);
        focus = new Uint8Array(table.size);
        for (let row = 0; row < table.size; row++) if (focused.has(table.id.at(row))) focus[row] = 1;
      }
      const pairs = await compareCandidates(input, focus, threads);
      return { table, focus, pairs, names: null, size: table.size };
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
    table: MatchTable,
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
      const mergedIds = [...members].filter((member) => member !== root).map((member) => table.id.at(member));
      await this.merges.merge({ survivorId: table.id.at(root), mergedIds, automatic: true, score: weakest, jobRunId });
      counts.merges++;
      counts.mergedContacts += mergedIds.length;
    }
    return counts;
  }
}
