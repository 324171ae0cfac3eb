import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AttributeType, type AttributeDefinitionModel } from '../attributes/attribute-definition.model.js';
import { isCalendarDate } from '../normalization/calendar-date.util.js';
import { planColumns } from './import-columns.util.js';
import { type DateOrder, ImportStrategy, InvalidFields } from './import-options.js';
import {
  clearedMessage,
  NOTHING_IDENTIFIES,
  parseDate,
  RowStager,
  STAGED_COLUMNS,
  STAGING_COPY,
} from './import-rows.js';

describe('parseDate', () => {
  it.each(['YMD', 'DMY', 'MDY'] as const)('reads ISO, YYYYMMDD and year-first dates under %s', (order) => {
    for (const value of ['1980-03-04', '19800304', '1980/03/04', '1980.03.04', '1980-3-4', '1980/3/4']) {
      expect([value, parseDate(value, order)]).toEqual([value, '1980-03-04']);
    }
  });

  it('reads day first under DMY and month first under MDY', () => {
    expect(parseDate('04/03/1980', 'DMY')).toBe('1980-03-04');
    expect(parseDate('4.3.1980', 'DMY')).toBe('1980-03-04');
    expect(parseDate('04/03/1980', 'MDY')).toBe('1980-04-03');
    expect(parseDate('12-31-1999', 'MDY')).toBe('1999-12-31');
    expect(parseDate('31/12/1999', 'DMY')).toBe('1999-12-31');
  });

  it('refuses a date whose order is not given (YMD)', () => {
    expect(parseDate('04/03/1980', 'YMD')).toBeNull();
    expect(parseDate('31/12/1999', 'YMD')).toBeNull();
  });

  it.each([
    ['2023-02-29', 'YMD'],
    ['20230229', 'YMD'],
    ['2023/02/29', 'DMY'],
    ['29/02/2023', 'DMY'],
    ['02/29/2023', 'MDY'],
    ['31/04/1990', 'DMY'],
    ['1980-13-01', 'YMD'],
    ['1980-00-10', 'YMD'],
    ['1980-01-00', 'YMD'],
    ['31/12/1999', 'MDY'],
    ['04/03/80', 'DMY'],
    ['004/03/1980', 'DMY'],
    ['1980-003-04', 'YMD'],
    ['1980 03 04', 'YMD'],
    ['198003041', 'YMD'],
    ['hier', 'DMY'],
    ['', 'YMD'],
  ] as [string, DateOrder][])('refuses %j under %s', (value, order) => {
    expect(parseDate(value, order)).toBeNull();
  });

  it('accepts 29 February of leap years only', () => {
    expect(parseDate('2024-02-29', 'YMD')).toBe('2024-02-29');
    expect(parseDate('29/02/2000', 'DMY')).toBe('2000-02-29');
    expect(parseDate('29/02/1900', 'DMY')).toBeNull();
  });

  it('reads any real date in each order', () => {
    const day = fc
      .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.constantFrom('/', '-', '.'), fc.boolean(), (iso, separator, pad) => {
        const [y, m, d] = iso.split('-');
        const [mm, dd] = pad ? [m, d] : [String(Number(m)), String(Number(d))];
        expect(parseDate(iso, 'YMD')).toBe(iso);
        expect(parseDate(`${y}${m}${d}`, 'MDY')).toBe(iso);
        expect(parseDate([y, mm, dd].join(separator), 'DMY')).toBe(iso);
        expect(parseDate([dd, mm, y].join(separator), 'DMY')).toBe(iso);
        expect(parseDate([mm, dd, y].join(separator), 'MDY')).toBe(iso);
      }),
    );
  });

  it('gives only calendar dates, or null', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '9', '/', '-', '.') }),
        fc.constantFrom<DateOrder>('YMD', 'DMY', 'MDY'),
        (value, order) => {
          const date = parseDate(value, order);
          if (date !== null) expect(isCalendarDate(date)).toBe(true);
        },
      ),
    );
  });
});

// --- RowStager ---------------------------------------------------------------------------

const define = (
  key: string,
  label: string,
  type: AttributeType,
  choices: string[] | null = null,
): [string, AttributeDefinitionModel] => [
  key,
  { key, label, type, choices, createdAt: new Date('2024-01-01T00:00:00Z') },
];
const definitions = new Map([
  define('season_pass', 'Abonnement saison', AttributeType.BOOLEAN),
  define('niveau', 'Niveau de don', AttributeType.CHOICE, ['or', 'argent']),
  define('note', 'Note', AttributeType.TEXT),
]);

const HEADERS = [
  'No client',
  'Prénom',
  'Nom',
  'Courriel',
  'Téléphone',
  'Adresse',
  'App',
  'Ville',
  'Code postal',
  'Région',
  'Pays',
  'Langue',
  'Date de naissance',
  'Étiquettes',
  'Abonnement saison',
  'Niveau de don',
  'Note',
] as const;
type Header = (typeof HEADERS)[number];

function stager(
  strategy = ImportStrategy.CREATE_ONLY,
  dateOrder: DateOrder = 'YMD',
  headers: readonly string[] = HEADERS,
  invalidFields = InvalidFields.CLEAR,
): RowStager {
  const plan = planColumns(headers, null, definitions);
  expect(plan.problems).toEqual([]);
  expect(plan.ignored).toEqual([]);
  return new RowStager(plan.columns, definitions, strategy, dateOrder, invalidFields);
}

/** The strict stager: a row with an invalid value is refused (invalidFields=REJECT). */
const strict = (dateOrder: DateOrder = 'YMD') =>
  stager(ImportStrategy.CREATE_ONLY, dateOrder, HEADERS, InvalidFields.REJECT);

/** A record with the given cells, by header; the others blank. */
function record(cells: Partial<Record<Header, string>>): string[] {
  return HEADERS.map((header) => cells[header] ?? '');
}

/** The columns COPY fills, in order, as STAGING_COPY lists them. */
const COPY_COLUMNS = /COPY import_rows \(([^)]*)\) FROM STDIN/
  .exec(STAGING_COPY)![1]
  .split(',')
  .map((column) => column.trim());

const COPY_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r' };

/** A COPY text line read back as PostgreSQL would: one value (or null) per column. */
function copyFields(copy: string): Record<string, string | null> {
  expect(copy.indexOf('\n')).toBe(copy.length - 1); // one line, its line breaks escaped
  const fields = copy.slice(0, -1).split('\t');
  expect(fields).toHaveLength(COPY_COLUMNS.length);
  const unescape = (value: string) => value.replace(/\\(.)/g, (_, char: string) => COPY_ESCAPES[char] ?? char);
  return Object.fromEntries(
    COPY_COLUMNS.map((column, i) => [column, fields[i] === '\\N' ? null : unescape(fields[i])]),
  );
}

/** The elements of a PostgreSQL text[] literal of quoted elements. */
function arrayElements(literal: string): string[] {
  expect(literal).toMatch(/^\{("(?:[^"\\]|\\.)*"(,"(?:[^"\\]|\\.)*")*)?\}$/);
  return [...literal.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(([, element]) => element.replace(/\\(.)/g, '$1'));
}

describe('STAGING_COPY', () => {
  it('lists line, match, key, ext_id, the staged contact columns and five more', () => {
    expect(COPY_COLUMNS).toEqual([
      'line',
      'match',
      'key',
      'ext_id',
      ...STAGED_COLUMNS.map(({ column }) => column),
      'attributes',
      'entered',
      'tags',
      'error',
      'raw',
    ]);
  });
});

describe('RowStager.stage', () => {
  const good = record({
    'No client': ' C-1042 ',
    Prénom: ' Marie  Ève ',
    Nom: 'Tremblay',
    Courriel: 'Marie.Tremblay@Example.org',
    Téléphone: '514 555-0199',
    Adresse: '123, rue Saint-Denis',
    App: 'app. 4',
    Ville: 'Montréal',
    'Code postal': 'h2x1y4',
    Langue: 'Français',
    'Date de naissance': '1980-03-04',
    Étiquettes: 'vip; abonnés 2025|vip',
    'Abonnement saison': 'oui',
    'Niveau de don': 'or',
  });

  it('turns a good row into one COPY line with a value for each column', () => {
    const staged = stager().stage(good, 7);
    expect(staged).toMatchObject({ errors: [], cleared: [], match: 'x', hasExternalId: true, hasTags: true });
    const fields = copyFields(staged.copy);
    expect({ ...fields, attributes: null, entered: null, tags: null }).toEqual({
      line: '7',
      match: 'x',
      key: 'x:C-1042',
      ext_id: 'C-1042',
      first_name: 'Marie Ève',
      last_name: 'Tremblay',
      email: 'marie.tremblay@example.org',
      phone: '+15145550199',
      address_line1: '123, rue Saint-Denis',
      address_line2: 'app. 4',
      city: 'Montréal',
      postal_code: 'H2X 1Y4',
      region: 'Montréal',
      country: null,
      preferred_language: 'fr',
      birth_date: '1980-03-04',
      attributes: null,
      entered: null,
      tags: null,
      error: null,
      raw: null,
    });
    expect(JSON.parse(fields.attributes!)).toEqual({ season_pass: true, niveau: 'or' });
    expect(JSON.parse(fields.entered!)).toEqual({
      firstName: 'Marie  Ève',
      email: 'Marie.Tremblay@Example.org',
      phone: '514 555-0199',
      postalCode: 'h2x1y4',
    });
    expect(arrayElements(fields.tags!)).toEqual(['vip', 'abonnés 2025']);
  });

  it('writes empty attributes and tags as {} and no entered values as {}', () => {
    const fields = copyFields(stager().stage(record({ Nom: 'Roy' }), 2).copy);
    expect(fields).toMatchObject({ attributes: '{}', entered: '{}', tags: '{}', last_name: 'Roy' });
  });

  it.each([
    [ImportStrategy.CREATE_ONLY, 'x', 'x:C-1042'],
    [ImportStrategy.UPSERT_BY_EXTERNAL_ID, 'x', 'x:C-1042'],
    [ImportStrategy.UPSERT_BY_EMAIL, 'e', 'e:marie@example.org'],
  ])('%s keys a row with an external id and an email by %s', (strategy, match, key) => {
    const staged = stager(strategy).stage(record({ 'No client': 'C-1042', Courriel: 'MARIE@example.org' }), 2);
    expect(staged.match).toBe(match);
    expect(copyFields(staged.copy)).toMatchObject({ match, key, ext_id: 'C-1042', email: 'marie@example.org' });
  });

  it.each(Object.values(ImportStrategy))(
    '%s keys by whichever of external id and email there is, else by identity',
    (strategy) => {
      const stage = (cells: Partial<Record<Header, string>>) => {
        const staged = stager(strategy).stage(record(cells), 2);
        return [staged.match, copyFields(staged.copy).key];
      };
      expect(stage({ Courriel: 'marie@example.org', Nom: 'Tremblay' })).toEqual(['e', 'e:marie@example.org']);
      expect(stage({ 'No client': 'C-7', Nom: 'Tremblay' })).toEqual(['x', 'x:C-7']);
      expect(stage({ Prénom: 'Marie', Nom: 'Tremblay', Téléphone: '514-555-0199' })).toEqual(['i', null]);
      expect(stage({ Téléphone: '514-555-0199' })).toEqual(['i', null]);
    },
  );

  it('leaves the fields of blank cells, and of cells the record lacks, absent', () => {
    const short = record({ Prénom: 'Marie', Nom: 'Tremblay', Courriel: '   ', Téléphone: '\t' }).slice(0, 6);
    const staged = stager().stage(short, 3);
    expect(staged).toMatchObject({ errors: [], match: 'i', hasExternalId: false, hasTags: false });
    const fields = copyFields(staged.copy);
    for (const column of [
      'ext_id',
      'email',
      'phone',
      'address_line1',
      'city',
      'postal_code',
      'region',
      'country',
      'preferred_language',
      'birth_date',
    ]) {
      expect([column, fields[column]]).toEqual([column, null]);
    }
    expect(fields).toMatchObject({
      first_name: 'Marie',
      last_name: 'Tremblay',
      entered: '{}',
      attributes: '{}',
      tags: '{}',
    });
  });

  /** Asserts a refused row: its reasons, no value staged, the raw cells kept for the rejected-rows file. */
  const expectRefused = (
    staged: ReturnType<RowStager['stage']>,
    cells: string[],
    errors: { line: number; column: string | null; message: string }[],
  ) => {
    expect(staged).toMatchObject({ errors, cleared: [], match: null, hasExternalId: false, hasTags: false });
    const fields = copyFields(staged.copy);
    // the rejected-rows file's error column names the column too
    expect(fields).toMatchObject({
      line: String(errors[0].line),
      error: errors.map(({ column, message }) => (column ? `${column}: ${message}` : message)).join('; '),
    });
    expect(
      COPY_COLUMNS.filter((column) => !['line', 'error', 'raw'].includes(column) && fields[column] !== null),
    ).toEqual([]);
    expect(arrayElements(fields.raw!)).toEqual(cells);
  };

  const INVALID_FIELDS = [
    ['Courriel', 'marie@', 'email', 'email', 'not a valid email address'],
    ['Téléphone', '123', 'phone', 'phone', 'not a valid phone number'],
    ['Code postal', 'Z9Z 9Z9', 'postalCode', 'postal_code', 'not a valid Canadian postal code'],
    ['Date de naissance', '04/03/1980', 'birthDate', 'birth_date', 'not a valid date (expected YYYY-MM-DD)'],
    ['Date de naissance', '2023-02-30', 'birthDate', 'birth_date', 'not a valid date (expected YYYY-MM-DD)'],
    [
      'Date de naissance',
      '2999-01-01',
      'birthDate',
      'birth_date',
      'must be a real date as YYYY-MM-DD, not in the future',
    ],
    ['Date de naissance', 'hier', 'birthDate', 'birth_date', 'not a valid date (expected YYYY-MM-DD)'],
    ['Langue', 'espagnol', 'preferredLanguage', 'preferred_language', 'unknown language (expected fr or en)'],
  ] as [Header, string, string, string, string][];

  it.each(INVALID_FIELDS)(
    'imports a row with a bad %s (%j) without that field, kept as typed in entered, naming the header and field, never the value',
    (header, value, field, column, reason) => {
      const cells = record({ 'No client': 'C-1', Nom: 'Roy', Courriel: 'roy@example.org', [header]: value });
      const staged = stager().stage(cells, 12);
      const message = clearedMessage(field as 'email', reason);
      expect(staged).toMatchObject({ errors: [], cleared: [{ line: 12, column: header, message }], match: 'x' });
      expect(message).toBe(`imported without ${field}: ${reason} (as typed in entered.${field})`);
      expect(message).not.toContain(value);
      const fields = copyFields(staged.copy);
      expect(fields).toMatchObject({ line: '12', last_name: 'Roy', error: null, raw: null, [column]: null });
      if (column !== 'email') expect(fields.email).toBe('roy@example.org');
      expect(JSON.parse(fields.entered!)).toEqual({ [field]: value });
    },
  );

  it.each(INVALID_FIELDS)(
    'refuses a row with a bad %s (%j) under invalidFields=REJECT',
    (header, value, _f, _c, reason) => {
      const cells = record({ 'No client': 'C-1', Nom: 'Roy', [header]: value });
      expectRefused(strict().stage(cells, 12), cells, [{ line: 12, column: header, message: reason }]);
    },
  );

  it.each([
    ['Abonnement saison', 'peut-être', 'the value must be true or false'],
    ['Niveau de don', 'bronze', 'the value must be one of: or, argent'],
    ['Étiquettes', `vip,${'x'.repeat(101)}`, 'a tag name has at most 100 characters'],
    ['Nom', 'x'.repeat(201), 'the value is longer than 200 characters'],
    ['Courriel', `${'x'.repeat(320)}@example.org`, 'the value is longer than 320 characters'],
    ['Téléphone', `1${' '.repeat(2000)}1`, 'the value is longer than 50 characters'],
    ['Note', 'x'.repeat(4001), 'the value is longer than 4000 characters'],
  ] as [Header, string, string][])(
    'refuses a bad %s (%j) under either invalidFields, naming the header, never the value',
    (header, value, message) => {
      const cells = record({ 'No client': 'C-1', Nom: 'Roy', [header]: value });
      expectRefused(stager().stage(cells, 12), cells, [{ line: 12, column: header, message }]);
      expectRefused(strict().stage(cells, 12), cells, [{ line: 12, column: header, message }]);
    },
  );

  it('keeps several bad fields of one row, each reported', () => {
    const staged = stager().stage(
      record({ Prénom: 'Léa', Courriel: 'lea@', Téléphone: '0', 'Date de naissance': '2023-02-30', Langue: 'de' }),
      6,
    );
    expect(staged.errors).toEqual([]);
    expect(staged.cleared.map(({ line, column }) => [line, column])).toEqual([
      [6, 'Langue'],
      [6, 'Date de naissance'],
      [6, 'Courriel'],
      [6, 'Téléphone'],
    ]);
    const fields = copyFields(staged.copy);
    expect(fields).toMatchObject({ match: 'i', first_name: 'Léa', email: null, phone: null, birth_date: null });
    expect(JSON.parse(fields.entered!)).toEqual({
      email: 'lea@',
      phone: '0',
      birthDate: '2023-02-30',
      preferredLanguage: 'de',
    });
  });

  it('keys a row whose email was left empty by its external id, else by identity', () => {
    const stage = (cells: Partial<Record<Header, string>>) => {
      const staged = stager(ImportStrategy.UPSERT_BY_EMAIL).stage(record(cells), 2);
      return [staged.match, copyFields(staged.copy).key];
    };
    expect(stage({ 'No client': 'C-7', Nom: 'Roy', Courriel: 'roy@' })).toEqual(['x', 'x:C-7']);
    expect(stage({ Nom: 'Roy', Courriel: 'roy@' })).toEqual(['i', null]);
  });

  it('reads the date in the order given', () => {
    const fields = copyFields(
      stager(ImportStrategy.CREATE_ONLY, 'DMY').stage(record({ Nom: 'Roy', 'Date de naissance': '04/03/1980' }), 2)
        .copy,
    );
    expect(fields.birth_date).toBe('1980-03-04');
    const staged = strict('MDY').stage(record({ Nom: 'Roy', 'Date de naissance': '31/12/1980' }), 2);
    expect(staged.errors).toEqual([
      { line: 2, column: 'Date de naissance', message: 'not a valid date (expected MM/DD/YYYY)' },
    ]);
  });

  it('keeps a birth date in the future as typed, the typed text and not the date it reads as', () => {
    const staged = stager(ImportStrategy.CREATE_ONLY, 'DMY').stage(
      record({ Nom: 'Roy', 'Date de naissance': '1/1/2999' }),
      4,
    );
    expect(staged.cleared).toEqual([
      {
        line: 4,
        column: 'Date de naissance',
        message: clearedMessage('birthDate', 'must be a real date as YYYY-MM-DD, not in the future'),
      },
    ]);
    expect(JSON.parse(copyFields(staged.copy).entered!)).toEqual({ birthDate: '1/1/2999' });
  });

  it('names a column by its header cut to 64 characters, or by its position when the header is blank', () => {
    const long = `Courriel ${'x'.repeat(100)}`;
    const headers = [...HEADERS.slice(0, 3), long];
    const plan = planColumns(headers, { [long]: 'email' }, definitions);
    const stage = (invalidFields: InvalidFields) =>
      new RowStager(plan.columns, definitions, ImportStrategy.CREATE_ONLY, 'YMD', invalidFields).stage(
        ['C-1', '', 'Roy', 'pas-un-courriel'],
        3,
      );
    const column = `${long.slice(0, 63)}…`;
    expect(stage(InvalidFields.REJECT).errors).toEqual([{ line: 3, column, message: 'not a valid email address' }]);
    expect(stage(InvalidFields.CLEAR).cleared).toEqual([
      { line: 3, column, message: clearedMessage('email', 'not a valid email address') },
    ]);
  });

  it('reports every bad cell of a row refused for one of them (a bad attribute value)', () => {
    const staged = stager().stage(
      record({ Nom: 'Roy', Courriel: 'roy@', Téléphone: '0', Langue: 'de', 'Niveau de don': 'bronze' }),
      5,
    );
    expect(staged.errors.map(({ column }) => column).sort()).toEqual([
      'Courriel',
      'Langue',
      'Niveau de don',
      'Téléphone',
    ]);
    expect(copyFields(staged.copy).error).toBe(
      staged.errors.map(({ column, message }) => `${column}: ${message}`).join('; '),
    );
  });

  it('refuses a row with nothing that identifies the person', () => {
    for (const cells of [{ Ville: 'Québec', 'Code postal': 'G1R 4P5', Étiquettes: 'vip', Note: 'x' }, {}]) {
      const staged = stager().stage(record(cells), 9);
      expect(staged.errors).toEqual([{ line: 9, column: null, message: NOTHING_IDENTIFIES }]);
      expect(staged.match).toBeNull();
    }
  });

  it('refuses a row whose only identifying values are invalid, giving them as the reasons', () => {
    const cells = record({ Courriel: 'roy@', Téléphone: '12', Ville: 'Québec', 'Date de naissance': '2023-02-30' });
    expectRefused(stager().stage(cells, 9), cells, [
      { line: 9, column: 'Date de naissance', message: 'not a valid date (expected YYYY-MM-DD)' },
      { line: 9, column: 'Courriel', message: 'not a valid email address' },
      { line: 9, column: 'Téléphone', message: 'not a valid phone number' },
      { line: 9, column: null, message: NOTHING_IDENTIFIES },
    ]);
  });

  it('escapes tabs, line breaks and backslashes in COPY text', () => {
    const weird = 'A\tB\\C\nD\rE';
    const staged = stager().stage(
      record({ 'No client': weird, Nom: 'O\\Brien', Note: 'ligne 1\nligne 2\t"fin"\\', Étiquettes: 'a"b, c\\d' }),
      2,
    );
    expect(staged.errors).toEqual([]);
    const fields = copyFields(staged.copy);
    expect(fields).toMatchObject({ key: `x:${weird}`, ext_id: weird, last_name: 'O\\Brien' });
    expect(JSON.parse(fields.attributes!)).toEqual({ note: 'ligne 1\nligne 2\t"fin"\\' });
    expect(arrayElements(fields.tags!)).toEqual(['a"b', 'c\\d']);
  });

  it('escapes the raw cells of a bad row', () => {
    const cells = record({ Nom: 'O\\Brien\t"fils"', Courriel: 'bad\nemail', Note: '{a,b}' });
    const fields = copyFields(strict().stage(cells, 2).copy);
    expect(arrayElements(fields.raw!)).toEqual(cells);
    expect(fields.error).toBe('Courriel: not a valid email address');
  });

  it('escapes a value kept as typed in entered', () => {
    const staged = stager().stage(record({ Nom: 'Roy', Courriel: 'bad\n"email"\t\\' }), 2);
    expect(staged.cleared).toHaveLength(1);
    expect(JSON.parse(copyFields(staged.copy).entered!)).toEqual({ email: 'bad\n"email"\t\\' });
  });
});

describe('RowStager.rejected', () => {
  it('gives the COPY line of a record refused as a whole', () => {
    const cells = ['Roy', 'a', 'b;c'];
    const staged = stager().rejected(8, cells, 'the row has 3 cells, the header 2');
    expect(staged).toMatchObject({
      errors: [{ line: 8, column: null, message: 'the row has 3 cells, the header 2' }],
      match: null,
      hasExternalId: false,
      hasTags: false,
    });
    const fields = copyFields(staged.copy);
    expect(fields).toMatchObject({ line: '8', match: null, key: null, error: 'the row has 3 cells, the header 2' });
    expect(arrayElements(fields.raw!)).toEqual(cells);
  });
});
