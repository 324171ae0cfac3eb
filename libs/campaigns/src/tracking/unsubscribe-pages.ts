/** The texts of the unsubscribe pages, in the message's language. */
const TEXTS = {
  fr: {
    title: 'Désabonnement',
    confirm: 'Vous ne recevrez plus nos courriels promotionnels si vous confirmez votre désabonnement.',
    button: 'Me désabonner',
    done: 'Votre désabonnement est enregistré : vous ne recevrez plus nos courriels promotionnels.',
  },
  en: {
    title: 'Unsubscribe',
    confirm: 'Confirm to stop receiving our promotional emails.',
    button: 'Unsubscribe',
    done: 'You are unsubscribed: you will not receive our promotional emails any more.',
  },
} as const;

export type PageLanguage = keyof typeof TEXTS;

function page(language: PageLanguage, body: string): string {
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${TEXTS[language].title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1rem}</style></head><body><h1>${TEXTS[language].title}</h1>${body}</body></html>`;
}

/**
 * The page a GET of the unsubscribe link shows: a button that POSTs to the same address (an empty action: the token is
 * never written into the page). A GET never unsubscribes: mail scanners follow links.
 */
export function confirmationPage(language: PageLanguage, unsubscribed: boolean): string {
  if (unsubscribed) return donePage(language);
  return page(
    language,
    `<p>${TEXTS[language].confirm}</p><form method="post" action=""><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${TEXTS[language].button}</button></form>`,
  );
}

/** The page after the unsubscribe. */
export function donePage(language: PageLanguage): string {
  return page(language, `<p>${TEXTS[language].done}</p>`);
}

/** Headers of these pages: nothing cached, nothing loaded from elsewhere, no referrer (the URL holds the token). */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
};
