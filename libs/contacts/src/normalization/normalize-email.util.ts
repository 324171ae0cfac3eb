import { isEmail } from 'class-validator';
import { blank, normalized, rejected, trimToNull, type Normalized } from './normalize-result.js';

const MAX_EMAIL_CHARS = 320;

/**
 * Trimmed, lower-cased and validated email address. The whole address is lower-cased:
 * local parts are case-sensitive in theory but not in practice, and one spelling per
 * person is what deduplication needs.
 */
export function normalizeEmail(input: string | null | undefined): Normalized {
  const trimmed = trimToNull(input);
  if (trimmed === null) return blank;
  // no address is longer (RFC 5321 allows 254): the patterns below never read a long text
  if (trimmed.length > MAX_EMAIL_CHARS) return rejected('not a valid email address');
  const email = trimmed.toLowerCase();
  return PLAIN_EMAIL.test(email) || isEmail(email) ? normalized(email) : rejected('not a valid email address');
}

/**
 * The common shape of an address, which isEmail always accepts (a property test checks
 * it): dot-separated atoms of letters, digits and _%+- before the @, a domain of labels
 * that neither start nor end with a hyphen, and a TLD of letters. It spares isEmail's
 * heavier checks on most rows of an import; anything else still goes through isEmail.
 */
const PLAIN_EMAIL =
  /^(?=.{1,64}@)[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?=.{4,200}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$/u;
