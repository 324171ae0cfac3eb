import { Injectable } from '@nestjs/common';
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
  constructor(private readonly interactions: InteractionsService) {}

  /** Records the events; returns how many were new (not recorded before). Unknown messages are skipped. */
  async record(tx: Tx, events: readonly MessageEventInput[]): Promise<number> {
    if (events.length === 0) return 0;
    const owners = await tx.query<MessageOwner>(
      `SELECT id, campaign_id AS "campaignId", contact_id AS "contactId", language FROM campaign_messages WHERE id = ANY($1::uuid[])`,
      [[...new Set(events.map((e) => e.messageId))]],
    );
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
    await this.markMessages(tx, known);
    return outcomes.filter((o) => o.inserted).length;
  }

  /** The message columns the events set: the first time of each, and the status a delivery or bounce gives. */
  private async markMessages(tx: Tx, events: readonly MessageEventInput[]): Promise<void> {
    const column: Record<MessageEvent, string> = {
      delivered: 'delivered_at',
      opened: 'opened_at',
      clicked: 'clicked_at',
      bounced: 'bounced_at',
      unsubscribed: 'unsubscribed_at',
    };
    for (const event of Object.keys(column) as MessageEvent[]) {
      const these = events.filter((e) => e.event === event && (event !== 'bounced' || e.bounceType !== 'soft'));
      if (these.length === 0) continue;
      const status =
        event === 'delivered'
          ? `, status = CASE WHEN m.status = 'SENT' THEN 'DELIVERED' ELSE m.status END`
          : event === 'bounced'
            ? `, status = 'BOUNCED'`
            : '';
      await tx.execute(
        `UPDATE campaign_messages m SET ${column[event]} = least(coalesce(m.${column[event]}, e.at), e.at)${status}
           FROM (SELECT id, min(at) AS at FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at) GROUP BY id) e
          WHERE m.id = e.id`,
        [these.map((e) => e.messageId), these.map((e) => e.at)],
      );
    }
  }
}
