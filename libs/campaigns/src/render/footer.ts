import { escapeHtml } from './merge-fields.js';

/** Who a campaign is from, as its sender identity says (CASL: a mailing address and a contact line in every message). */
export interface SenderDetails {
  fromName: string;
  fromEmail: string;
  replyTo: string | null;
  mailingAddress: string;
  contactLine: string;
}

const WORDS = {
  fr: { why: (name: string) => `Vous recevez ce courriel de ${name}.`, unsubscribe: 'Se désabonner' },
  en: { why: (name: string) => `You are receiving this email from ${name}.`, unsubscribe: 'Unsubscribe' },
} as const;

/** The recipient's language for the footer: French unless English. */
export type FooterLanguage = keyof typeof WORDS;
export const footerLanguage = (language: string | null): FooterLanguage => (language === 'en' ? 'en' : 'fr');

/** The CASL footer of the HTML part: who sends, their mailing address and contact line, a visible unsubscribe link. */
export function htmlFooter(sender: SenderDetails, language: FooterLanguage, unsubscribeUrl: string): string {
  const words = WORDS[language];
  return (
    `<div style="margin-top:24px;font-size:12px;color:#666">` +
    `<p>${escapeHtml(words.why(sender.fromName))}<br>${escapeHtml(sender.mailingAddress)}<br>` +
    `${escapeHtml(sender.contactLine)}</p>` +
    `<p><a href="${escapeHtml(unsubscribeUrl)}">${words.unsubscribe}</a></p></div>`
  );
}

/** The same footer for the text part. */
export function textFooter(sender: SenderDetails, language: FooterLanguage, unsubscribeUrl: string): string {
  const words = WORDS[language];
  return `\n\n--\n${words.why(sender.fromName)}\n${sender.mailingAddress}\n${sender.contactLine}\n${words.unsubscribe}: ${unsubscribeUrl}\n`;
}
