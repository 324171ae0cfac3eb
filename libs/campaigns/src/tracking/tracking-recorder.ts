import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { logger } from '@app/common';
import { TenantContexts, TenantDb, type Tx } from '@app/database';
import { type MessageEventInput, MessageEvents } from '../messages/message-events.js';
import { CampaignLinksCache, urlKey } from './campaign-links.cache.js';
import { BoundedLru } from './bounded-lru.js';

/** How long the first event of a batch waits for others, in ms. */
const BATCH_WINDOW_MS = 4;
/** A batch this large is written at once. */
const BATCH_MAX_EVENTS = 500;
/** Batches written at the same time (each holds a connection; one per organization); the others wait and keep growing. */
const CONCURRENT_BATCHES = 4;
/** Events waiting beyond this are refused (503) rather than queued: the database is not keeping up. */
const MAX_WAITING_EVENTS = 20_000;
/** Opens and clicks known to be recorded (a repeat needs no transaction): about 250 bytes each. */
const RECORDED_KEPT = 50_000;

/** What an open or click found: whether its message exists, and for a click the link's URL (null: no such link). */
export interface TrackResult {
  found: boolean;
  url: string | null;
}

/** Thrown when too many events wait for the database: the request gets 503. */
export class TrackingOverloadedError extends Error {}

interface Pending {
  messageId: string;
  /** null for an open */
  link: number | null;
  at: Date;
  waiters: { resolve: (result: TrackResult) => void; reject: (error: unknown) => void }[];
}

interface Batch {
  orgId: string;
  /** by message and link: a repeated open (or click of the same link) in a batch is recorded once */
  pending: Map<string, Pending>;
  timer?: NodeJS.Timeout;
  /** waiting for a slot */
  due: boolean;
}

const NOT_FOUND: TrackResult = { found: false, url: null };

/**
 * Group commit of opens and clicks: the events of an organization that arrive within a few ms (or up to
 * BATCH_MAX_EVENTS) are recorded by one tenant transaction (MessageEvents.record), and each request is answered once
 * its batch has committed, so an answered open is never lost. A click also records an open. Repeats of an event
 * already recorded by this process are answered from memory (recording them again would change nothing).
 */
@Injectable()
export class TrackingRecorder implements BeforeApplicationShutdown {
  private readonly open = new Map<string, Batch>();
  private readonly due: Batch[] = [];
  /** organizations whose batch is being written */
  private readonly writingOrgs = new Set<string>();
  private waiting = 0;
  /** `org:message:link|o` -> the message's campaign */
  private readonly recorded = new BoundedLru<string, string>(RECORDED_KEPT);

  constructor(
    private readonly db: TenantDb,
    private readonly events: MessageEvents,
    private readonly links: CampaignLinksCache,
  ) {}

  /** Records an open of the message; resolves once committed (found: false when the message does not exist). */
  opened(orgId: string, messageId: string): Promise<TrackResult> {
    return this.track(orgId, messageId, null);
  }

  /** Records a click of the link (and an open); resolves with the link's URL once committed. */
  clicked(orgId: string, messageId: string, link: number): Promise<TrackResult> {
    return this.track(orgId, messageId, link);
  }

  private track(orgId: string, messageId: string, link: number | null): Promise<TrackResult> {
    const key = `${messageId}:${link ?? 'o'}`;
    const campaignId = this.recorded.get(`${orgId}:${key}`);
    if (campaignId !== undefined) {
      if (link === null) return Promise.resolve({ found: true, url: null });
      const url = this.links.cached(orgId, { campaignId, link });
      if (url !== undefined) return Promise.resolve({ found: true, url });
    }
    if (this.waiting >= MAX_WAITING_EVENTS) return Promise.reject(new TrackingOverloadedError());
    return new Promise<TrackResult>((resolve, reject) => {
      let batch = this.open.get(orgId);
      if (!batch) {
        batch = { orgId, pending: new Map(), due: false };
        this.open.set(orgId, batch);
        const created = batch;
        batch.timer = setTimeout(() => this.markDue(created), BATCH_WINDOW_MS);
      }
      let pending = batch.pending.get(key);
      if (!pending) {
        pending = { messageId, link, at: new Date(), waiters: [] };
        batch.pending.set(key, pending);
      }
      pending.waiters.push({ resolve, reject });
      this.waiting++;
      if (batch.pending.size >= BATCH_MAX_EVENTS) this.markDue(batch);
    });
  }

  /**
   * The batch is due (its window is over, or it is full): it is written as soon as a slot is free, and until then it
   * keeps taking its organization's events, so that batches grow when the database is slower.
   */
  private markDue(batch: Batch): void {
    clearTimeout(batch.timer);
    if (batch.due) return;
    batch.due = true;
    this.due.push(batch);
    this.writeDue();
  }

  /**
   * Writes due batches while slots are free, one at a time per organization: its transactions would wait for each
   * other anyway (they update the same rows: the campaign's interaction rollups of the day).
   */
  private writeDue(): void {
    for (let i = 0; i < this.due.length && this.writingOrgs.size < CONCURRENT_BATCHES;) {
      const batch = this.due[i];
      if (this.writingOrgs.has(batch.orgId)) {
        i++;
        continue;
      }
      this.due.splice(i, 1);
      this.open.delete(batch.orgId);
      this.writingOrgs.add(batch.orgId);
      void this.write(batch).finally(() => {
        this.writingOrgs.delete(batch.orgId);
        this.writeDue();
      });
    }
  }

  private async write(batch: Batch): Promise<void> {
    const items = [...batch.pending.values()];
    const count = items.reduce((sum, item) => sum + item.waiters.length, 0);
    try {
      const results = await TenantContexts.run({ orgId: batch.orgId }, () =>
        this.db.transaction((tx) => this.record(tx, batch.orgId, items)),
      );
      items.forEach((item, i) => {
        const campaignId = results[i].campaignId;
        if (campaignId) {
          this.recorded.set(`${batch.orgId}:${item.messageId}:${item.link ?? 'o'}`, campaignId);
          // a click recorded the open too
          if (item.link !== null) this.recorded.set(`${batch.orgId}:${item.messageId}:o`, campaignId);
        }
        for (const waiter of item.waiters) waiter.resolve(results[i].result);
      });
    } catch (error) {
      logger.error({ err: error, events: items.length }, 'campaign tracking: a batch of opens and clicks failed');
      for (const item of items) for (const waiter of item.waiters) waiter.reject(error);
    } finally {
      this.waiting -= count;
    }
  }

  /** The batch's events in one transaction: which messages exist, the clicked links' URLs, then the events. */
  private async record(
    tx: Tx,
    orgId: string,
    items: readonly Pending[],
  ): Promise<{ result: TrackResult; campaignId: string | null }[]> {
    const messages = await tx.query<{ id: string; campaignId: string }>(
      `SELECT id, campaign_id AS "campaignId" FROM campaign_messages WHERE id = ANY($1::uuid[])`,
      [[...new Set(items.map((item) => item.messageId))]],
    );
    const campaignOf = new Map(messages.map((m) => [m.id, m.campaignId]));
    const clicks = items.flatMap((item) =>
      item.link !== null && campaignOf.has(item.messageId)
        ? [{ campaignId: campaignOf.get(item.messageId)!, link: item.link }]
        : [],
    );
    const urls = clicks.length > 0 ? await this.links.urls(tx, orgId, clicks) : new Map<string, string>();

    const outcomes = items.map((item) => {
      const campaignId = campaignOf.get(item.messageId);
      if (!campaignId) return { result: NOT_FOUND, campaignId: null };
      if (item.link === null) return { result: { found: true, url: null }, campaignId };
      const url = urls.get(urlKey({ campaignId, link: item.link }));
      return url === undefined ? { result: NOT_FOUND, campaignId: null } : { result: { found: true, url }, campaignId };
    });
    const events: MessageEventInput[] = [];
    const openedAt = new Map<string, Date>();
    items.forEach((item, i) => {
      if (!outcomes[i].result.found) return;
      const first = openedAt.get(item.messageId);
      if (!first || item.at < first) openedAt.set(item.messageId, item.at);
      if (item.link !== null)
        events.push({ messageId: item.messageId, event: 'clicked', at: item.at, link: item.link });
    });
    for (const [messageId, at] of openedAt) events.push({ messageId, event: 'opened', at });
    await this.events.record(tx, events);
    return outcomes;
  }

  /** Writes what is waiting before the connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const batch of [...this.open.values()]) this.markDue(batch);
    while (this.writingOrgs.size > 0 || this.due.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
