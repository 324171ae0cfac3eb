import { Injectable } from '@nestjs/common';
import { ConsentPurpose, ConsentsService, ConsentStatus } from '@app/contacts';
import type { Tx } from '@app/database';
import { InteractionType, InteractionsService, type ResolvedInteraction } from '@app/engagement';

/** What happened to a message, as its interaction records it. */
export type MessageEvent = 'delivered' | 'opened' | 'clicked' | 'bounced' | 'unsubscribed';

const TYPE_OF: Record<MessageEvent, InteractionType> = {
  delivered: InteractionType.EMAIL_DELIVERED,
  opened: InteractionType.EMAIL_OPENED,
  clicked: InteractionType.EMAIL_CLICKED,
  bounced: InteractionType.EMAIL_BOUNCED,
  unsubscribed: InteractionType.EMAIL_UNSUBSCRIBED,
};

/** One event of one message; `link` for clicks (a click per link is recorded once). */
export interface MessageEventInput {
  messageId: string;
  event: MessageEvent;
  at: Date;
  link?: number;
  /** For bounces: "hard" (the default) or "soft" (recorded, the address stays deliverable). */
  bounceType?: 'hard' | 'soft';
}

/** The message's campaign and contact, as campaign_messages holds them. */
interface MessageOwner {
  id: string;
  campaignId: string;
  contactId: string;
  language: string;
  /** The message is a pool partner's campaign relayed by this organization. */
  relay: boolean;
}

/**
 * The one way a campaign message's events are recorded: the message's own columns (first open, first click,
 * unsubscribe, delivery, bounce) and the contact's interaction of the existing email type, in the caller's tenant
 * transaction. Idempotent: the interaction's source is the campaign (`campaign:<id>`) and its external id the message
 * and event, so a repeated event records nothing new; the interaction's effects are InteractionsService's own (an
 * unsubscribe withdraws EMAIL_MARKETING consent with the campaign as its source, a hard bounce makes the address
 * undeliverable).
 */
@Injectable()
export class MessageEvents {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly consents: ConsentsService,
  ) {}

  /** Records the events; returns how many were new (not recorded before). Unknown messages are skipped. */
  async record(tx: Tx, events: readonly MessageEventInput[]): Promise<number> {
    if (events.length === 0) return 0;
    const owners = await this.markMessages(tx, events);
    const ownerOf = new Map(owners.map((o) => [o.id, o]));
    const known = events.filter((e) => ownerOf.has(e.messageId));
    const rows: ResolvedInteraction[] = known.map((e) => {
      const owner = ownerOf.get(e.messageId)!;
      const attributes: Record<string, unknown> = { messageId: e.messageId, language: owner.language };
      if (e.event === 'clicked') attributes.link = e.link ?? 0;
      if (e.event === 'bounced') attributes.bounceType = e.bounceType ?? 'hard';
      return {
        contactId: owner.contactId,
        type: TYPE_OF[e.event],
        occurredAt: e.at,
        offeringId: null,
        offeringName: null,
        discipline: null,
        venue: null,
        amountCents: null,
        currency: null,
        quantity: null,
        channel: 'email',
        campaign: owner.campaignId,
        source: `campaign:${owner.campaignId}`,
        externalId: e.event === 'clicked' ? `${e.messageId}:clicked:${e.link ?? 0}` : `${e.messageId}:${e.event}`,
        attributes,
      };
    });
    const outcomes = await this.interactions.insert(tx, rows);
    await this.withdrawPartnerSharing(
      tx,
      known.filter((e, i) => outcomes[i].inserted && e.event === 'unsubscribed' && ownerOf.get(e.messageId)!.relay),
      ownerOf,
    );
    return outcomes.filter((o) => o.inserted).length;
  }

  /**
   * The message columns the events set, in one statement: the first time of each event, the status a delivery
   * (SENT → DELIVERED) or a hard bounce gives; it returns the messages found, with what their interactions need.
   */
  private async markMessages(tx: Tx, events: readonly MessageEventInput[]): Promise<MessageOwner[]> {
    const first = (event: MessageEvent) => `min(at) FILTER (WHERE event = '${event}') AS ${event}`;
    const set = (event: MessageEvent, column: string) =>
      `${column} = CASE WHEN e.${event} IS NULL THEN m.${column} ELSE least(coalesce(m.${column}, e.${event}), e.${event}) END`;
    return tx.query<MessageOwner>(
      `UPDATE campaign_messages m
          SET ${set('delivered', 'delivered_at')}, ${set('opened', 'opened_at')}, ${set('clicked', 'clicked_at')},
              ${set('bounced', 'bounced_at')}, ${set('unsubscribed', 'unsubscribed_at')},
              status = CASE WHEN e.bounced IS NOT NULL THEN 'BOUNCED'
                            WHEN e.delivered IS NOT NULL AND m.status = 'SENT' THEN 'DELIVERED' ELSE m.status END
         FROM (SELECT id, ${(Object.keys(TYPE_OF) as MessageEvent[]).map(first).join(', ')}
                 FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(id, event, at) GROUP BY id) e,
              campaigns c
        WHERE m.id = e.id AND c.org_id = m.org_id AND c.id = m.campaign_id
        RETURNING m.id, m.campaign_id AS "campaignId", m.contact_id AS "contactId", m.language,
                  c.relay_of_campaign_id IS NOT NULL AS relay`,
      [
        events.map((e) => e.messageId),
        // a soft bounce is recorded as an interaction only: the message's columns stay as they are
        events.map((e) => (e.event === 'bounced' && e.bounceType === 'soft' ? 'soft-bounce' : e.event)),
        events.map((e) => e.at),
      ],
    );
  }

  /**
   * An unsubscribe from a pool partner's relay: besides EMAIL_MARKETING (withdrawn by the interaction's own effect: the
   * organization sent it, and a person who says "stop" to mail that came through it is not written to again by it),
   * PARTNER_SHARING is withdrawn, so that no partner's campaign reaches them through it again (the consents trigger
   * takes them out of the organization's shares at once). Nothing is recorded at the partner, who never knew them.
   */
  private async withdrawPartnerSharing(
    tx: Tx,
    unsubscribes: readonly MessageEventInput[],
    ownerOf: ReadonlyMap<string, MessageOwner>,
  ): Promise<void> {
    for (const e of unsubscribes) {
      const owner = ownerOf.get(e.messageId)!;
      await this.consents.record(
        tx,
        owner.contactId,
        {
          purpose: ConsentPurpose.PARTNER_SHARING,
          status: ConsentStatus.WITHDRAWN,
          source: `campaign:${owner.campaignId}`,
          proof: `unsubscribe from message ${e.messageId} (relay of a pool partner's campaign ${owner.campaignId})`,
          occurredAt: e.at,
        },
        'input',
      );
    }
  }
}
