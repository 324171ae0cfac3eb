const COPY_SPECIAL = /[\\\t\n\r]/;

/** A value in COPY text format (for Tx.copyFrom). */
export function copyText(value: string): string {
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** A value or NULL in COPY text format. */
export function copyNullable(value: string | null): string {
  return value === null ? '\\N' : copyText(value);
}
