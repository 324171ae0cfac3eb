import { Parser } from 'htmlparser2';

/** At most this many distinct links per campaign are tracked (a click token numbers them on 16 bits). */
export const MAX_LINKS = 500;
const MAX_URL_CHARS = 2000;

/** An http(s) link of the content, as its `href` reads once entities are decoded; null for anything else. */
function trackable(href: string): string | null {
  const url = href.trim();
  // mailto:, tel:, #anchors, javascript: and the like are not followed through the redirect; personalised links
  // ({{email}} in the URL) differ per recipient, so no campaign-wide link can stand for them
  if (!/^https?:\/\//i.test(url) || url.length > MAX_URL_CHARS || url.includes('{{')) return null;
  try {
    return new URL(url).protocol.startsWith('http') ? url : null;
  } catch {
    return null;
  }
}

/** Calls `visit` with each `<a href>` of the HTML: its decoded value and where the attribute is in the source. */
function eachAnchorHref(html: string, visit: (href: string, start: number, end: number) => void): void {
  let inAnchor = false;
  const parser: Parser = new Parser(
    {
      onopentagname: (name) => (inAnchor = name === 'a'),
      onattribute: (name, value) => {
        if (inAnchor && name === 'href') visit(value, parser.startIndex, parser.endIndex);
      },
      onopentag: () => (inAnchor = false),
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
}

/** The distinct http(s) URLs of the HTML's `<a href>`, in order of first appearance (at most MAX_LINKS). */
export function extractLinks(html: string): string[] {
  const links = new Set<string>();
  eachAnchorHref(html, (href) => {
    const url = trackable(href);
    if (url && links.size < MAX_LINKS) links.add(url);
  });
  return [...links];
}

/**
 * The HTML with each `<a href>` whose URL is in `links` (url -> its number) pointing at `clickUrl(number)`; other
 * links are left as they are (the redirect only ever goes to a URL of campaign_links).
 */
export function rewriteLinks(
  html: string,
  links: ReadonlyMap<string, number>,
  clickUrl: (idx: number) => string,
): string {
  const parts: string[] = [];
  let at = 0;
  eachAnchorHref(html, (href, start, end) => {
    const url = trackable(href);
    const idx = url === null ? undefined : links.get(url);
    if (idx === undefined) return;
    // the attribute is source[start, end), its quotes included
    parts.push(html.slice(at, start), `href="${clickUrl(idx)}"`);
    at = end;
  });
  parts.push(html.slice(at));
  return parts.join('');
}
