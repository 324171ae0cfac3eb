import { DEMO_REFERENCE_DATE, mulberry32, Rng } from '@app/fixtures';
import type { MessageEventInput } from '../messages/message-events.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Who the demo campaigns are from: a real-looking Quebec address (CASL's mailing address and contact line). */
export interface DemoSender {
  fromName: string;
  fromEmail: string;
  replyTo: string;
  mailingAddress: string;
  contactLine: string;
}

/** Mailing addresses of the demo organizations (by name); another organization gets the first. */
const ADDRESSES: Readonly<Record<string, { address: string; phone: string }>> = {
  'Théâtre des Saules': { address: '4650, rue Saint-Denis, Montréal (Québec)  H2J 2L3', phone: '514 555-0142' },
  'Festival Boréal de Québec': { address: '275, rue Saint-Jean, Québec (Québec)  G1R 1N8', phone: '418 555-0175' },
  'Musée du Mont-Bellevue': { address: '1500, rue King Ouest, Sherbrooke (Québec)  J1H 1S3', phone: '819 555-0123' },
};

export function demoSender(organization: string, ownerEmail: string): DemoSender {
  const domain = ownerEmail.split('@')[1] ?? 'example.org';
  const { address, phone } = ADDRESSES[organization] ?? Object.values(ADDRESSES)[0];
  return {
    fromName: organization,
    fromEmail: `infolettre@${domain}`,
    replyTo: `info@${domain}`,
    mailingAddress: address,
    contactLine: `${phone} · info@${domain}`,
  };
}

/** One language's content, as campaigns.variants holds it. */
export interface DemoVariant {
  language: 'fr' | 'en';
  subject: string;
  html: string;
  text: string;
}

/** A recipient as the plan needs it: the message's language and region come from the contact. */
export interface DemoRecipient {
  contactId: string;
  email: string;
  language: 'fr' | 'en';
  region: string | null;
}

export interface DemoCampaignPlan {
  name: string;
  sentAt: Date;
  link: string;
  variants: DemoVariant[];
  /** Index into the recipients given to the plan. */
  recipients: number[];
  /** By recipient index (messageId filled in by the seeder). */
  events: (Omit<MessageEventInput, 'messageId'> & { recipient: number })[];
  purchases: { recipient: number; at: Date; quantity: number; amountCents: number; show: string }[];
}

const SHOWS = [
  { fr: 'Le Songe', en: 'The Dream' },
  { fr: 'Les Voix du fleuve', en: 'Voices of the River' },
];

/**
 * Two past campaigns of a demo organization (a season launch 45 days before the demo's reference date, a last call
 * 14 days before it), to the recipients given: most delivered, a few bounced, about 4 in 10 opened, a quarter of
 * those clicked, an unsubscribe or two; some clickers (and a few openers) bought tickets in the days after, so
 * campaignStats shows attributed tickets and revenue at once. Deterministic for a seed.
 */
export function planDemoCampaigns(organization: string, domain: string, recipientCount: number, seed: number) {
  const rng = new Rng(mulberry32(seed * 7919 + 16));
  const everyone = Array.from({ length: recipientCount }, (_, i) => i);
  return [
    plan(rng, {
      name: 'Lancement de saison 2026-2027',
      show: SHOWS[0],
      daysAgo: 45,
      recipients: everyone,
      organization,
      link: `https://${domain}/saison`,
    }),
    plan(rng, {
      name: 'Dernière chance : Les Voix du fleuve',
      show: SHOWS[1],
      daysAgo: 14,
      // the second goes to about two thirds of them: some people get both, and last touch decides
      recipients: everyone.filter(() => rng.chance(0.65)),
      organization,
      link: `https://${domain}/voix-du-fleuve`,
    }),
  ];
}

function plan(
  rng: Rng,
  spec: {
    name: string;
    show: { fr: string; en: string };
    daysAgo: number;
    recipients: number[];
    organization: string;
    link: string;
  },
): DemoCampaignPlan {
  const sentAt = new Date(DEMO_REFERENCE_DATE.getTime() - spec.daysAgo * DAY + 14 * HOUR);
  const after = (from: Date, minHours: number, maxHours: number) =>
    new Date(from.getTime() + rng.int(minHours * 60, maxHours * 60) * 60_000);
  const events: DemoCampaignPlan['events'] = [];
  const purchases: DemoCampaignPlan['purchases'] = [];
  let unsubscribes = 0;
  for (const recipient of spec.recipients) {
    if (rng.chance(0.02)) {
      events.push({ recipient, event: 'bounced', at: after(sentAt, 0, 1), bounceType: 'hard' });
      continue;
    }
    events.push({ recipient, event: 'delivered', at: after(sentAt, 0, 1) });
    if (!rng.chance(0.38)) {
      // an unsubscribe without an open (the List-Unsubscribe button of a mail client)
      if (rng.chance(0.004)) events.push({ recipient, event: 'unsubscribed', at: after(sentAt, 1, 72) });
      continue;
    }
    const opened = after(sentAt, 1, 48);
    events.push({ recipient, event: 'opened', at: opened });
    if (rng.chance(0.25)) {
      const clicked = after(opened, 0, 2);
      events.push({ recipient, event: 'clicked', at: clicked, link: 0 });
      if (rng.chance(0.35)) purchases.push(ticket(rng, recipient, after(clicked, 1, 5 * 24), spec.show.fr));
    } else if (rng.chance(0.03)) {
      purchases.push(ticket(rng, recipient, after(opened, 2, 6 * 24), spec.show.fr));
    } else if (unsubscribes < 2 && rng.chance(0.02)) {
      unsubscribes++;
      events.push({ recipient, event: 'unsubscribed', at: after(opened, 0, 1) });
    }
  }
  return {
    name: spec.name,
    sentAt,
    link: spec.link,
    recipients: spec.recipients,
    variants: variants(spec.organization, spec.show, spec.link),
    events,
    purchases,
  };
}

function ticket(rng: Rng, recipient: number, at: Date, show: string) {
  const quantity = rng.weighted([
    [1, 40],
    [2, 45],
    [4, 15],
  ]);
  return { recipient, at, quantity, amountCents: quantity * rng.pick([3500, 4500]), show };
}

function variants(organization: string, show: { fr: string; en: string }, link: string): DemoVariant[] {
  return [
    {
      language: 'fr',
      subject: `{{firstName|Bonjour}}, ${show.fr} arrive chez nous`,
      html: `<p>Bonjour {{firstName|à vous}},</p><p>${organization} présente <strong>${show.fr}</strong> cette saison.</p><p><a href="${link}">Réservez vos billets</a></p>`,
      text: `Bonjour {{firstName|à vous}},\n\n${organization} présente ${show.fr} cette saison.\nRéservez vos billets : ${link}`,
    },
    {
      language: 'en',
      subject: `{{firstName|Hello}}, ${show.en} is coming`,
      html: `<p>Hello {{firstName|there}},</p><p>${organization} presents <strong>${show.en}</strong> this season.</p><p><a href="${link}">Get your tickets</a></p>`,
      text: `Hello {{firstName|there}},\n\n${organization} presents ${show.en} this season.\nGet your tickets: ${link}`,
    },
  ];
}
