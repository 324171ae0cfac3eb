import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '@app/common';
import { domainError, TenantContexts, TenantDb, type Tx } from '@app/database';
import {
  type CampaignPreviewModel,
  type CampaignSampleModel,
  type CampaignTestSendModel,
  type CampaignVariantModel,
  type SendTestCampaignArgs,
} from './campaign.models.js';
import { CAMPAIGNS_OPTIONS, type CampaignsOptions } from './campaigns-options.js';
import { type CampaignRow, CampaignsService, exclusionList } from './campaigns.service.js';
import { campaignLinks } from './dispatch/campaign-links.js';
import { composeMail } from './dispatch/compose-mail.js';
import { campaignSender } from './dispatch/dispatch-campaign.js';
import { MailTransport } from './dispatch/mail-transport.js';
import type { SenderDetails } from './render/footer.js';
import { renderCampaignMessage, type RenderedMessage } from './render/render-message.js';
import { CampaignRecipients } from './recipients/campaign-recipients.js';

const SAMPLE_RECIPIENT = {
  firstName: 'Camille',
  lastName: 'Tremblay',
  email: 'camille.tremblay@example.org',
  city: 'Montréal',
};
const NO_SENDER: SenderDetails = {
  fromName: '(sender)',
  fromEmail: 'sender@example.org',
  replyTo: null,
  mailingAddress: '(mailing address)',
  contactLine: '(contact line)',
};
const TEST_PREFIX: Record<string, string> = { fr: '[ESSAI] ', en: '[TEST] ' };

/**
 * What a campaign looks like before it goes out: previewCampaign (who would receive it now, who would not and why,
 * each variant rendered for a sample recipient) and sendTestCampaign (a variant to a few addresses). Their tracking
 * addresses lead nowhere (no message stands behind them); a test keeps the content's own links.
 */
@Injectable()
export class CampaignPreviews {
  constructor(
    private readonly db: TenantDb,
    private readonly campaigns: CampaignsService,
    private readonly recipients: CampaignRecipients,
    private readonly transport: MailTransport,
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

  /** Each variant rendered for a sample recipient; `byLanguage` null: counts not shown (another member's people). */
  private async samples(
    tx: Tx,
    campaign: CampaignRow,
    byLanguage: Record<string, number> | null,
    relayedBy: string | null = null,
  ): Promise<CampaignSampleModel[]> {
    const sender = (await this.senderOf(tx, campaign, relayedBy)) ?? NO_SENDER;
    const links = new Map(campaignLinks(campaign.variants).map((url, idx) => [url, idx]));
    return campaign.variants.map((variant) => {
      const rendered = this.render(variant, sender, links);
      return {
        language: variant.language,
        recipients: byLanguage ? (byLanguage[variant.language] ?? 0) : null,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
      };
    });
  }

  /** One variant (the one asked for, else the default) to each address, its subject marked as a test. */
  async sendTest({ id, addresses, language }: SendTestCampaignArgs): Promise<CampaignTestSendModel[]> {
    const { campaign, sender } = await this.db.transaction(async (tx) => {
      const campaign = await this.campaigns.row(tx, id);
      return { campaign, sender: await this.senderOf(tx, campaign) };
    });
    if (!sender) throw AppError.badInput('id', 'The campaign has no sender identity');
    const wanted = language ?? campaign.defaultLanguage;
    const variant = campaign.variants.find((v) => v.language === wanted);
    if (!variant) throw AppError.badInput('language', `The campaign has no variant in ${wanted}`);
    const rendered = this.render(variant, sender, new Map());
    const message = { ...rendered, subject: `${TEST_PREFIX[variant.language] ?? ''}${rendered.subject}` };
    const results: CampaignTestSendModel[] = [];
    for (const address of [...new Set(addresses.map((a) => a.trim().toLowerCase()))]) {
      const outcome = await this.transport.send(
        {
          campaignId: campaign.id,
          messageId: randomUUID(),
          from: sender.fromEmail,
          to: address,
          raw: await composeMail(sender, address, message),
        },
        () => Promise.resolve(),
      );
      results.push({
        address,
        delivered: outcome.kind === 'delivered',
        failure: outcome.kind === 'delivered' ? null : outcome.failure,
      });
    }
    return results;
  }

  /** Who the campaign's messages are from; for a campaign to another member's share, with the publisher relaying it. */
  private async senderOf(
    tx: Tx,
    campaign: CampaignRow,
    relayedBy: string | null = null,
  ): Promise<SenderDetails | null> {
    const sender = await campaignSender(tx, campaign.id);
    return sender && campaign.relayFor === null ? { ...sender, relayedBy } : sender;
  }

  private render(
    variant: CampaignVariantModel,
    sender: SenderDetails,
    links: ReadonlyMap<string, number>,
  ): RenderedMessage {
    const nowhere = `${this.options.publicUrl}/t/preview`;
    return renderCampaignMessage({
      variant,
      recipient: { ...SAMPLE_RECIPIENT, language: variant.language },
      sender,
      links,
      urls: {
        openUrl: `${nowhere}/open`,
        clickUrl: (idx) => `${nowhere}/link/${idx}`,
        unsubscribeUrl: `${nowhere}/unsubscribe`,
        messageIdHeader: `<preview-${randomUUID()}@${new URL(this.options.publicUrl).hostname}>`,
      },
    });
  }
}
