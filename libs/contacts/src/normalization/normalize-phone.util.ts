import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { blank, normalized, rejected, trimToNull, type Normalized } from './normalize-result.js';

// Quebec lists write extensions in French ("poste 22", "p. 22"); libphonenumber only knows
// "ext", "x", "#" and ";ext=", so the French markers are rewritten before parsing. The pattern
// reads text whose whitespace is already collapsed, and nothing in it can match the same
// characters two ways: linear time (the former \s*,?\s* prefix was cubic on a run of spaces).
const FRENCH_EXTENSION = /\b(?:poste|p\.) ?(\d+)$/iu;
/** Longer than any number written with its extension: refused before libphonenumber reads it. */
const MAX_PHONE_CHARS = 64;

/**
 * E.164 phone number ("+15145550199"). Extensions are accepted but dropped: E.164 has no
 * place for them and the main number is what matching and SMS need.
 *
 * Validity is `isValid()`, not `isPossible()`: `isPossible()` only checks the length, so it
 * accepts "000-000-0000", "1234567890" and exchanges that cannot exist (+1 438 123 4567).
 * With libphonenumber-js 1.13.16 metadata `isValid()` accepts real Quebec numbers
 * (514 872 0311, 418 641 6040) and also the fictional 555-01xx range, so test data passes.
 * Text around the number is refused (`extract: false`) rather than silently picked apart.
 */
export function normalizePhone(input: string | null | undefined, defaultRegion: CountryCode = 'CA'): Normalized {
  const trimmed = trimToNull(input);
  if (trimmed === null) return blank;
  // runs of whitespace become one space first: the patterns below then read each character a bounded number of times
  const text = trimmed.replace(/\s+/gu, ' ');
  if (text.length > MAX_PHONE_CHARS) return rejected('not a valid phone number');
  const northAmerican = defaultRegion === 'CA' || defaultRegion === 'US' ? NORTH_AMERICAN.exec(text) : null;
  if (northAmerican) {
    const [, areaCode, exchange, line] = northAmerican;
    return validExchange(areaCode + exchange)
      ? normalized(`+1${areaCode}${exchange}${line}`)
      : rejected('not a valid phone number');
  }
  const phone = parsePhoneNumberFromString(withEnglishExtension(text), {
    defaultCountry: defaultRegion,
    extract: false,
  });
  return phone?.isValid() ? normalized(phone.number) : rejected('not a valid phone number');
}

/** "514 872-0311, poste 22" → "514 872-0311 ext. 22" (a loop, not a pattern, drops the separators before the marker). */
function withEnglishExtension(text: string): string {
  const extension = FRENCH_EXTENSION.exec(text);
  if (!extension) return text;
  let end = extension.index;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === ',')) end--;
  return `${text.slice(0, end)} ext. ${extension[1]}`;
}

/**
 * The usual ways of writing a North American number: 514-555-0199, (514) 555-0199,
 * 514.555.0199, 1 514 555 0199, +1 514 555 0199. libphonenumber parses these the same
 * way, and its validity for them depends only on the area code and the exchange (checked
 * over every area code), so it is asked once per area code and exchange: parsing each
 * number took 16 µs, a fifth of an import's time.
 */
const NORTH_AMERICAN = /^(?:\+?1[\s.-]?)?\(?([2-9]\d{2})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})$/u;
const exchangeValidity = new Map<string, boolean>();

function validExchange(areaCodeAndExchange: string): boolean {
  let valid = exchangeValidity.get(areaCodeAndExchange);
  if (valid === undefined) {
    // any line number of the exchange gives the answer; 0100 is in the fictional 555-01xx range too
    valid = parsePhoneNumberFromString(`+1${areaCodeAndExchange}0100`)?.isValid() ?? false;
    exchangeValidity.set(areaCodeAndExchange, valid);
  }
  return valid;
}
