import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { blank, normalized, rejected, trimToNull, type Normalized } from './normalize-result.js';

// Quebec lists write extensions in French ("poste 22", "p. 22"); libphonenumber only knows
// "ext", "x", "#" and ";ext=", so the French markers are rewritten before parsing.
const FRENCH_EXTENSION = /\s*,?\s*\b(?:poste|p\.)\s*(?=\d+\s*$)/iu;

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
  const phone = parsePhoneNumberFromString(trimmed.replace(FRENCH_EXTENSION, ' ext. '), {
    defaultCountry: defaultRegion,
    extract: false,
  });
  return phone?.isValid() ? normalized(phone.number) : rejected('not a valid phone number');
}
