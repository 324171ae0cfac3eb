import { Inject, Injectable } from '@nestjs/common';
import { domainError, TenantContexts, TenantDb, type Tx } from '@app/database';
import { campaignLinks } from './dispatch/campaign-links.js';
import { CAMPAIGNS_OPTIONS, type CampaignsOptions } from './campaigns-options.js';
import type { SenderDetails } from './render/footer.js';
import { renderCampaignMessage } from './render/render-message.js';
import { type CampaignPreviewModel, type CampaignSampleModel } from './campaign.models.js';
import { type CampaignRow, CampaignsService, exclusionList } from './campaigns.service.js';
import { CampaignRecipients } from './recipients/campaign-recipients.js';

/** previewCampaign: who would receive it now, who would not and why, and what each variant looks like. */
@Injectable()
export class CampaignPreviews {
  constructor(
    private readonly db: TenantDb,
    private readonly campaigns: CampaignsService,
    private readonly recipients: CampaignRecipients,
    @Inject(CAMPAIGNS_OPTIONS) private readonly options: CampaignsOptions,
  ) {}

  async preview(id: string): Promise<CampaignPreviewModel> {
    return this.db.transaction(async (tx) => {
      const campaign = await this.campaigns.row(tx, id);
      if (campaign.sharedSegmentId && campaign.relayFor === null) return this.crossPromotion(tx, campaign);
      const counts = await this.recipients.count(tx, campaign);
      return {
        recipients: Object.values(counts.byLanguage).reduce((a, b) => a + b, 0),
        excluded: exclusionList(counts.excluded),
        samples: await this.samples(tx, campaign, counts.byLanguage),
      };
    });
  }

  /**
   * A campaign to another member's shared segment: the publisher's people it would reach, as the pools' broker shows
   * them (noise, null under k; a question the pool's budget and ledger count), no reasons, no count per language.
   */
  private async crossPromotion(tx: Tx, campaign: CampaignRow): Promise<CampaignPreviewModel> {
    const [{ people, publisher }] = await tx
      .query<{ people: number | null; publisher: string }>(
        'SELECT people, publisher FROM crm_campaign_relay_preview($1, $2)',
        [campaign.sharedSegmentId, TenantContexts.current()?.userId ?? null],
      )
      .catch((error: unknown) => {
        throw domainError(error, (column) => `input.${column}`) ?? error;
      });
    return { recipients: people, excluded: [], samples: await this.samples(tx, campaign, null, publisher) };
  }

  /** Each variant rendered for a sample recipient (tracking addresses that lead nowhere, the footer of its sender). */
  private async samples(
    tx: Tx,
    campaign: CampaignRow,
    byLanguage: Record<string, number> | null,
    relayedBy: string | null = null,
  ): Promise<CampaignSampleModel[]> {
    const own = (campaign.senderId ? await this.campaigns.sender(tx, campaign.senderId) : null) ?? NO_SENDER;
    // a relay: the partner's sender identity as it was handed over, with my organization's name
    const [relay] =
      campaign.relayFor !== null
        ? await tx.query<{ sender: SenderDetails }>('SELECT relay_sender AS sender FROM campaigns WHERE id = $1', [
            campaign.id,
          ])
        : [];
    const sender: SenderDetails = relay?.sender ?? { ...own, relayedBy };
    const links = new Map(campaignLinks(campaign.variants).map((url, idx) => [url, idx]));
    const preview = `${this.options.publicUrl}/t/preview`;
    return campaign.variants.map((variant) => {
      const rendered = renderCampaignMessage({
        variant,
        recipient: { ...SAMPLE_RECIPIENT, language: variant.language },
        sender,
        links,
        urls: {
          openUrl: `${preview}/open`,
          clickUrl: (idx) => `${preview}/link/${idx}`,
          unsubscribeUrl: `${preview}/unsubscribe`,
          messageIdHeader: '<preview@localhost>',
        },
      });
      return {
        language: variant.language,
        recipients: byLanguage ? (byLanguage[variant.language] ?? 0) : null,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
      };
    });
  }
}

const SAMPLE_RECIPIENT = {
  firstName: 'Camille',
  lastName: 'Tremblay',
  email: 'camille.tremblay@example.org',
  city: 'Montréal',
};
const NO_SENDER = {
  fromName: '(sender)',
  fromEmail: 'sender@example.org',
  replyTo: null,
  mailingAddress: '(mailing address)',
  contactLine: '(contact line)',
};
