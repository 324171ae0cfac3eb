import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { AppError } from '@app/common';
import { copyNullable } from '@app/database';
import {
  CONTACT_FIELD_COLUMNS,
  type ContactFieldValues,
  type EnteredValuesModel,
  importedLanguage,
  normalizeContactFields,
} from '@app/contacts';
import { COLUMN, type GeneratedRow, generateContactRows, type GenerateOptions } from './generate-contacts-csv.js';

/**
 * The COPY ceiling's rows: the generated rows normalized as the import stores
 * them, written once (untimed) to a file in COPY text format, so that the timed
 * part is nothing but PostgreSQL's COPY.
 *
 * Each row goes through the contacts library's `normalizeContactFields` (names,
 * email, E.164 phone, postal code, Quebec region from the postal code, real
 * birth date); rows it rejects are skipped. Before it, what the import does to
 * a cell: trimmed, blank = absent, "Français"/"EN" = fr/en. The benchmark checks
 * that the import stored the same values by comparing a checksum of both loads.
 */

/**
 * A stored contact's columns, in the order both COPY loads write them (CeilingRow's keys): the contacts library's
 * field columns but address_line2 (the generated file has no second address line), then what was entered.
 */
export const CEILING_ROW_COLUMNS: readonly (keyof CeilingRow)[] = [
  ...Object.values(CONTACT_FIELD_COLUMNS).filter(
    (column): column is Exclude<keyof CeilingRow, 'entered'> => column !== 'address_line2',
  ),
  'entered',
];

/** The columns the ceiling COPYs, in this order (org_id first). */
export const CEILING_COLUMNS = ['org_id', ...CEILING_ROW_COLUMNS];

/**
 * An order-independent checksum of the stored contacts of an organization
 * over the columns both loads write, to check that they stored the same thing.
 */
export const CONTACTS_CHECKSUM_SQL = `
  SELECT count(*)::bigint AS n,
         coalesce(sum(hashtextextended(concat_ws('|', first_name, last_name, email, phone, address_line1, city, postal_code,
                                                 region, country, preferred_language, birth_date::text, entered::text), 0)::numeric), 0)::text AS sum
    FROM contacts WHERE org_id = $1`;

export interface CeilingRow {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  address_line1: string | null;
  city: string | null;
  postal_code: string | null;
  region: string | null;
  country: string | null;
  preferred_language: string | null;
  birth_date: string | null;
  entered: EnteredValuesModel;
}

/** The row as stored, or null when the import must reject it. */
export function normalizeGeneratedRow(row: GeneratedRow): CeilingRow | null {
  const cell = (index: number): string | undefined => row.cells[index]?.trim() || undefined;
  const input: ContactFieldValues = {
    firstName: cell(COLUMN.firstName),
    lastName: cell(COLUMN.lastName),
    email: cell(COLUMN.email),
    phone: cell(COLUMN.phone),
    addressLine1: cell(COLUMN.address),
    city: cell(COLUMN.city),
    postalCode: cell(COLUMN.postalCode),
    birthDate: cell(COLUMN.birthDate),
  };
  const language = cell(COLUMN.language);
  if (language !== undefined) {
    input.preferredLanguage = importedLanguage(language);
    if (input.preferredLanguage === undefined) return null;
  }
  for (const key of Object.keys(input) as (keyof ContactFieldValues)[]) if (input[key] === undefined) delete input[key];
  try {
    return storedRow(normalizeContactFields(input, null));
  } catch (error) {
    if (error instanceof AppError) return null; // an invalid field: the import rejects the row
    throw error;
  }
}

/** A contact's fields as the contacts library normalized them, as a row of the contacts table (null for absent). */
export function storedRow({ columns, entered }: ReturnType<typeof normalizeContactFields>): CeilingRow {
  return {
    first_name: columns.first_name ?? null,
    last_name: columns.last_name ?? null,
    email: columns.email ?? null,
    phone: columns.phone ?? null,
    address_line1: columns.address_line1 ?? null,
    city: columns.city ?? null,
    postal_code: columns.postal_code ?? null,
    region: columns.region ?? null,
    country: columns.country ?? null,
    preferred_language: columns.preferred_language ?? null,
    birth_date: columns.birth_date ?? null,
    entered,
  };
}

/** The row's cells in COPY text format, tab-separated, in CEILING_ROW_COLUMNS order (no line end). */
export function ceilingRowCopyText(row: CeilingRow): string {
  return CEILING_ROW_COLUMNS.map((column) =>
    copyNullable(column === 'entered' ? JSON.stringify(row.entered) : row[column]),
  ).join('\t');
}

export interface CeilingFile {
  file: string;
  rows: number;
  rejected: number;
  bytes: number;
  ms: number;
}

/** Normalizes the generated rows and writes the good ones as COPY text lines for `orgId`. */
export async function writeCeilingCopyFile(
  file: string,
  orgId: string,
  options: GenerateOptions,
): Promise<CeilingFile> {
  const started = performance.now();
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let rows = 0;
  let rejected = 0;
  let bytes = 0;
  let chunk = '';
  const flush = async () => {
    const buffer = Buffer.from(chunk, 'utf8');
    chunk = '';
    bytes += buffer.length;
    if (!out.write(buffer)) await Promise.race([once(out, 'drain'), failed]);
  };
  for (const generated of generateContactRows(options)) {
    const row = normalizeGeneratedRow(generated);
    if (row === null) {
      rejected++;
      continue;
    }
    rows++;
    chunk += `${orgId}\t${ceilingRowCopyText(row)}\n`;
    if (rows % 2_000 === 0) await flush();
  }
  if (chunk) await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { file, rows, rejected, bytes, ms: Math.round(performance.now() - started) };
}
