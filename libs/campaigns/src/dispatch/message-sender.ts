import { Inject, Injectable } from '@nestjs/common';
import { ConsentState, consentStateSql } from '@app/contacts';
import { TenantDb, type Tx } from '@app/database';
import { CAMPAIGNS_OPTIONS, type CampaignsOptions } from '../campaigns-options.js';
import { MessageEvents } from '../messages/message-events.js';
import { renderCampaignMessage } from '../render/render-message.js';
import { TrackingTokens } from '../tracking/tracking-token.js';
import { composeMail } from './compose-mail.js';
import { type DispatchCampaign, variantFor } from './dispatch-campaign.js';
import { MailTransport, type SendOutcome } from './mail-transport.js';
import { trackingUrls } from './tracking-urls.js';

/** A queued message with its contact's current values. */
interface QueuedMessage {
  id: string;
  email: string;
  language: string;
  firstName: string | null;
  lastName: string | null;
  city: string | null;
}

/** What became of one message: handed over (its outcome once the server answered), or nothing left to send. */
export type SentMessage = { messageId: string; committed: boolean; outcome: SendOutcome } | null;

/** The server never answered about a message before its SENT mark: it stays QUEUED and the run stops, to be retried. */
export class TransportUnavailableError extends Error {
  constructor(failure: string) {
    super(`The mail server is unavailable: ${failure}`);
    this.name = 'TransportUnavailableError';
  }
}

/**
 * Sends one queued message, exactly once: its row is locked (FOR UPDATE SKIP LOCKED, so concurrent senders take
 * different messages) in a transaction that stays open while the message goes out; when the transport is about to
 * release the end of DATA, the row is marked SENT and the transaction commits, and only then is the end released.
 * A crash before the commit leaves it QUEUED and the server without its end of DATA (it discards it); after, it is
 * SENT and never taken again. A refusal before the end (a 5xx at RCPT) is recorded in the same transaction.
 */
@Injectable()
export class MessageSender {
  constructor(
    private readonly db: TenantDb,
    private readonly transport: MailTransport,
    private readonly events: MessageEvents,
    private readonly tokens: TrackingTokens,
    @Inject(CAMPAIGNS_OPTIONS) private readonly options: CampaignsOptions,
  ) {}

  /**
   * `after`: the largest message id this run has taken (null at first): the next is looked for past it, not through
   * the index entries of every message sent before (dead until a vacuum, they made each look-up slower than the last).
   */
  async sendNext(orgId: string, campaign: DispatchCampaign, after: string | null): Promise<SentMessage> {
    let release!: { resolve: () => void; reject: (error: unknown) => void };
    const committed = new Promise<void>((resolve, reject) => (release = { resolve, reject }));
    committed.catch(() => undefined); // observed by the transport when it gets there; not always
    let sending: Promise<SendOutcome> | undefined;
    let claimed: { messageId: string; committed: boolean; outcome?: SendOutcome } | null;
    try {
      claimed = await this.db.transaction(async (tx) => {
        const message = await this.claim(tx, campaign, after);
        if (!message) return null;
        const mail = await this.compose(orgId, campaign, message);
        let ready!: () => void;
        const endReached = new Promise<'end'>((resolve) => (ready = () => resolve('end')));
        sending = this.transport.send(mail, () => {
          ready();
          return committed;
        });
        const first = await Promise.race([endReached, sending]);
        if (first === 'end') {
          await tx.execute(`UPDATE campaign_messages SET status = 'SENT', sent_at = now() WHERE id = $1`, [message.id]);
          return { messageId: message.id, committed: true };
        }
        await this.refusedBeforeEnd(tx, message.id, first);
        return { messageId: message.id, committed: false, outcome: first };
      });
    } catch (error) {
      release.reject(error); // the end of DATA is never released: the server discards the message
      await sending;
      throw error;
    }
    release.resolve();
    if (!claimed) return null;
    if (!claimed.committed) return { messageId: claimed.messageId, committed: false, outcome: claimed.outcome! };
    const outcome = await sending!;
    await this.answeredAfterEnd(claimed.messageId, outcome);
    return { messageId: claimed.messageId, committed: true, outcome };
  }

  /**
   * The next QUEUED message, locked. One whose contact withdrew EMAIL_MARKETING consent (or whose address bounced)
   * since the recipients were taken is CANCELLED instead of sent: an unsubscribe from any campaign holds at once. For a
   * pool partner's relay, so is one whose contact no longer grants PARTNER_SHARING.
   */
  private async claim(tx: Tx, campaign: DispatchCampaign, after: string | null): Promise<QueuedMessage | undefined> {
    const campaignId = campaign.id;
    const partners = campaign.relay ? `AND ${consentStateSql("'PARTNER_SHARING'")} = '${ConsentState.GRANTED}'` : '';
    for (;;) {
      const [message] = await tx.query<QueuedMessage & { sendable: boolean }>(
        `SELECT m.id, m.email, m.language, c.first_name AS "firstName", c.last_name AS "lastName", c.city,
                ${consentStateSql("'EMAIL_MARKETING'")} = '${ConsentState.GRANTED}' AND c.bounced_email IS DISTINCT FROM m.email
                ${partners} AS sendable
           FROM campaign_messages m JOIN contacts c ON c.org_id = m.org_id AND c.id = m.contact_id
          WHERE m.org_id = crm_current_org() AND m.campaign_id = $1 AND m.status = 'QUEUED' AND m.id > $2
            AND EXISTS (SELECT 1 FROM campaigns k WHERE k.org_id = m.org_id AND k.id = $1 AND k.status = 'SENDING')
          ORDER BY m.id LIMIT 1
          FOR UPDATE OF m SKIP LOCKED`,
        [campaignId, after ?? '00000000-0000-0000-0000-000000000000'],
      );
      if (!message || message.sendable) return message;
      await tx.execute(
        `UPDATE campaign_messages SET status = 'CANCELLED', failure = 'consent withdrawn or address bounced since the recipients were taken'
          WHERE id = $1`,
        [message.id],
      );
    }
  }

  private async compose(orgId: string, campaign: DispatchCampaign, message: QueuedMessage) {
    const variant = variantFor(campaign, message.language);
    if (!variant || !campaign.sender) throw new Error('The campaign has no content or no sender');
    const rendered = renderCampaignMessage({
      variant,
      recipient: { ...message, email: message.email, language: message.language },
      sender: campaign.sender,
      links: campaign.links,
      urls: trackingUrls(this.tokens, this.options.publicUrl, orgId, message.id),
    });
    return {
      campaignId: campaign.id,
      messageId: message.id,
      from: campaign.sender.fromEmail,
      to: message.email,
      raw: await composeMail(campaign.sender, message.email, rendered),
    };
  }

  /** Refused before the end of DATA: a bounce or a failure, in the claiming transaction; no answer: stop, retry later. */
  private async refusedBeforeEnd(tx: Tx, messageId: string, outcome: SendOutcome): Promise<void> {
    if (outcome.kind === 'bounced') await this.bounce(tx, messageId, outcome.failure);
    else if (outcome.kind === 'failed' && !outcome.retryable) await this.fail(tx, messageId, outcome.failure);
    else throw new TransportUnavailableError(outcome.kind === 'delivered' ? 'no end of data' : outcome.failure);
  }

  /** After the commit: a 5xx at the end of DATA bounces; another refusal fails (a delivery is batched by the caller). */
  private async answeredAfterEnd(messageId: string, outcome: SendOutcome): Promise<void> {
    if (outcome.kind === 'bounced') await this.db.transaction((tx) => this.bounce(tx, messageId, outcome.failure));
    else if (outcome.kind === 'failed') await this.db.transaction((tx) => this.fail(tx, messageId, outcome.failure));
    else if (outcome.kind === 'unknown')
      await this.db.transaction((tx) =>
        tx.execute('UPDATE campaign_messages SET failure = $2 WHERE id = $1', [messageId, outcome.failure]),
      );
  }

  private async bounce(tx: Tx, messageId: string, failure: string): Promise<void> {
    await this.events.record(tx, [{ messageId, event: 'bounced', at: new Date(), bounceType: 'hard' }]);
    await tx.execute('UPDATE campaign_messages SET failure = $2 WHERE id = $1', [messageId, failure]);
  }

  private async fail(tx: Tx, messageId: string, failure: string): Promise<void> {
    await tx.execute(`UPDATE campaign_messages SET status = 'FAILED', failure = $2 WHERE id = $1`, [
      messageId,
      failure,
    ]);
  }
}
