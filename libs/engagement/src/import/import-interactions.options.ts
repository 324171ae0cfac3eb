import { AppError } from '@app/common';
import { type ImportEncoding, parseFileOptions, parseMappingOption } from '@app/imports';
import { type InteractionImportField, isInteractionImportField } from './interaction-columns.js';

/** What an interactions import is started with (the job run's payload). */
export interface ImportInteractionsParams {
  /** The system the file comes from: the source of the customer numbers, and of the transaction numbers without a source column. */
  source: string;
  /** The type of rows without a type column or cell (an export of ticket orders: TICKET_PURCHASE). */
  type: string | null;
  /** A row whose customer number or email names no contact creates one (with the names in the row); else it is rejected. */
  createContacts: boolean;
  /** After the import, look for duplicates among the contacts it created (a dedup run); default true. */
  dedup: boolean;
  delimiter: string | null;
  encoding: ImportEncoding | null;
  mapping: Record<string, InteractionImportField | 'ignore'> | null;
  /** Filled in when the upload is stored. */
  bytes?: number;
  detectedEncoding?: ImportEncoding;
}

const OPTION_NAMES = ['source', 'type', 'createContacts', 'dedup', 'delimiter', 'encoding', 'mapping'];

/** The options of `POST /imports/interactions` (query parameters or form fields); every refusal names the option. */
export function parseImportInteractionsOptions(fields: Record<string, string | undefined>): ImportInteractionsParams {
  for (const name of Object.keys(fields)) {
    if (!OPTION_NAMES.includes(name))
      throw AppError.badInput(name, `Unknown option "${name}"; options are: ${OPTION_NAMES.join(', ')}`);
  }
  const flag = (name: string, fallback: boolean) => {
    const value = fields[name]?.trim().toLowerCase();
    if (!value) return fallback;
    if (value !== 'true' && value !== 'false') throw AppError.badInput(name, `${name} must be true or false`);
    return value === 'true';
  };
  return {
    source: fields.source?.trim() || 'import',
    type: fields.type?.trim() || null,
    createContacts: flag('createContacts', false),
    dedup: flag('dedup', true),
    ...parseFileOptions(fields),
    mapping: parseMappingOption(
      fields.mapping?.trim() || null,
      (name) => (isInteractionImportField(name) ? name : null),
      'an interaction field',
    ),
  };
}
