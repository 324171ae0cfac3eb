import Papa from 'papaparse';
import { unescapeFormula } from './csv-output.util.js';
import type { ImportEncoding } from './import-file-options.js';

/**
 * Learns a file's encoding from all of its bytes as they stream by: a BOM
 * names UTF-8 or UTF-16; otherwise the file is UTF-8 if every byte sequence
 * is valid UTF-8, else Windows-1252 (what Excel writes for French text on
 * Windows). Valid UTF-8 is almost never produced by chance from accented
 * 1252 text, so the whole file decides, not its first line.
 */
export class EncodingSniffer {
  private head = Buffer.alloc(0);
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private validUtf8 = true;

  feed(chunk: Buffer): void {
    if (this.head.length < 3) this.head = Buffer.concat([this.head, chunk.subarray(0, 3)]).subarray(0, 3);
    if (!this.validUtf8 || this.bom()) return;
    try {
      this.utf8.decode(chunk, { stream: true });
    } catch {
      this.validUtf8 = false;
    }
  }

  encoding(): ImportEncoding {
    const bom = this.bom();
    if (bom) return bom;
    if (this.validUtf8) {
      try {
        this.utf8.decode(); // a truncated sequence at the very end
      } catch {
        return 'windows-1252';
      }
    }
    return this.validUtf8 ? 'utf-8' : 'windows-1252';
  }

  private bom(): ImportEncoding | null {
    const [a, b, c] = this.head;
    if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8';
    if (a === 0xff && b === 0xfe) return 'utf-16le';
    if (a === 0xfe && b === 0xff) return 'utf-16be';
    return null;
  }
}

/** Text from encoded chunks (a BOM is dropped, and NUL characters, which PostgreSQL text cannot hold). */
export async function* decodeChunks(chunks: AsyncIterable<Buffer>, encoding: ImportEncoding): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  const clean = (text: string) => (text.includes('\0') ? text.replaceAll('\0', '') : text);
  for await (const chunk of chunks) {
    const text = clean(decoder.decode(chunk, { stream: true }));
    if (text) yield text;
  }
  const rest = clean(decoder.decode());
  if (rest) yield rest;
}

const CANDIDATES = [';', ',', '\t', '|'];

/**
 * The delimiter of a CSV sample (its first lines): the candidate found the
 * same number of times (outside quotes) on the most lines, ties going to the
 * one found more often per line. A file with one column gets ",".
 */
export function detectDelimiter(sample: string): string {
  const lines = splitSampleLines(sample).slice(0, 100);
  let best = { delimiter: ',', score: 0, perLine: 0 };
  for (const delimiter of CANDIDATES) {
    const counts = lines.map((line) => countOutsideQuotes(line, delimiter));
    const frequency = new Map<number, number>();
    for (const count of counts) if (count > 0) frequency.set(count, (frequency.get(count) ?? 0) + 1);
    for (const [perLine, lineCount] of frequency) {
      if (lineCount > best.score || (lineCount === best.score && perLine > best.perLine))
        best = { delimiter, score: lineCount, perLine };
    }
  }
  return best.delimiter;
}

/** Complete lines of the sample (a quoted field may hold line breaks); the last, maybe cut, line is dropped if others exist. */
function splitSampleLines(sample: string): string[] {
  const lines: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < sample.length; i++) {
    const char = sample[i];
    if (char === '"') quoted = !quoted;
    else if (char === '\n' && !quoted) {
      lines.push(sample.slice(start, i));
      start = i + 1;
    }
  }
  if (lines.length === 0 || start === sample.length) lines.push(sample.slice(start));
  return lines.map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '');
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) count++;
  }
  return count;
}

/** A row of the file: its cells, the line it starts on, and why it could not be read, if so. */
export interface CsvRow {
  cells: string[];
  line: number;
  error: string | null;
}

/** papaparse's core parser (Papa.Parser, untyped in @types/papaparse): what chunked parsing uses inside papaparse. */
interface CoreParser {
  parse(
    input: string,
    baseIndex: number,
    ignoreLastRow: boolean,
  ): { data: string[][]; errors: { row?: number; message: string }[]; meta: { cursor: number } };
}
const CoreParser = Papa.Parser as unknown as new (config: {
  delimiter: string;
  newline: string;
  quoteChar: string;
}) => CoreParser;

/** A record longer than this is taken for a quote that never closes. */
const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * The rows of CSV text, a batch per piece of text: papaparse's core parser on
 * each piece, the unfinished last row carried over to the next, so memory
 * holds a piece, not the file. Empty lines are skipped but counted. A row
 * with misplaced quotes comes with its error (papaparse reads on to the
 * next quote, so the rows in between are part of it). A quote that never
 * closes costs its line once 1 MB follows it; in the last 1 MB of the file,
 * the rest of the file is that one bad row. A cell loses the quote an export
 * put before a formula-like value (unescapeFormula).
 */
export async function* csvRows(text: AsyncIterable<string>, delimiter: string): AsyncGenerator<CsvRow[]> {
  let carry = '';
  let line = 1;
  type Newline = '\n' | '\r\n' | '\r';
  let newline: Newline | null = null;
  const parse = (input: string, final: boolean): CsvRow[] => {
    const results = new CoreParser({ delimiter, newline: newline ?? '\n', quoteChar: '"' }).parse(input, 0, !final);
    const errors = new Map<number, string>();
    for (const error of results.errors)
      if (error.row !== undefined && !errors.has(error.row)) errors.set(error.row, `malformed CSV: ${error.message}`);
    const rows: CsvRow[] = [];
    results.data.forEach((cells, i) => {
      const start = line;
      line += 1;
      for (let j = 0; j < cells.length; j++) {
        const cell = cells[j];
        if (cell.includes('\n')) line += cell.split('\n').length - 1;
        if (cell.charCodeAt(0) === 0x27) cells[j] = unescapeFormula(cell);
      }
      if (cells.length === 1 && cells[0].trim() === '' && !errors.has(i)) return;
      rows.push({ cells, line: start, error: errors.get(i) ?? null });
    });
    carry = final ? '' : input.slice(results.meta.cursor);
    return rows;
  };
  for await (const piece of text) {
    // the line break, from the first one seen (a trailing \r may be half of a \r\n)
    newline ??= (/\r\n|\n|\r(?!$)/.exec(carry + piece)?.[0] as Newline | undefined) ?? null;
    if (newline === null && carry.length + piece.length <= MAX_RECORD_CHARS) {
      carry += piece;
      continue;
    }
    // a first line longer than any record: it is read as one, and its length fails the header
    newline ??= '\n';
    const rows = parse(carry + piece, false);
    while (carry.length > MAX_RECORD_CHARS) {
      const end = carry.indexOf(newline);
      rows.push({
        cells: [end < 0 ? carry : carry.slice(0, end)],
        line: line++,
        error: 'malformed CSV: a quoted field does not close',
      });
      rows.push(...parse(end < 0 ? '' : carry.slice(end + newline.length), false));
    }
    if (rows.length) yield rows;
  }
  const rows = parse(carry, true);
  if (rows.length) yield rows;
}

/** The delimiter (given, or detected on the first 64 KB) and the whole text again. */
export async function delimiterOf(
  text: AsyncGenerator<string>,
  given: string | null,
): Promise<{ delimiter: string; text: AsyncIterable<string> }> {
  const head: string[] = [];
  let length = 0;
  while (length < 64 * 1024) {
    const next = await text.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
  }
  const delimiter = given ?? detectDelimiter(head.join(''));
  return {
    delimiter,
    text: (async function* () {
      yield* head;
      yield* text;
    })(),
  };
}
