import { isEmail } from 'class-validator';
import { blank, normalized, rejected, trimToNull, type Normalized } from './normalize-result.js';

/**
 * Trimmed, lower-cased and validated email address. The whole address is lower-cased:
 * local parts are case-sensitive in theory but not in practice, and one spelling per
 * person is what deduplication needs.
 */
export function normalizeEmail(input: string | null | undefined): Normalized {
  const trimmed = trimToNull(input);
  if (trimmed === null) return blank;
  const email = trimmed.toLowerCase();
  return isEmail(email) ? normalized(email) : rejected('not a valid email address');
}
