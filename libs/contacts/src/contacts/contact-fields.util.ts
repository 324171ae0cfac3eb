import { AppError } from '@app/common';
import {
  isCalendarDate,
  type Normalized,
  normalizeEmail,
  normalizeName,
  normalizePhone,
  normalizePostalCode,
  quebecRegionFromPostalCode,
  isCanada,
  todayIso,
} from '../normalization/index.js';
import type { EnteredValuesModel } from './contact.model.js';

/** Contact columns written from input, as stored (snake_case). */
export interface ContactColumns {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
  address_line1?: string | null;
  address_line2?: string | null;
  city?: string | null;
  postal_code?: string | null;
  region?: string | null;
  country?: string | null;
  preferred_language?: string | null;
  birth_date?: string | null;
}

export interface ContactFieldValues {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  addressLine1?: string | null;
  addressLine2?: string | null;
  city?: string | null;
  postalCode?: string | null;
  region?: string | null;
  country?: string | null;
  preferredLanguage?: string | null;
  birthDate?: string | null;
}

/** Each contact field, as GraphQL and inputs name it, and its column. */
export const CONTACT_FIELD_COLUMNS: Readonly<Record<keyof ContactFieldValues, keyof ContactColumns>> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  addressLine1: 'address_line1',
  addressLine2: 'address_line2',
  city: 'city',
  postalCode: 'postal_code',
  region: 'region',
  country: 'country',
  preferredLanguage: 'preferred_language',
  birthDate: 'birth_date',
};

const NORMALIZED: readonly [
  keyof EnteredValuesModel & keyof ContactFieldValues,
  keyof ContactColumns,
  (value: string | null | undefined) => Normalized,
][] = [
  ['firstName', 'first_name', normalizeName],
  ['lastName', 'last_name', normalizeName],
  ['email', 'email', normalizeEmail],
  ['phone', 'phone', (value) => normalizePhone(value)],
];

const PLAIN: readonly [keyof ContactFieldValues, keyof ContactColumns][] = [
  ['addressLine1', 'address_line1'],
  ['addressLine2', 'address_line2'],
  ['city', 'city'],
  ['region', 'region'],
  ['country', 'country'],
  ['preferredLanguage', 'preferred_language'],
];

/** What normalizing gives: the columns to write, and what was entered where normalization changed it. */
export interface NormalizedContactFields {
  columns: ContactColumns;
  entered: EnteredValuesModel;
  /** Fields whose entered value no longer applies. */
  clearedEntered: (keyof EnteredValuesModel)[];
}

/**
 * Normalizes the fields present in `input` (absent = unchanged, null = cleared).
 * `country` is the contact's country after the change (for the postal code).
 * Throws BAD_USER_INPUT naming the first invalid field.
 */
export function normalizeContactFields(
  input: ContactFieldValues,
  country: string | null | undefined,
  path = 'input',
): NormalizedContactFields {
  const { errors, ...result } = checkContactFields(input, country);
  const [first] = errors;
  if (first) throw AppError.badInput(`${path}.${first.field}`, `${path}.${first.field}: ${first.reason}`);
  return result;
}

/** Like normalizeContactFields, but every invalid field is reported instead of thrown (an import row). */
export function checkContactFields(
  input: ContactFieldValues,
  country: string | null | undefined,
): NormalizedContactFields & { errors: { field: keyof ContactFieldValues; reason: string }[] } {
  const columns: ContactColumns = {};
  const entered: EnteredValuesModel = {};
  const clearedEntered: (keyof EnteredValuesModel)[] = [];
  const errors: { field: keyof ContactFieldValues; reason: string }[] = [];

  const apply = (
    field: keyof EnteredValuesModel,
    column: keyof ContactColumns,
    result: Normalized,
    raw: string | null | undefined,
  ) => {
    if (!result.ok) {
      errors.push({ field, reason: result.reason });
      return;
    }
    columns[column] = result.value;
    if (raw != null && result.value !== null && raw !== result.value) entered[field] = raw;
    else clearedEntered.push(field);
  };

  for (const [field, column, normalize] of NORMALIZED) {
    if (input[field] !== undefined) apply(field, column, normalize(input[field]), input[field]);
  }
  for (const [field, column] of PLAIN) {
    if (input[field] !== undefined) columns[column] = trimmed(input[field]);
  }
  // a language or birth date an import could not read is kept as entered: a new value replaces it
  if (input.preferredLanguage !== undefined) clearedEntered.push('preferredLanguage');
  if (input.postalCode !== undefined) {
    apply('postalCode', 'postal_code', normalizePostalCode(input.postalCode, country), input.postalCode);
    // Quebec's administrative region, from the postal code, unless one is given.
    if (input.region === undefined && columns.postal_code && (country == null || isCanada(country))) {
      const region = quebecRegionFromPostalCode(columns.postal_code);
      if (region) columns.region = region;
    }
  }
  if (input.birthDate !== undefined) {
    if (input.birthDate !== null && !isRealDate(input.birthDate))
      errors.push({ field: 'birthDate', reason: 'must be a real date as YYYY-MM-DD, not in the future' });
    else {
      columns.birth_date = input.birthDate;
      clearedEntered.push('birthDate');
    }
  }
  return { columns, entered, clearedEntered, errors };
}

function trimmed(value: string | null | undefined): string | null {
  const result = value?.trim().replace(/\s+/g, ' ');
  return result ? result : null;
}

function isRealDate(value: string): boolean {
  return isCalendarDate(value) && value <= todayIso();
}
