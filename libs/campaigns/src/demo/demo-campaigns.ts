import { Injectable } from '@nestjs/common';
import {
  ConsentPurpose,
  ConsentsService,
  ConsentState,
  ContactLookupService,
  currentConsent,
  Language,
} from '@app/contacts';
import type { Tx } from '@app/database';
import { ACCOUNT_CURRENCY, InteractionsService, InteractionType, type ResolvedInteraction } from '@app/engagement';
import { DEMO_REFERENCE_DATE } from '@app/fixtures';
import { MessageEvents } from '../messages/message-events.js';
import { type DemoCampaignPlan, type DemoRecipient, demoSender, planDemoCampaigns } from './demo-campaign-plan.js';

export interface DemoCampaignsInput {
  organization: { name: string; ownerEmail: string };
  /** The audience the campaigns went to; its people are `contactIds` (a dynamic audience is not materialized yet). */
  audienceId: string;
  contactIds: readonly string[];
  seed: number;
}

/**
 * The demo's past campaigns (demo-campaign-plan.ts), written in the caller's tenant transaction: the sender, the
 * campaigns (SENT), their links and messages; the messages' events through MessageEvents (so the contacts'
 * interactions and their effects exist too) and the purchases that followed through InteractionsService.
 */
@Injectable()
export class DemoCampaigns {
  constructor(
    private readonly contacts: ContactLookupService,
    private readonly consents: ConsentsService,
    private readonly events: MessageEvents,
    private readonly interactions: InteractionsService,
  ) {}

  /** Returns how many messages were written. */
  async seed(tx: Tx, input: DemoCampaignsInput): Promise<number> {
    const recipients = await this.recipients(tx, input.contactIds);
    const domain = input.organization.ownerEmail.split('@')[1] ?? 'example.org';
    const sender = demoSender(input.organization.name, input.organization.ownerEmail);
    const [{ id: senderId }] = await tx.query<{ id: string }>(
      `INSERT INTO sender_identities (org_id, from_name, from_email, reply_to, mailing_address, contact_line, created_at)
       VALUES (crm_current_org(), $1, $2, $3, $4, $5, $6) RETURNING id`,
      [sender.fromName, sender.fromEmail, sender.replyTo, sender.mailingAddress, sender.contactLine, daysBefore(90)],
    );
    let messages = 0;
    for (const [n, plan] of planDemoCampaigns(input.organization.name, domain, recipients.length, input.seed).entries())
      messages += await this.write(tx, plan, recipients, { senderId, audienceId: input.audienceId, key: `${n + 1}` });
    return messages;
  }

  /** The contacts who could get email then: an address that does not bounce and EMAIL_MARKETING granted. */
  private async recipients(tx: Tx, contactIds: readonly string[]): Promise<DemoRecipient[]> {
    const contacts = await this.contacts.getMany(tx, contactIds);
    const consents = await this.consents.forContacts(tx, contactIds);
    const recordsOf = new Map<string, typeof consents>();
    for (const record of consents)
      recordsOf.set(record.contactId, [...(recordsOf.get(record.contactId) ?? []), record]);
    const order = new Map(contactIds.map((id, i) => [id, i]));
    return contacts
      .filter(
        (c) =>
          c.email &&
          !c.emailUndeliverable &&
          currentConsent(recordsOf.get(c.id) ?? [], ConsentPurpose.EMAIL_MARKETING, DEMO_REFERENCE_DATE).state ===
            ConsentState.GRANTED,
      )
      .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
      .map((c) => ({
        contactId: c.id,
        email: c.email!,
        language: c.preferredLanguage === Language.EN ? 'en' : 'fr',
        region: c.region,
      }));
  }

  private async write(
    tx: Tx,
    plan: DemoCampaignPlan,
    recipients: readonly DemoRecipient[],
    ids: { senderId: string; audienceId: string; key: string },
  ): Promise<number> {
    const sentTo = plan.recipients.map((i) => recipients[i]);
    const [{ id: campaignId }] = await tx.query<{ id: string }>(
      `INSERT INTO campaigns (org_id, name, status, sender_id, default_language, variants, scheduled_at, recipients,
                              exclusions, created_at, updated_at, sending_at, sent_at)
       VALUES (crm_current_org(), $1, 'SENT', $2, 'fr', $3, $4, $5, '{}', $6, $4, $4, $7) RETURNING id`,
      [
        plan.name,
        ids.senderId,
        JSON.stringify(plan.variants),
        plan.sentAt,
        sentTo.length,
        new Date(plan.sentAt.getTime() - 3 * DAY),
        new Date(plan.sentAt.getTime() + 30 * 60_000),
      ],
    );
    await tx.execute(
      `INSERT INTO campaign_audiences (org_id, campaign_id, audience_id, excluded) VALUES (crm_current_org(), $1, $2, false)`,
      [campaignId, ids.audienceId],
    );
    await tx.execute(
      `INSERT INTO campaign_links (org_id, campaign_id, idx, url) VALUES (crm_current_org(), $1, 0, $2)`,
      [campaignId, plan.link],
    );
    const messages = await tx.query<{ id: string; contactId: string }>(
      `INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language, region, audience_id, status, sent_at)
       SELECT crm_current_org(), $1, u.contact_id, u.email, u.language, u.region, $2, 'SENT', $3
         FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[]) AS u(contact_id, email, language, region)
       RETURNING id, contact_id AS "contactId"`,
      [
        campaignId,
        ids.audienceId,
        plan.sentAt,
        sentTo.map((r) => r.contactId),
        sentTo.map((r) => r.email),
        sentTo.map((r) => r.language),
        sentTo.map((r) => r.region),
      ],
    );
    const byContact = new Map(messages.map((m) => [m.contactId, m.id]));
    const messageOf = new Map(plan.recipients.map((i) => [i, byContact.get(recipients[i].contactId)!]));
    await this.events.record(
      tx,
      plan.events.map(({ recipient, ...event }) => ({ ...event, messageId: messageOf.get(recipient)! })),
    );
    await this.interactions.insert(
      tx,
      plan.purchases.map((purchase, i): ResolvedInteraction => ({
        contactId: recipients[purchase.recipient].contactId,
        type: InteractionType.TICKET_PURCHASE,
        occurredAt: purchase.at,
        offeringId: `DEMO-CAMPAIGN-${ids.key}`,
        offeringName: purchase.show,
        discipline: 'MUSIC',
        venue: 'Grande salle',
        amountCents: purchase.amountCents,
        currency: ACCOUNT_CURRENCY,
        quantity: purchase.quantity,
        channel: 'web',
        campaign: null,
        source: 'demo-campaigns',
        externalId: `${ids.key}-${i + 1}`,
        attributes: {},
      })),
    );
    return messages.length;
  }
}

const DAY = 86_400_000;

function daysBefore(days: number): Date {
  return new Date(DEMO_REFERENCE_DATE.getTime() - days * DAY);
}
