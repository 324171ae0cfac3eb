import type { Tx } from '@app/database';
import { extractLinks, MAX_LINKS } from '../render/links.js';
import type { CampaignVariant } from '../render/render-message.js';

/** The campaign's links, numbered from 0: the distinct http(s) links of its variants' HTML, in variant order. */
export function campaignLinks(variants: readonly Pick<CampaignVariant, 'html'>[]): string[] {
  return [...new Set(variants.flatMap((v) => extractLinks(v.html)))].slice(0, MAX_LINKS);
}

/**
 * The campaign's links as campaign_links numbers them (url -> number). The snapshot writes them; a campaign without
 * any gets them here, from its variants (the same numbering: a second writer inserts the same rows, or nothing).
 */
export async function loadCampaignLinks(
  tx: Tx,
  campaignId: string,
  variants: readonly Pick<CampaignVariant, 'html'>[],
): Promise<Map<string, number>> {
  const links = campaignLinks(variants);
  if (links.length > 0)
    await tx.execute(
      `INSERT INTO campaign_links (org_id, campaign_id, idx, url)
       SELECT crm_current_org(), $1, u.idx - 1, u.url FROM unnest($2::text[]) WITH ORDINALITY AS u(url, idx)
        WHERE NOT EXISTS (SELECT 1 FROM campaign_links WHERE org_id = crm_current_org() AND campaign_id = $1)
       ON CONFLICT DO NOTHING`,
      [campaignId, links],
    );
  const rows = await tx.query<{ idx: number; url: string }>(
    'SELECT idx, url FROM campaign_links WHERE org_id = crm_current_org() AND campaign_id = $1',
    [campaignId],
  );
  return new Map(rows.map((r) => [r.url, r.idx]));
}
