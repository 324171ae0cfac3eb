import { blank, normalized, trimToNull, type Normalized } from './normalize-result.js';

/**
 * Trims and collapses runs of whitespace (JavaScript's \s covers non-breaking and other
 * Unicode spaces) to one space. Case is kept: "McGill", "de la Tour" and "van Gogh" cannot
 * be recovered from a case-folded form.
 */
export function normalizeName(input: string | null | undefined): Normalized {
  const trimmed = trimToNull(input);
  return trimmed === null ? blank : normalized(trimmed.replace(/\s+/gu, ' '));
}
