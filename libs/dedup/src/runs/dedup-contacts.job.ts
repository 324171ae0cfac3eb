import { Injectable } from '@nestjs/common';
import { logger } from '@app/common';
import { TenantDb } from '@app/database';
import { JobHandler, type JobHandlerContract, JobName, type JobPayload, type JobProgress } from '@app/jobs';
import { DEFAULT_PARAMETERS } from '../matching/fellegi-sunter.js';
import { DuplicateFinder } from '../keys/duplicate-finder.service.js';
import { MatchKeysService } from '../keys/match-keys.service.js';
import type { MatchRecord } from '../matching/match-record.js';
import {
  clusterRoots,
  compareCandidates,
  type ComparedPairs,
  NameFrequencies,
  PairScorer,
  pairFingerprint,
} from '../matching/matcher.js';
import { MergeService } from '../merge/merge.service.js';
import { DedupSettingsService } from './dedup-settings.service.js';
import { type DedupRunParams, DedupScope } from './dedup.models.js';
import { DuplicatesService, type FoundPair } from './duplicates.service.js';

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
  ) {}

  async run({ jobRunId, params }: JobPayload<DedupRunParams>, progress: JobProgress): Promise<Record<string, number>> {
    const started = performance.now();
    const settings = await this.settings.read();
    const caughtUp = await this.keys.catchUp();
    const focusIds = await this.focus(params);
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
    const kept: { p: number; score: number }[] = [];
    for (let p = 0; p < pairs.count; p++) {
      const score = scorer.score(records[pairs.left[p]], records[pairs.right[p]], pairs.pattern[p]);
      if (score >= settings.reviewThreshold) kept.push({ p, score });
    }
    const roots = clusterRoots(
      records.length,
      kept.map(({ p }) => [pairs.left[p], pairs.right[p]] as [number, number]),
    );
    const found: FoundPair[] = kept.map(({ p, score }) => {
      const [a, b] = [records[pairs.left[p]], records[pairs.right[p]]];
      const pattern = pairs.pattern[p];
      return {
        contactA: a.id,
        contactB: b.id,
        score,
        evidence: () => scorer.evidence(a, b, pattern),
        clusterId: records[roots[pairs.left[p]]].id,
        fingerprint: pairFingerprint(a, b),
      };
    });
    counts.candidates = found.length;
    const scoredAt = performance.now();

    await this.db.transaction(async (tx) => {
      if (learn && scorer.parameters !== DEFAULT_PARAMETERS) await this.settings.saveParameters(tx, scorer.parameters);
      await this.duplicates.saveRun(tx, jobRunId, focusIds, found);
      if (!params.autoMerge) return;
      const sure = found.filter((pair) => pair.score >= settings.autoMergeThreshold);
      const dismissed = await this.duplicates.dismissedAmong(tx, [
        ...new Set(sure.flatMap((pair) => [pair.contactA, pair.contactB])),
      ]);
      const links = sure.filter((pair) => !dismissed.has(`${pair.contactA}|${pair.contactB}`));
      Object.assign(
        counts,
        await this.mergeClusters(
          links,
          new Map(records.map((record, i) => [record.id, i])),
          records.map((record) => record.id),
          jobRunId,
        ),
      );
    });
    const ms = (from: number, to: number) => Math.round(to - from);
    logger.info(
      {
        jobRunId,
        ...counts,
        loadAndCompareMs: ms(started, comparedAt),
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
   * every stored record and blocks in memory (only pairs touching the focused contacts, if any).
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
    const records = await this.keys.loadRecords((loaded) => progress.report(0, null, { loaded }));
    let focus: Uint8Array | null = null;
    if (focusIds) {
      const index = new Map(records.map((record, i) => [record.id, i]));
      focus = new Uint8Array(records.length);
      for (const id of focusIds) if (index.has(id)) focus[index.get(id)!] = 1;
    }
    return { records, focus, pairs: await compareCandidates(records, focus), names: null, size: records.length };
  }

  private async focus(params: DedupRunParams): Promise<string[] | null> {
    if (params.scope === DedupScope.CONTACT_IDS) return params.contactIds ?? [];
    if (params.scope === DedupScope.CHANGED_SINCE) return this.duplicates.changedSince(params.since!);
    return null;
  }

  /** Merges each cluster of sure pairs into its oldest contact (the smallest id: ids are time-ordered). */
  private async mergeClusters(
    links: readonly FoundPair[],
    index: Map<string, number>,
    ids: readonly string[],
    jobRunId: string,
  ): Promise<Record<string, number>> {
    const roots = clusterRoots(
      ids.length,
      links.map((pair) => [index.get(pair.contactA)!, index.get(pair.contactB)!] as [number, number]),
    );
    const clusters = new Map<number, { members: Set<string>; weakest: number }>();
    for (const pair of links) {
      const root = roots[index.get(pair.contactA)!];
      const cluster = clusters.get(root) ?? { members: new Set<string>(), weakest: 1 };
      cluster.members.add(pair.contactA).add(pair.contactB);
      cluster.weakest = Math.min(cluster.weakest, pair.score);
      clusters.set(root, cluster);
    }
    const counts = { merges: 0, mergedContacts: 0, clustersTooLarge: 0 };
    for (const [root, { members, weakest }] of clusters) {
      if (members.size > MAX_AUTO_MERGE_CLUSTER) {
        counts.clustersTooLarge++;
        continue;
      }
      const mergedIds = [...members].filter((id) => id !== ids[root]);
      await this.merges.merge({ survivorId: ids[root], mergedIds, automatic: true, score: weakest, jobRunId });
      counts.merges++;
      counts.mergedContacts += mergedIds.length;
    }
    return counts;
  }
}
