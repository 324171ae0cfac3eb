/**
 * A realistic contacts CSV for the import benchmark, as a Quebec box office or
 * newsletter tool exports it from Excel: French and English names with their
 * accents, Quebec addresses whose postal codes match the city (H Montréal,
 * G Québec, J elsewhere), phones written every which way, emails derived from
 * the names, one customer number per row ("No client", C0000001...).
 *
 * - Deterministic: a seeded PRNG (mulberry32); the same seed and options give the
 *   same bytes, and row i does not depend on how many rows are asked for.
 * - Streaming: rows are written in chunks with back-pressure; nothing but the
 *   current chunk is held in memory, whatever the row count.
 * - Exactly one row in 10 has formatting noise that the import must clean
 *   (padding and doubled spaces, upper-case names, "h2x1y4", "514.555.0123",
 *   " Helene.Cote@Gmail.com "), and exactly one row in 100 is invalid, each in one
 *   way the import rejects: an email without "@", a phone missing a digit, or an
 *   impossible date ("2023-02-30").
 *
 * CLI (after `npm run build`):
 *   node dist/bench/import/generate-contacts-csv.js --rows 1000000 --out contacts.csv
 *     [--seed 42] [--headers fr|en] [--encoding utf-8|windows-1252] [--bom]
 * French headers use ";" as the delimiter (Excel in a French locale), English ones ",".
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  asciiSlug,
  ENGLISH_FIRST_NAMES as DEMO_ENGLISH_FIRST_NAMES,
  ENGLISH_LAST_NAMES as DEMO_ENGLISH_LAST_NAMES,
  FRENCH_FIRST_NAMES as DEMO_FRENCH_FIRST_NAMES,
  FRENCH_LAST_NAMES as DEMO_FRENCH_LAST_NAMES,
  mulberry32,
  type Place,
  PLACES as DEMO_PLACES,
  reweighted,
  Rng,
  widerPlace,
} from '@app/fixtures';
import { cliOption } from '../support/cli.js';

export const FRENCH_HEADERS = [
  'No client',
  'Prénom',
  'Nom',
  'Courriel',
  'Téléphone',
  'Adresse',
  'Ville',
  'Code postal',
  'Langue',
  'Date de naissance',
] as const;
export const ENGLISH_HEADERS = [
  'Customer ID',
  'First name',
  'Last name',
  'Email',
  'Phone',
  'Address',
  'City',
  'Postal code',
  'Language',
  'Date of birth',
] as const;

/** Positions of the cells in a generated row (both header sets have the same order). */
export const COLUMN = {
  externalId: 0,
  firstName: 1,
  lastName: 2,
  email: 3,
  phone: 4,
  address: 5,
  city: 6,
  postalCode: 7,
  language: 8,
  birthDate: 9,
} as const;

export type HeaderSet = 'fr' | 'en';
export type CsvEncoding = 'utf-8' | 'windows-1252';
export type RowKind = 'clean' | 'noisy' | 'invalid';
export type InvalidReason = 'email' | 'phone' | 'date';

export interface GeneratedRow {
  /** 1-based row number (the file line is `row + 1`: the header is line 1). */
  row: number;
  kind: RowKind;
  /** Why an invalid row is invalid. */
  invalid?: InvalidReason;
  /** The cells as written (before CSV quoting), in COLUMN order; '' for a blank cell. */
  cells: string[];
}

export interface GenerateOptions {
  rows: number;
  seed?: number;
}

export interface WriteCsvOptions extends GenerateOptions {
  headers?: HeaderSet;
  encoding?: CsvEncoding;
  /** Start with a UTF-8 byte order mark, as Excel's "CSV UTF-8" does (UTF-8 only). */
  bom?: boolean;
}

export interface WriteCsvResult {
  file: string;
  rows: number;
  bytes: number;
  clean: number;
  noisy: number;
  invalid: number;
  invalidByReason: Record<InvalidReason, number>;
  ms: number;
}

export const DEFAULT_SEED = 20_261_126;

/** Row positions: `row % 10 === NOISE_SLOT` is noisy, `row % 100 === INVALID_SLOT` invalid (never both). */
const NOISE_SLOT = 3;
const INVALID_SLOT = 58;

/** Items repeated by weight, so a weighted pick is one uniform pick. */
function weighted<T>(items: readonly (readonly [T, number])[]): T[] {
  return items.flatMap(([item, weight]) => Array<T>(weight).fill(item));
}

// --- Names and places ------------------------------------------------------------------------
// The demo's names and places (libs/fixtures), spread over the province with this file's own weights:
// Tremblay 8 not 12, rarer names added, every place weighted, with more postal areas and streets in
// some cities and the 579 overlay on the 450 area code. Email domains are this file's own.
// Every list is part of the seeded file's bytes: changing one changes the benchmark's input.

const FRENCH_FIRST_NAMES = [
  ...DEMO_FRENCH_FIRST_NAMES,
  ...['Ève', 'Maëlle', 'Loïc', 'Thérèse', 'Gisèle', 'Hervé', 'Jérémie', 'Aurélie', 'Cédric', 'Marie-Hélène'],
  ...['Joël', 'Noël', 'Désirée', 'Béatrice', 'Édouard'],
];

const FRENCH_LAST_NAMES = weighted(
  reweighted(DEMO_FRENCH_LAST_NAMES, { Tremblay: 8 }, [
    ['Légaré', 1],
    ['Thibodeau', 1],
    ['Gosselin', 1],
    ['Dion', 1],
    ['Émond', 1],
    ['Boisvert', 1],
  ]),
);

const ENGLISH_FIRST_NAMES = [...DEMO_ENGLISH_FIRST_NAMES, 'Chloe', 'Liam'];
const ENGLISH_LAST_NAMES = [...DEMO_ENGLISH_LAST_NAMES, 'McGill', 'Young'];

const OVERLAY_579 = { areaCodes: ['579'] };
const PLACES: readonly (readonly [Place, number])[] = [
  [
    widerPlace(DEMO_PLACES.montreal, {
      fsas: ['H2H', 'H2E', 'H3Z', 'H4C'],
      streets: ['rue Notre-Dame Ouest', 'rue Saint-Hubert', 'avenue du Parc', 'rue de Bleury'],
    }),
    34,
  ],
  [widerPlace(DEMO_PLACES.laval, { fsas: ['H7W'], ...OVERLAY_579, streets: ['avenue des Bois'] }), 8],
  [widerPlace(DEMO_PLACES.longueuil, { fsas: ['J4M'], ...OVERLAY_579 }), 7],
  [widerPlace(DEMO_PLACES.quebec, { fsas: ['G1M'] }), 16],
  [DEMO_PLACES.levis, 4],
  [DEMO_PLACES.sherbrooke, 7],
  [widerPlace(DEMO_PLACES.gatineau, { fsas: ['J9H'], streets: ['rue Principale'] }), 6],
  [widerPlace(DEMO_PLACES.troisRivieres, { streets: ['boulevard des Chenaux'] }), 5],
  [DEMO_PLACES.saguenay, 3],
  [DEMO_PLACES.rimouski, 2],
  [widerPlace(DEMO_PLACES.saintJerome, OVERLAY_579), 3],
  [DEMO_PLACES.drummondville, 2],
  [widerPlace(DEMO_PLACES.granby, OVERLAY_579), 2],
  [DEMO_PLACES.magog, 1],
];
const PLACE_PICKS = weighted(PLACES);

const ALL_AREA_CODES = ['514', '438', '450', '579', '418', '581', '819', '873', '367'] as const;
// Canada Post never uses D F I O Q U; W and Z only after the first position.
const POSTAL_LETTERS = 'ABCEGHJKLMNPRSTVWXYZ';
const EMAIL_DOMAINS = weighted<string>([
  ['gmail.com', 30],
  ['videotron.ca', 20],
  ['hotmail.com', 15],
  ['outlook.com', 8],
  ['sympatico.ca', 6],
  ['yahoo.ca', 6],
  ['icloud.com', 5],
  ['bell.net', 4],
  ['globetrotter.net', 3],
  ['live.ca', 3],
]);
const IMPOSSIBLE_DATES = ['2023-02-30', '1987-04-31', '1990-13-05', '2001-02-29', '1975-06-31'] as const;

// --- One row -----------------------------------------------------------------------------------

function makeRow(rng: Rng, row: number): GeneratedRow {
  const english = rng.chance(0.22);
  const firstName = english ? rng.pick(ENGLISH_FIRST_NAMES) : rng.pick(FRENCH_FIRST_NAMES);
  // One in twenty has a name from the other language (mixed families, married names).
  const lastName = english !== rng.chance(0.05) ? rng.pick(ENGLISH_LAST_NAMES) : rng.pick(FRENCH_LAST_NAMES);
  const place = rng.pick(PLACE_PICKS);

  const birthYear = rng.chance(0.6) ? rng.int(1935, 2007) : null;
  let birthDate = '';
  if (birthYear !== null) {
    const month = rng.int(1, 12);
    const day = rng.int(1, new Date(Date.UTC(birthYear, month, 0)).getUTCDate());
    birthDate = `${birthYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }

  let email = '';
  if (rng.chance(0.93)) {
    const first = asciiSlug(firstName);
    const last = asciiSlug(lastName);
    const digits =
      birthYear !== null && rng.chance(0.5) ? String(birthYear % 100).padStart(2, '0') : String(rng.int(1, 999));
    const local = rng.pick([
      `${first}.${last}`,
      `${first}.${last}`,
      `${first}${last}`,
      `${first[0]}${last}`,
      `${first}.${last}${digits}`,
      `${last}.${first}`,
      `${first}_${last}`,
      `${first}${digits}`,
    ]);
    email = `${local}@${rng.pick(EMAIL_DOMAINS)}`;
  }

  let phone = '';
  const phoneParts = { area: '', exchange: '', line: '' };
  if (rng.chance(0.9)) {
    phoneParts.area = rng.chance(0.1) ? rng.pick(ALL_AREA_CODES) : rng.pick(place.areaCodes);
    if (rng.chance(0.3)) {
      phoneParts.exchange = '555';
      phoneParts.line = `01${String(rng.int(0, 99)).padStart(2, '0')}`;
    } else {
      do phoneParts.exchange = String(rng.int(200, 999));
      while (phoneParts.exchange === '555' || phoneParts.exchange.slice(1) === '11'); // no N11 service codes
      phoneParts.line = String(rng.int(0, 9999)).padStart(4, '0');
    }
    const { area, exchange, line } = phoneParts;
    phone = rng.pick([
      `${area}-${exchange}-${line}`,
      `${area}-${exchange}-${line}`,
      `(${area}) ${exchange}-${line}`,
      `(${area}) ${exchange}-${line}`,
      `(${area}) ${exchange} ${line}`,
      `+1 ${area} ${exchange} ${line}`,
      `${area} ${exchange}-${line}`,
      `${area} ${exchange} ${line}`,
      `1-${area}-${exchange}-${line}`,
      `${area}${exchange}${line}`,
    ]);
    if (rng.chance(0.02)) phone += rng.pick([` poste ${rng.int(10, 450)}`, ` ext. ${rng.int(10, 450)}`]);
  }

  let address = '';
  if (rng.chance(0.95)) {
    const street = rng.pick(place.streets);
    const number = rng.chance(0.6) ? rng.int(1000, 9999) : rng.int(1, 999);
    const apartment = rng.int(1, 24);
    address = rng.pick([
      `${number} ${street}`,
      `${number} ${street}`,
      `${number}, ${street}`,
      `${number} ${street}, app. ${apartment}`,
      `${apartment}-${number} ${street}`,
    ]);
    // Now and then a note typed into the address cell, with the delimiter in it: the field gets quoted.
    if (rng.chance(0.003)) address += rng.pick(['; porte arrière', '; sonner deux fois', '; "chez Mme Roy"']);
  }
  const postalCode = `${rng.pick(place.fsas)} ${rng.int(0, 9)}${POSTAL_LETTERS[rng.int(0, POSTAL_LETTERS.length - 1)]}${rng.int(0, 9)}`;

  const french = english ? rng.chance(0.1) : rng.chance(0.92);
  const language = rng.chance(0.8)
    ? french
      ? 'fr'
      : 'en'
    : rng.chance(0.1)
      ? ''
      : french
        ? rng.pick(['Français', 'FR', 'français'])
        : rng.pick(['Anglais', 'English', 'EN']);

  const cells = [
    `C${String(row).padStart(7, '0')}`,
    firstName,
    lastName,
    email,
    phone,
    address,
    place.city,
    postalCode,
    language,
    birthDate,
  ];

  if (row % 100 === INVALID_SLOT) {
    const reason = rng.pick(['email', 'phone', 'date'] as const);
    if (reason === 'email') {
      cells[COLUMN.email] = email
        ? email.replace('@', rng.pick(['.', ' ', '(at)']))
        : `${asciiSlug(firstName)}.${asciiSlug(lastName)}.gmail.com`;
    } else if (reason === 'phone') {
      const area = phoneParts.area || rng.pick(place.areaCodes);
      const exchange = phoneParts.exchange || '555';
      const line = (phoneParts.line || '0142').slice(0, 3);
      cells[COLUMN.phone] = rng.pick([
        `${area}-${exchange}-${line}`,
        `(${area}) ${exchange}-${line}`,
        `${exchange}-${phoneParts.line || '0142'}`,
      ]);
    } else {
      cells[COLUMN.birthDate] = rng.pick(IMPOSSIBLE_DATES);
    }
    return { row, kind: 'invalid', invalid: reason, cells };
  }

  if (row % 10 === NOISE_SLOT) {
    addNoise(rng, cells, phoneParts);
    return { row, kind: 'noisy', cells };
  }
  return { row, kind: 'clean', cells };
}

/** One to three kinds of formatting noise, all of which the import must clean up. */
function addNoise(rng: Rng, cells: string[], phone: { area: string; exchange: string; line: string }): void {
  const kinds = ['spaces', 'upper', 'postal', 'phone', 'email', 'address'] as const;
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    switch (rng.pick(kinds)) {
      case 'spaces':
        // padding, and a non-breaking space as pasted from a web page
        cells[COLUMN.firstName] = `  ${cells[COLUMN.firstName]}${rng.chance(0.3) ? '\u00a0' : ' '}`;
        cells[COLUMN.lastName] = ` ${cells[COLUMN.lastName]}   `;
        break;
      case 'upper':
        cells[COLUMN.lastName] = cells[COLUMN.lastName].toUpperCase();
        if (rng.chance(0.4)) cells[COLUMN.firstName] = cells[COLUMN.firstName].toUpperCase();
        break;
      case 'postal':
        cells[COLUMN.postalCode] = rng.chance(0.7)
          ? cells[COLUMN.postalCode].replace(' ', '').toLowerCase()
          : ` ${cells[COLUMN.postalCode].toLowerCase()} `;
        break;
      case 'phone':
        if (phone.area)
          cells[COLUMN.phone] = rng.chance(0.7)
            ? `${phone.area}.${phone.exchange}.${phone.line}`
            : ` ${phone.area}  ${phone.exchange}  ${phone.line} `;
        break;
      case 'email':
        if (cells[COLUMN.email]) {
          const [local, domain] = cells[COLUMN.email].split('@');
          const capitalized = local.replace(
            /(^|[._-])([a-z])/g,
            (_m, sep: string, letter: string) => sep + letter.toUpperCase(),
          );
          cells[COLUMN.email] = rng.chance(0.5)
            ? ` ${capitalized}@${domain[0].toUpperCase()}${domain.slice(1)} `
            : `${cells[COLUMN.email].toUpperCase()}  `;
        }
        break;
      case 'address':
        if (cells[COLUMN.address]) cells[COLUMN.address] = `${cells[COLUMN.address].replace(' ', '  ')} `;
        cells[COLUMN.city] = rng.chance(0.5) ? cells[COLUMN.city].toUpperCase() : ` ${cells[COLUMN.city]} `;
        break;
    }
  }
}

/** The rows of the file, in order, one at a time (the same for a given seed). */
export function* generateContactRows(options: GenerateOptions): Generator<GeneratedRow> {
  const rng = new Rng(mulberry32(options.seed ?? DEFAULT_SEED));
  for (let row = 1; row <= options.rows; row++) yield makeRow(rng, row);
}

// --- CSV ---------------------------------------------------------------------------------------

function csvCell(value: string, delimiter: string): string {
  return value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r')
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}

// Windows-1252 differs from Latin-1 in 0x80–0x9F: typographic characters Excel does write.
const CP1252_EXTRA: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  ƒ: 0x83,
  '„': 0x84,
  '…': 0x85,
  '†': 0x86,
  '‡': 0x87,
  ˆ: 0x88,
  '‰': 0x89,
  Š: 0x8a,
  '‹': 0x8b,
  Œ: 0x8c,
  Ž: 0x8e,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '˜': 0x98,
  '™': 0x99,
  š: 0x9a,
  '›': 0x9b,
  œ: 0x9c,
  ž: 0x9e,
  Ÿ: 0x9f,
};

/** Text as Windows-1252 bytes; a character it cannot hold becomes "?", as Excel does. */
export function encodeWindows1252(text: string): Buffer {
  if (!/[^\u0000-\u007f]/.test(text)) return Buffer.from(text, 'latin1');
  const bytes = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0x3f;
    bytes[n++] = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : (CP1252_EXTRA[char] ?? 0x3f);
  }
  return bytes.subarray(0, n);
}

const CHUNK_ROWS = 2_000;

/** Writes the file, streaming: at most CHUNK_ROWS rows are held at a time. */
export async function writeContactsCsv(file: string, options: WriteCsvOptions): Promise<WriteCsvResult> {
  const started = performance.now();
  const headers = options.headers ?? 'fr';
  const encoding = options.encoding ?? 'utf-8';
  const delimiter = headers === 'fr' ? ';' : ',';
  const encode = encoding === 'windows-1252' ? encodeWindows1252 : (text: string) => Buffer.from(text, 'utf8');
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let bytes = 0;
  const write = async (buffer: Buffer) => {
    bytes += buffer.length;
    if (!out.write(buffer)) await Promise.race([once(out, 'drain'), failed]);
  };

  const counts = { clean: 0, noisy: 0, invalid: 0 };
  const invalidByReason: Record<InvalidReason, number> = { email: 0, phone: 0, date: 0 };
  if (options.bom && encoding === 'utf-8') await write(Buffer.from([0xef, 0xbb, 0xbf]));
  let chunk = `${(headers === 'fr' ? FRENCH_HEADERS : ENGLISH_HEADERS).join(delimiter)}\r\n`;
  let inChunk = 0;
  for (const row of generateContactRows(options)) {
    counts[row.kind]++;
    if (row.invalid) invalidByReason[row.invalid]++;
    chunk += `${row.cells.map((cell) => csvCell(cell, delimiter)).join(delimiter)}\r\n`;
    if (++inChunk === CHUNK_ROWS) {
      await write(encode(chunk));
      chunk = '';
      inChunk = 0;
    }
  }
  if (chunk) await write(encode(chunk));
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { file, rows: options.rows, bytes, ...counts, invalidByReason, ms: Math.round(performance.now() - started) };
}

// --- CLI ---------------------------------------------------------------------------------------

async function cli(args: string[]): Promise<void> {
  const rows = Number(cliOption(args, 'rows') ?? 1_000_000);
  const seed = Number(cliOption(args, 'seed') ?? DEFAULT_SEED);
  const headers = (cliOption(args, 'headers') ?? 'fr') as HeaderSet;
  const encoding = (cliOption(args, 'encoding') ?? 'utf-8').toLowerCase() as CsvEncoding;
  const out = path.resolve(cliOption(args, 'out') ?? `contacts-${rows}.csv`);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error(`--rows must be a positive integer`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer`);
  if (headers !== 'fr' && headers !== 'en') throw new Error(`--headers must be fr or en`);
  if (encoding !== 'utf-8' && encoding !== 'windows-1252') throw new Error(`--encoding must be utf-8 or windows-1252`);
  const result = await writeContactsCsv(out, { rows, seed, headers, encoding, bom: args.includes('--bom') });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
