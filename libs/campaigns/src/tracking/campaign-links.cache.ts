import { Injectable } from '@nestjs/common';
import type { Tx } from '@app/database';
import { BoundedLru } from './bounded-lru.js';

/** How many campaigns' links are kept (a campaign's links are a few dozen URLs). */
const CAMPAIGNS_KEPT = 2_000;

/** A link of a campaign, as a click token names it. */
export interface LinkRef {
  campaignId: string;
  link: number;
}

/**
 * The links of recently clicked campaigns (campaign_links), per organization and campaign: a click redirects without
 * reading them again. A link missing from the cached list is looked up again (the list may have been read before the
 * campaign's links were all written); an unknown link stays unknown.
 */
@Injectable()
export class CampaignLinksCache {
  private readonly campaigns = new BoundedLru<string, ReadonlyMap<number, string>>(CAMPAIGNS_KEPT);

  /** The URL when this campaign's links are cached and hold the link; undefined otherwise. */
  cached(orgId: string, ref: LinkRef): string | undefined {
    return this.campaigns.get(`${orgId}:${ref.campaignId}`)?.get(ref.link);
  }

  /** The URL of each link (by `urlKey`), reading the campaigns not cached (or lacking a link) in the tenant transaction. */
  async urls(tx: Tx, orgId: string, refs: readonly LinkRef[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const missing = new Set<string>();
    for (const ref of refs) {
      const url = this.cached(orgId, ref);
      if (url === undefined) missing.add(ref.campaignId);
      else found.set(urlKey(ref), url);
    }
    if (missing.size > 0) {
      const rows = await tx.query<{ campaignId: string; idx: number; url: string }>(
        `SELECT campaign_id AS "campaignId", idx, url FROM campaign_links WHERE campaign_id = ANY($1::uuid[])`,
        [[...missing]],
      );
      const loaded = new Map<string, Map<number, string>>([...missing].map((id) => [id, new Map()]));
      for (const row of rows) loaded.get(row.campaignId)!.set(row.idx, row.url);
      for (const [campaignId, links] of loaded) this.campaigns.set(`${orgId}:${campaignId}`, links);
      for (const ref of refs) {
        const url = loaded.get(ref.campaignId)?.get(ref.link);
        if (url !== undefined) found.set(urlKey(ref), url);
      }
    }
    return found;
  }
}

export function urlKey(ref: LinkRef): string {
  return `${ref.campaignId}:${ref.link}`;
}
