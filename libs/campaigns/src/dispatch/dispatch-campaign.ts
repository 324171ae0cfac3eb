import type { Tx } from '@app/database';
import type { SenderDetails } from '../render/footer.js';
import type { CampaignVariant } from '../render/render-message.js';
import { loadCampaignLinks } from './campaign-links.js';

/** What a dispatch run needs of its campaign, read once per run. */
export interface DispatchCampaign {
  id: string;
  status: string;
  sendRate: number;
  defaultLanguage: string;
  variants: CampaignVariant[];
  sender: SenderDetails | null;
  links: Map<string, number>;
  /** A relay of a pool partner's campaign: each message needs its person's PARTNER_SHARING consent still granted. */
  relay: boolean;
}

/**
 * Who a campaign's messages are from: its sender identity, or for a relay the partner's identity as it was handed over
 * (a relay is from the partner whose campaign it is). SQL over `campaigns c`, to select AS "sender", with SENDER_JOIN.
 */
const SENDER = `CASE WHEN c.relay_sender IS NOT NULL THEN c.relay_sender
     WHEN s.id IS NULL THEN NULL ELSE jsonb_build_object('fromName', s.from_name, 'fromEmail', s.from_email,
       'replyTo', s.reply_to, 'mailingAddress', s.mailing_address, 'contactLine', s.contact_line) END`;
const SENDER_JOIN = 'LEFT JOIN sender_identities s ON s.org_id = c.org_id AND s.id = c.sender_id';

/** The campaign's sender (SENDER); null without one, or when the organization has no such campaign. */
export async function campaignSender(tx: Tx, campaignId: string): Promise<SenderDetails | null> {
  const [row] = await tx.query<{ sender: SenderDetails | null }>(
    `SELECT ${SENDER} AS sender FROM campaigns c ${SENDER_JOIN} WHERE c.org_id = crm_current_org() AND c.id = $1`,
    [campaignId],
  );
  return row?.sender ?? null;
}

/** The campaign, its sender and links; null when the organization has no such campaign. */
export async function loadDispatchCampaign(tx: Tx, campaignId: string): Promise<DispatchCampaign | null> {
  const [row] = await tx.query<Omit<DispatchCampaign, 'links'>>(
    `SELECT c.id, c.status, c.send_rate AS "sendRate", c.default_language AS "defaultLanguage", c.variants,
            c.relay_sender IS NOT NULL AS relay, ${SENDER} AS sender
       FROM campaigns c ${SENDER_JOIN}
      WHERE c.org_id = crm_current_org() AND c.id = $1`,
    [campaignId],
  );
  if (!row) return null;
  const variants = Array.isArray(row.variants) ? row.variants : [];
  return { ...row, variants, links: await loadCampaignLinks(tx, campaignId, variants) };
}

/** The recipient's variant: of their language, else of the campaign's default language, else the first. */
export function variantFor(campaign: DispatchCampaign, language: string): CampaignVariant | undefined {
  return (
    campaign.variants.find((v) => v.language === language) ??
    campaign.variants.find((v) => v.language === campaign.defaultLanguage) ??
    campaign.variants[0]
  );
}
