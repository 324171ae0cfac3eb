import { csvText } from '@app/imports';
import type { ExportedContact } from './contact-export.reader.js';
import { ConsentPurpose } from '../consent/consent.types.js';
import { ExportFormat } from './export.inputs.js';

/** CSV columns, in order; the header uses these names. */
const CSV_COLUMNS: [string, (c: ExportedContact) => unknown][] = [
  ['id', (c) => c.id],
  ['first_name', (c) => c.firstName],
  ['last_name', (c) => c.lastName],
  ['email', (c) => c.email],
  ['phone', (c) => c.phone],
  ['address_line1', (c) => c.addressLine1],
  ['address_line2', (c) => c.addressLine2],
  ['city', (c) => c.city],
  ['postal_code', (c) => c.postalCode],
  ['region', (c) => c.region],
  ['country', (c) => c.country],
  ['preferred_language', (c) => c.preferredLanguage],
  ['birth_date', (c) => c.birthDate],
  ['tags', (c) => c.tags.join('|')],
  ['external_ids', (c) => c.externalIds.join('|')],
  ...Object.values(ConsentPurpose).map((p): [string, (c: ExportedContact) => unknown] => [
    `consent_${p.toLowerCase()}`,
    (c) => c.consents[p],
  ]),
  ['attributes', (c) => (Object.keys(c.attributes).length ? JSON.stringify(c.attributes) : '')],
  ['created_at', (c) => c.createdAt.toISOString()],
  ['updated_at', (c) => c.updatedAt.toISOString()],
];

/** The start of the file: CSV header (with a BOM for Excel), nothing for NDJSON. */
export function exportHeader(format: ExportFormat, excel: boolean): string {
  if (format === ExportFormat.NDJSON) return '';
  return (excel ? '\uFEFF' : '') + csvText([CSV_COLUMNS.map(([name]) => name)], excel ? ';' : ',');
}

/** Rows of contacts as lines of the file: CSV cells that a spreadsheet would run as formulas are neutralized, NDJSON is raw. */
export function exportLines(contacts: readonly ExportedContact[], format: ExportFormat, excel: boolean): string {
  if (format === ExportFormat.NDJSON) return contacts.map((c) => `${JSON.stringify(c)}\n`).join('');
  return csvText(
    contacts.map((c) => CSV_COLUMNS.map(([, value]) => value(c) ?? '')),
    excel ? ';' : ',',
  );
}

export function exportContentType(format: ExportFormat): string {
  return format === ExportFormat.NDJSON ? 'application/x-ndjson; charset=utf-8' : 'text/csv; charset=utf-8';
}
