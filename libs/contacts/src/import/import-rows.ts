import { AppError } from '@app/common';
import { copyNullable, copyText } from '@app/database';
import { columnLabel, MAX_CELL_CHARS, tooLong } from '@app/imports';
import type { AttributeDefinitionModel } from '../attributes/attribute-definition.model.js';
import { checkValue } from '../attributes/attribute-values.util.js';
import { isCalendarDate } from '../normalization/calendar-date.util.js';
import { checkContactFields, type ContactColumns, type ContactFieldValues } from '../contacts/contact-fields.util.js';
import type { EnteredValuesModel } from '../contacts/contact.model.js';
import type { ColumnPlan } from './import-columns.util.js';
import { CONTACT_CELL_MAX_CHARS } from './contact-cell-limits.js';
import { type DateOrder, ImportStrategy, InvalidFields } from './import-options.js';

/**
 * The contact columns a row fills, with the key of `entered` where normalization can change the value or where an
 * invalid value is kept as typed (invalidFields=CLEAR).
 */
export const STAGED_COLUMNS: readonly { column: keyof ContactColumns; entered?: string; type?: string }[] = [
  { column: 'first_name', entered: 'firstName' },
  { column: 'last_name', entered: 'lastName' },
  { column: 'email', entered: 'email' },
  { column: 'phone', entered: 'phone' },
  { column: 'address_line1' },
  { column: 'address_line2' },
  { column: 'city' },
  { column: 'postal_code', entered: 'postalCode' },
  { column: 'region' },
  { column: 'country' },
  { column: 'preferred_language', entered: 'preferredLanguage' },
  { column: 'birth_date', type: 'date', entered: 'birthDate' },
];

/**
 * One row per line of the file, good or bad, COPYed here before the merge.
 * `match` says which key identifies the person: x = external id, e = email,
 * i = identity (name, phone, postal code and birth date all equal).
 */
export const STAGING_TABLE = `
  CREATE TEMP TABLE import_rows (
    line int NOT NULL,
    match "char",
    key text,
    ext_id text,
    ${STAGED_COLUMNS.map(({ column, type }) => `${column} ${type ?? 'text'}`).join(',\n    ')},
    attributes jsonb,
    entered jsonb,
    tags text[],
    error text,
    raw text[]
  ) ON COMMIT DROP`;

export const STAGING_COPY = `COPY import_rows (line, match, key, ext_id, ${STAGED_COLUMNS.map(({ column }) => column).join(', ')},
  attributes, entered, tags, error, raw) FROM STDIN`;

/**
 * A refused row's reason, or a field a kept row was imported without: `column` names the column (cut short),
 * `message` says why, never quoting a cell.
 */
export interface RowError {
  line: number;
  column: string | null;
  message: string;
}

/** The fields an invalid value leaves empty, instead of rejecting the row, under invalidFields=CLEAR. */
type ClearableField = keyof EnteredValuesModel & keyof ContactFieldValues;

/** The report of a field a row was imported without: it names the field, never the value. */
export function clearedMessage(field: ClearableField, reason: string): string {
  return `imported without ${field}: ${reason} (as typed in entered.${field})`;
}

export const NOTHING_IDENTIFIES =
  'nothing identifies this person: the row needs a name, an email, a phone or an external id';

const LANGUAGES: Record<string, 'fr' | 'en'> = {
  fr: 'fr',
  fra: 'fr',
  fre: 'fr',
  f: 'fr',
  francais: 'fr',
  french: 'fr',
  'fr-ca': 'fr',
  'fr ca': 'fr',
  en: 'en',
  eng: 'en',
  e: 'en',
  a: 'en',
  anglais: 'en',
  english: 'en',
  'en-ca': 'en',
  'en ca': 'en',
};

/** A language cell as the import reads it (accents and case ignored); undefined when it names neither. */
export function importedLanguage(value: string): 'fr' | 'en' | undefined {
  return LANGUAGES[value.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')];
}

/**
 * Turns each parsed record into a line of COPY text for import_rows: the
 * normalized contact, or, when the row is refused, the raw cells with the
 * reasons (a bad row keeps its line number and is reported, never imported).
 * An invalid email, phone, postal code, language or birth date leaves its
 * field empty and is kept as typed in `entered` (invalidFields=CLEAR, the
 * default; REJECT refuses the row); the row is refused when nothing then
 * identifies the person. A cell longer than its field allows, a bad attribute
 * value or tag, and a malformed record always refuse the row.
 */
export class RowStager {
  private readonly keyOrder: ('x' | 'e')[];
  /** Each column as errors name it, and the longest value it takes. */
  private readonly labels: string[];
  private readonly maxChars: number[];

  constructor(
    private readonly columns: readonly ColumnPlan[],
    private readonly definitions: ReadonlyMap<string, AttributeDefinitionModel>,
    strategy: ImportStrategy,
    private readonly dateOrder: DateOrder,
    private readonly invalidFields = InvalidFields.CLEAR,
  ) {
    this.keyOrder = strategy === ImportStrategy.UPSERT_BY_EMAIL ? ['e', 'x'] : ['x', 'e'];
    this.labels = columns.map(({ header, index }) => columnLabel(header, index));
    this.maxChars = columns.map(
      ({ field }) => (CONTACT_CELL_MAX_CHARS as Record<string, number>)[field] ?? MAX_CELL_CHARS,
    );
  }

  /** The COPY line for a record, its errors (none for a good row) and the fields it was imported without. */
  stage(record: readonly string[], line: number): StagedRow {
    const input: ContactFieldValues = {};
    const headerOf: Partial<Record<keyof ContactFieldValues, string>> = {};
    let attributes: Record<string, string | number | boolean> | null = null;
    /** Every problem of the row, in column order; `field` when the field may be left empty instead, with what was typed. */
    const problems: (RowError & { field?: ClearableField; typed?: string })[] = [];
    let extId: string | null = null;
    let tags: string[] = [];
    let typedDate: string | undefined;
    for (const [i, { index, field }] of this.columns.entries()) {
      const value = record[index]?.trim();
      if (!value) continue; // a blank cell never erases a value
      // reasons never quote the cell: the job's errors are read by roles that may not see it (the rejected-rows file keeps it)
      const column = this.labels[i];
      let problem: string | null = null;
      if (value.length > this.maxChars[i]) problem = tooLong(this.maxChars[i]);
      else if (field === 'externalId') extId = value;
      else if (field === 'tags') {
        tags = [
          ...new Set(
            value
              .split(/[|,;]/)
              .map((tag) => tag.trim().replace(/\s+/g, ' '))
              .filter(Boolean),
          ),
        ];
        if (tags.some((tag) => tag.length > 100)) problem = 'a tag name has at most 100 characters';
      } else if (field === 'preferredLanguage') {
        const language = importedLanguage(value);
        if (language) input.preferredLanguage = language;
        else problems.push({ line, column, message: 'unknown language (expected fr or en)', field, typed: value });
      } else if (field === 'birthDate') {
        const date = parseDate(value, this.dateOrder);
        headerOf.birthDate = column;
        typedDate = value;
        if (date) input.birthDate = date;
        else
          problems.push({
            line,
            column,
            message: `not a valid date (expected ${DATE_FORMATS[this.dateOrder]})`,
            field,
            typed: value,
          });
      } else if (field.startsWith('attributes.')) {
        const key = field.slice('attributes.'.length);
        try {
          (attributes ??= {})[key] = checkValue(this.definitions.get(key)!, value, 'the value');
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          problem = error.message;
        }
      } else {
        const name = field as keyof ContactFieldValues;
        input[name] = input[name] ? `${input[name]} ${value}` : value; // only JOINED_FIELDS can be filled twice
        headerOf[name] ??= column;
      }
      if (problem) problems.push({ line, column, message: problem });
    }
    // a field that does not normalize is left out of the columns (and of entered): only its problem says it was there
    const checked = checkContactFields(input, input.country ?? null);
    for (const { field, reason } of checked.errors) {
      const typed = field === 'birthDate' ? typedDate : (input[field] ?? undefined);
      problems.push({ line, column: headerOf[field] ?? field, message: reason, field: field as ClearableField, typed });
    }
    const { columns: values, entered } = checked;
    const clear = this.invalidFields === InvalidFields.CLEAR && problems.every(({ field }) => field);
    const errors: RowError[] = [];
    const cleared: RowError[] = [];
    for (const { field, typed, ...problem } of problems) {
      if (!clear) errors.push(problem);
      else {
        cleared.push({ ...problem, message: clearedMessage(field!, problem.message) });
        entered[field!] = typed;
      }
    }
    if (errors.length === 0 && !extId && !values.email && !values.phone && !values.first_name && !values.last_name) {
      // the fields it would have been imported without are why it is refused
      errors.push(...problems.map(({ line, column, message }) => ({ line, column, message })), {
        line,
        column: null,
        message: NOTHING_IDENTIFIES,
      });
    }
    if (errors.length > 0) return this.refused(line, record, errors);

    let match: 'x' | 'e' | 'i' = 'i';
    let key: string | null = null;
    for (const kind of this.keyOrder) {
      const value = kind === 'x' ? extId : values.email;
      if (value) {
        match = kind;
        key = `${kind}:${value}`;
        break;
      }
    }
    let copy = `${line}\t${match}\t${copyNullable(key)}\t${copyNullable(extId)}`;
    for (const { column } of STAGED_COLUMNS) copy += `\t${copyNullable(values[column] ?? null)}`;
    copy += `\t${attributes ? copyText(JSON.stringify(attributes)) : '{}'}\t${copyText(JSON.stringify(entered))}\t${tags.length ? copyText(arrayLiteral(tags)) : '{}'}\t\\N\t\\N\n`;
    return { copy, errors, cleared, match, hasExternalId: extId !== null, hasTags: tags.length > 0 };
  }

  /** A record refused as a whole (e.g. more cells than the header has). */
  rejected(line: number, record: readonly string[], message: string): StagedRow {
    return this.refused(line, record, [{ line, column: null, message }]);
  }

  private refused(line: number, record: readonly string[], errors: RowError[]): StagedRow {
    return {
      copy: this.rejectedLine(line, errors, record),
      errors,
      cleared: [],
      match: null,
      hasExternalId: false,
      hasTags: false,
    };
  }

  /** The COPY line of a bad row: its raw cells and the reasons (each with its column, for the rejected-rows file), nothing else. */
  rejectedLine(line: number, errors: readonly RowError[], record: readonly string[]): string {
    const empty = '\t\\N'.repeat(STAGED_COLUMNS.length + 6);
    const reasons = errors.map((e) => (e.column ? `${e.column}: ${e.message}` : e.message)).join('; ');
    return `${line}${empty}\t${copyText(reasons)}\t${copyText(arrayLiteral(record))}\n`;
  }
}

export interface StagedRow {
  copy: string;
  /** Why the row is refused; none for a row that is imported. */
  errors: RowError[];
  /** The fields an imported row was imported without (invalidFields=CLEAR), each with its column. */
  cleared: RowError[];
  match: 'x' | 'e' | 'i' | null;
  hasExternalId: boolean;
  hasTags: boolean;
}

const DATE_FORMATS: Record<DateOrder, string> = { YMD: 'YYYY-MM-DD', DMY: 'DD/MM/YYYY', MDY: 'MM/DD/YYYY' };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_PARTS = /^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})$/;

/**
 * A date as YYYY-MM-DD, or null: ISO, YYYYMMDD, or three numbers separated by
 * - / or . — year first when it has four digits, else in the given order.
 */
export function parseDate(value: string, order: DateOrder): string | null {
  if (ISO_DATE.test(value)) return isCalendarDate(value) ? value : null;
  let year: string, month: string, day: string;
  const compact = COMPACT_DATE.exec(value);
  if (compact) [, year, month, day] = compact;
  else {
    const parts = DATE_PARTS.exec(value);
    if (!parts) return null;
    const [, a, b, c] = parts;
    if (a.length === 4) [year, month, day] = [a, b, c];
    else if (order === 'DMY') [year, month, day] = [c, b, a];
    else if (order === 'MDY') [year, month, day] = [c, a, b];
    else return null;
  }
  if (year.length !== 4 || month.length > 2 || day.length > 2) return null;
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return isCalendarDate(iso) ? iso : null;
}

/** A PostgreSQL text[] literal. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}
