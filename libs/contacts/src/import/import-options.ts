import { AppError } from '@app/common';
import { type ImportEncoding, parseFileOptions, parseMappingOption } from '@app/imports';
import { ConsentPurpose, ConsentStatus, ImpliedConsentReason, LegalBasis } from '../consent/consent.types.js';
import { type ImportField, parseImportField } from './import-columns.util.js';

/** How imported rows meet the contacts already there. */
export enum ImportStrategy {
  /** New people are created; a row matching an existing contact is skipped and changes nothing. */
  CREATE_ONLY = 'CREATE_ONLY',
  /** Every good row becomes a new contact, even one like an existing contact or another row: a dedup run sorts them out. */
  CREATE_ALL = 'CREATE_ALL',
  /** Rows are matched by external id (source + id) and update what they match. */
  UPSERT_BY_EXTERNAL_ID = 'UPSERT_BY_EXTERNAL_ID',
  /** Rows are matched by email and update what they match. */
  UPSERT_BY_EMAIL = 'UPSERT_BY_EMAIL',
}

export type DateOrder = 'YMD' | 'DMY' | 'MDY';

/** What a row with an invalid value in a field that can stay empty (email, phone, postal code, language, birth date) becomes. */
export enum InvalidFields {
  /** The row is imported with that field empty, what was typed is kept in `entered`, and the run reports the field. */
  CLEAR = 'CLEAR',
  /** The row is rejected (the strict behaviour before CLEAR became the default). */
  REJECT = 'REJECT',
}

export interface ImportConsentOption {
  purposes: ConsentPurpose[];
  status: ConsentStatus;
  legalBasis: LegalBasis | null;
  impliedReason: ImpliedConsentReason | null;
  source: string;
  /** ISO timestamp; the upload's time when not given. */
  occurredAt: string;
}

/** What an import is started with (the job run's payload). */
export interface ImportContactsParams {
  strategy: ImportStrategy;
  /** The system the external ids come from (e.g. the box office). */
  source: string;
  delimiter: string | null;
  encoding: ImportEncoding | null;
  /** Header (as in the file) → field; overrides the recognized header names. */
  mapping: Record<string, ImportField> | null;
  tags: string[];
  consent: ImportConsentOption | null;
  dateOrder: DateOrder;
  /**
   * An invalid email, phone, postal code, language or birth date leaves its field empty (kept as entered) or rejects
   * the row. Runs queued before the option existed have none: they get the default, CLEAR.
   */
  invalidFields: InvalidFields;
  /** After the import, look for duplicates of the contacts it created or changed (a dedup run); default true. */
  dedup: boolean;
  /** Everything but the changes to contacts: the counts and the rejected rows of what the import would do. */
  dryRun: boolean;
  /** Filled in when the upload is stored. */
  bytes?: number;
  detectedEncoding?: ImportEncoding;
}

export const IMPORT_OPTION_NAMES = [
  'strategy',
  'source',
  'delimiter',
  'encoding',
  'mapping',
  'tags',
  'dateOrder',
  'invalidFields',
  'keepBadDates',
  'dedup',
  'dryRun',
  'consentPurposes',
  'consentStatus',
  'consentLegalBasis',
  'consentImpliedReason',
  'consentSource',
  'consentOccurredAt',
] as const;

/**
 * The options of `POST /imports`, from query parameters or form fields (all
 * strings). Every refusal names the option.
 */
export function parseImportOptions(fields: Record<string, string | undefined>, now = new Date()): ImportContactsParams {
  for (const name of Object.keys(fields)) {
    if (!(IMPORT_OPTION_NAMES as readonly string[]).includes(name)) {
      throw AppError.badInput(name, `Unknown option "${name}"; options are: ${IMPORT_OPTION_NAMES.join(', ')}`);
    }
  }
  const text = (name: string) => fields[name]?.trim() || null;
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T | null): T | null => {
    const value = text(name);
    if (value === null) return fallback;
    const found = values.find((v) => v.toLowerCase() === value.toLowerCase());
    if (!found) throw AppError.badInput(name, `${name} must be one of: ${values.join(', ')}`);
    return found;
  };
  const list = (name: string) =>
    (text(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  const strategy = oneOf('strategy', Object.values(ImportStrategy), ImportStrategy.CREATE_ONLY)!;
  const source = text('source');
  if (strategy === ImportStrategy.UPSERT_BY_EXTERNAL_ID && !source) {
    throw AppError.badInput(
      'source',
      'source is required with UPSERT_BY_EXTERNAL_ID: it names the system the external ids come from',
    );
  }
  return {
    strategy,
    source: source ?? 'import',
    ...parseFileOptions(fields),
    mapping: parseMappingOption(text('mapping'), parseImportField, 'a contact field'),
    tags: list('tags'),
    consent: parseConsent(fields, list('consentPurposes'), now),
    dateOrder: oneOf('dateOrder', ['YMD', 'DMY', 'MDY'] as const, 'YMD')!,
    dedup: oneOf('dedup', ['true', 'false'] as const, 'true') === 'true',
    invalidFields: parseInvalidFields(oneOf),
    dryRun: oneOf('dryRun', ['true', 'false'] as const, 'false') === 'true',
  };
}

/**
 * invalidFields, default CLEAR. keepBadDates=true, its older name (it kept bad birth dates only, when rejecting was the
 * default), is accepted as the same as invalidFields=CLEAR; keepBadDates=false changes nothing.
 */
function parseInvalidFields(
  oneOf: <T extends string>(name: string, values: readonly T[], fallback: T | null) => T | null,
): InvalidFields {
  const invalidFields = oneOf('invalidFields', Object.values(InvalidFields), null);
  const keepBadDates = oneOf('keepBadDates', ['true', 'false'] as const, 'false') === 'true';
  if (keepBadDates && invalidFields === InvalidFields.REJECT)
    throw AppError.badInput(
      'keepBadDates',
      'keepBadDates=true is the older name of invalidFields=CLEAR: it cannot go with invalidFields=REJECT',
    );
  return invalidFields ?? InvalidFields.CLEAR;
}

function parseConsent(
  fields: Record<string, string | undefined>,
  purposeNames: string[],
  now: Date,
): ImportConsentOption | null {
  const given = Object.keys(fields).filter((name) => name.startsWith('consent') && fields[name]?.trim());
  if (purposeNames.length === 0) {
    if (given.length)
      throw AppError.badInput('consentPurposes', 'consentPurposes is required with the other consent options');
    return null;
  }
  const purposes = purposeNames.map((name) => {
    const purpose = (Object.values(ConsentPurpose) as string[]).find((p) => p === name.toUpperCase());
    if (!purpose)
      throw AppError.badInput(
        'consentPurposes',
        `consentPurposes: "${name}" is not one of ${Object.values(ConsentPurpose).join(', ')}`,
      );
    return purpose as ConsentPurpose;
  });
  const pick = <T extends string>(name: string, values: T[]): T | null => {
    const value = fields[name]?.trim().toUpperCase();
    if (!value) return null;
    const found = values.find((v) => v === value);
    if (!found) throw AppError.badInput(name, `${name} must be one of: ${values.join(', ')}`);
    return found;
  };
  const status = pick('consentStatus', Object.values(ConsentStatus)) ?? ConsentStatus.GRANTED;
  const legalBasis = pick('consentLegalBasis', Object.values(LegalBasis));
  const impliedReason = pick('consentImpliedReason', Object.values(ImpliedConsentReason));
  const source = fields.consentSource?.trim();
  if (!source)
    throw AppError.badInput(
      'consentSource',
      'consentSource is required to record consent (where it was given: a form, a box office...)',
    );
  if (status === ConsentStatus.GRANTED && !legalBasis)
    throw AppError.badInput('consentLegalBasis', 'consentLegalBasis is required for a grant');
  if (legalBasis === LegalBasis.IMPLIED && !impliedReason)
    throw AppError.badInput('consentImpliedReason', 'consentImpliedReason is required for implied consent');
  if (legalBasis !== LegalBasis.IMPLIED && impliedReason)
    throw AppError.badInput('consentImpliedReason', 'consentImpliedReason applies to implied consent only');
  const occurredText = fields.consentOccurredAt?.trim();
  const occurredAt = occurredText ? new Date(occurredText) : now;
  if (Number.isNaN(occurredAt.getTime()) || occurredAt.getTime() > now.getTime() + 60_000) {
    throw AppError.badInput(
      'consentOccurredAt',
      'consentOccurredAt must be an ISO date or timestamp, not in the future',
    );
  }
  return {
    purposes,
    status,
    source,
    legalBasis: status === ConsentStatus.GRANTED ? legalBasis : null,
    impliedReason: status === ConsentStatus.GRANTED ? impliedReason : null,
    occurredAt: occurredAt.toISOString(),
  };
}
