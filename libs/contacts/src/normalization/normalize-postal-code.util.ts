import { blank, normalized, rejected, trimToNull, type Normalized } from './normalize-result.js';

// Canada Post: A1A 1A1; D F I O Q U are never used, W and Z never in first position.
const CANADIAN_POSTAL_CODE = /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$/u;
// Letter-digit alternation: meant to be Canadian even if a letter is wrong.
const CANADIAN_SHAPE = /^[A-Z]\d[A-Z]\d[A-Z]\d$/u;
const CANADA_NAMES = new Set(['CA', 'CAN', 'CANADA']);

/** True when no country is given or the country names Canada (ISO 3166 alpha-2/3 or name). */
export function isCanada(country: string | null | undefined): boolean {
  const name = trimToNull(country);
  return name === null || CANADA_NAMES.has(name.toUpperCase());
}

/**
 * Canadian postal codes become "H2X 1Y4" whatever their case or separators. Foreign codes
 * (country given and not Canada) are kept as entered so that international contacts import.
 * Without a country, a value that does not have the Canadian letter-digit shape (e.g.
 * "2612", "SW1A 1AA") is kept as entered; one that has the shape but impossible letters is
 * an error. With country Canada, anything that is not a valid Canadian code is an error.
 */
export function normalizePostalCode(input: string | null | undefined, country?: string | null): Normalized {
  const trimmed = trimToNull(input);
  if (trimmed === null) return blank;
  if (!isCanada(country)) return normalized(trimmed);

  const compact = trimmed.replace(/[\s-]+/gu, '').toUpperCase();
  if (CANADIAN_POSTAL_CODE.test(compact)) return normalized(`${compact.slice(0, 3)} ${compact.slice(3)}`);
  const countryGiven = trimToNull(country) !== null;
  if (!countryGiven && !CANADIAN_SHAPE.test(compact)) return normalized(trimmed);
  return rejected('not a valid Canadian postal code');
}
