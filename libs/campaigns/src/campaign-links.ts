import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import type { Tx } from '@app/database';
import { type CampaignVariantModel } from './campaign.models.js';
import { extractLinks, MAX_LINKS } from './render/links.js';

/**
 * The links of a campaign's content, numbered once when it goes out (campaign_links): a click token names a link by
 * its number, and the redirect goes only to a URL listed here.
 */
@Injectable()
export class CampaignLinks {
  /** Numbers the links of every variant, in order of first appearance; idempotent (the same content, the same numbers). */
  async number(tx: Tx, campaign: { id: string; variants: readonly CampaignVariantModel[] }): Promise<string[]> {
    const urls = linksOf(campaign.variants);
    if (urls.length > MAX_LINKS)
      throw AppError.badInput('input.variants', `The content has more than ${MAX_LINKS} distinct links`);
    await tx.execute(
      `INSERT INTO campaign_links (org_id, campaign_id, idx, url)
       SELECT crm_current_org(), $1, u.idx - 1, u.url FROM unnest($2::text[]) WITH ORDINALITY AS u(url, idx)
       ON CONFLICT (org_id, campaign_id, idx) DO NOTHING`,
      [campaign.id, urls],
    );
    return urls;
  }

  /** url → number, as numbered. */
  async of(tx: Tx, campaignId: string): Promise<Map<string, number>> {
    const rows = await tx.query<{ idx: number; url: string }>(
      'SELECT idx, url FROM campaign_links WHERE campaign_id = $1',
      [campaignId],
    );
    return new Map(rows.map((row) => [row.url, row.idx]));
  }
}

/** The distinct links of the variants, in order of first appearance: their numbers are their positions. */
export function linksOf(variants: readonly Pick<CampaignVariantModel, 'html'>[]): string[] {
  return [...new Set(variants.flatMap((variant) => extractLinks(variant.html)))];
}
