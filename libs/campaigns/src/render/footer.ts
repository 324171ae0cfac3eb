import { escapeHtml } from './merge-fields.js';

/** Who a campaign is from, as its sender identity says (CASL: a mailing address and a contact line in every message). */
export interface SenderDetails {
  fromName: string;
  fromEmail: string;
  replyTo: string | null;
  mailingAddress: string;
  contactLine: string;
  /**
   * A pool partner's relay: the organization that sends it to its own people on the sender's behalf (its name). The
   * footer says why the person gets it (they agreed that its partners may write to them); the address and contact
   * line stay the sender's, whose message it is (CASL).
   */
  relayedBy?: string | null;
}

const WORDS = {
  fr: {
    why: (name: string) => `Vous recevez ce courriel de ${name}.`,
    relayed: (name: string, by: string) =>
      `Vous recevez ce courriel de ${name}, partenaire de ${by}, parce que vous avez accepté que les partenaires de ${by} vous écrivent.`,
    unsubscribe: 'Se désabonner',
  },
  en: {
    why: (name: string) => `You are receiving this email from ${name}.`,
    relayed: (name: string, by: string) =>
      `You are receiving this email from ${name}, a partner of ${by}, because you agreed that partners of ${by} may write to you.`,
    unsubscribe: 'Unsubscribe',
  },
} as const;

function why(sender: SenderDetails, language: FooterLanguage): string {
  const words = WORDS[language];
  return sender.relayedBy ? words.relayed(sender.fromName, sender.relayedBy) : words.why(sender.fromName);
}

/** The recipient's language for the footer: French unless English. */
export type FooterLanguage = keyof typeof WORDS;
export const footerLanguage = (language: string | null): FooterLanguage => (language === 'en' ? 'en' : 'fr');

/** The CASL footer of the HTML part: who sends, their mailing address and contact line, a visible unsubscribe link. */
export function htmlFooter(sender: SenderDetails, language: FooterLanguage, unsubscribeUrl: string): string {
  const words = WORDS[language];
  return (
    `<div style="margin-top:24px;font-size:12px;color:#666">` +
    `<p>${escapeHtml(why(sender, language))}<br>${escapeHtml(sender.mailingAddress)}<br>` +
    `${escapeHtml(sender.contactLine)}</p>` +
    `<p><a href="${escapeHtml(unsubscribeUrl)}">${words.unsubscribe}</a></p></div>`
  );
}

/** The same footer for the text part. */
export function textFooter(sender: SenderDetails, language: FooterLanguage, unsubscribeUrl: string): string {
  const words = WORDS[language];
  return `\n\n--\n${why(sender, language)}\n${sender.mailingAddress}\n${sender.contactLine}\n${words.unsubscribe}: ${unsubscribeUrl}\n`;
}
