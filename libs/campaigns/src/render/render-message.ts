import { compile } from 'html-to-text';
import { htmlFooter, type SenderDetails, textFooter, footerLanguage } from './footer.js';
import { rewriteLinks } from './links.js';
import { applyMergeFields, escapeHtml, type MergeValues } from './merge-fields.js';

/** One language's content of a campaign (text null: made from the HTML). */
export interface CampaignVariant {
  language: string;
  subject: string;
  html: string;
  text: string | null;
}

/** The recipient as the message is rendered for them (the contact's current values). */
export interface Recipient extends MergeValues {
  language: string | null;
}

/** The message's tracking addresses, each carrying its own signed token. */
export interface TrackingUrls {
  openUrl: string;
  clickUrl: (idx: number) => string;
  unsubscribeUrl: string;
  /** `<BOUNCE-token@host>`: a delivery-status notification names the message by it. */
  messageIdHeader: string;
}

export interface RenderInput {
  variant: Pick<CampaignVariant, 'subject' | 'html' | 'text'>;
  recipient: Recipient;
  sender: SenderDetails;
  /** The campaign's links (campaign_links): url -> number. */
  links: ReadonlyMap<string, number>;
  urls: TrackingUrls;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

const toText = compile({
  wordwrap: 78,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
  ],
});

const noLineBreaks = (value: string) => value.replace(/[\r\n]+/g, ' ');

/**
 * A campaign message for one recipient: merge fields (escaped in the HTML), links of the campaign rewritten to the
 * click redirect, the open pixel, the CASL footer in the recipient's language, a text part (the variant's, else made
 * from the HTML), and the headers every message carries (Message-ID, RFC 8058 one-click unsubscribe).
 */
export function renderCampaignMessage({ variant, recipient, sender, links, urls }: RenderInput): RenderedMessage {
  const language = footerLanguage(recipient.language);
  const content = applyMergeFields(rewriteLinks(variant.html, links, urls.clickUrl), recipient, escapeHtml);
  const pixel = `<img src="${escapeHtml(urls.openUrl)}" width="1" height="1" alt="">`;
  const html = beforeBodyEnd(content, htmlFooter(sender, language, urls.unsubscribeUrl) + pixel);
  const text =
    (variant.text !== null ? applyMergeFields(variant.text, recipient, (v) => v) : toText(content)).trimEnd() +
    textFooter(sender, language, urls.unsubscribeUrl);
  return {
    subject: noLineBreaks(applyMergeFields(variant.subject, recipient, (v) => v)),
    html,
    text,
    headers: {
      'Message-ID': urls.messageIdHeader,
      'List-Unsubscribe': `<${urls.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

/** `addition` just before `</body>` when the HTML has one, else at its end. */
function beforeBodyEnd(html: string, addition: string): string {
  const end = html.search(/<\/body\s*>/i);
  return end < 0 ? html + addition : html.slice(0, end) + addition + html.slice(end);
}
