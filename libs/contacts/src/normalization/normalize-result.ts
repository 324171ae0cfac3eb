/** Outcome of normalizing one imported field. `value: null` means the input was blank. */
export type Normalized = { ok: true; value: string | null } | { ok: false; reason: string };

export const blank: Normalized = { ok: true, value: null };

export function normalized(value: string): Normalized {
  return { ok: true, value };
}

export function rejected(reason: string): Normalized {
  return { ok: false, reason };
}

/** Trimmed text, or null when the input is null, undefined or only whitespace. */
export function trimToNull(input: string | null | undefined): string | null {
  const trimmed = input?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
