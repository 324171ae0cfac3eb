import { AppError } from './app-error.js';

/** Opaque Relay cursors: base64url JSON of the sort key values. */
export function encodeCursor(values: readonly unknown[]): string {
  return encodeCursorJson(JSON.stringify(values));
}

/** The cursor of sort key values already in JSON (an array, as PostgreSQL's json_build_array writes it). */
export function encodeCursorJson(json: string): string {
  return Buffer.from(json).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values)) return values;
  } catch {
    // fall through to the error below
  }
  throw AppError.badInput(field, 'Invalid cursor');
}
