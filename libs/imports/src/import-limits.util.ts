import { UnrecoverableError } from 'bullmq';

/*
 * Bounds on what an uploaded file can make an import do, shared by the three import jobs (contacts, interactions,
 * audience members). A file is tenant input: its header, its cells and the errors it causes are bounded, and no
 * error quotes a cell. Header names are file content too (a file without a header line makes its first row of
 * personal data the header), so errors carry them only in their `column` field, cut short.
 */

/** More columns than any export has: a header beyond this is not a header. */
export const MAX_HEADER_COLUMNS = 1_000;
/** All header names together, in characters. */
export const MAX_HEADER_CHARS = 64 * 1024;
/** A cell of a column an import reads; an import may give its own columns smaller limits (CONTACT_CELL_MAX_CHARS). */
export const MAX_CELL_CHARS = 4_000;
/** A column as an error names it. */
export const MAX_COLUMN_LABEL_CHARS = 64;
/** An error message (every import message is fixed text; this only keeps a mistake from echoing a whole file). */
const MAX_MESSAGE_CHARS = 300;
/** The errors of rows an import reports (the rejected-rows file has them all). */
export const MAX_REPORTED_ERRORS = 100;
/** The note on a column no field takes (the column's name is in the error's `column`, never in its message). */
export const IGNORED_COLUMN =
  'this column was not imported: its name is not a known field (map it with the mapping option)';

/** Fails the run (it is not retried: the file will not change) when the header line is beyond the limits. */
export function checkHeader(headers: readonly string[]): void {
  if (headers.length > MAX_HEADER_COLUMNS) {
    throw new UnrecoverableError(
      `The header line has more than ${MAX_HEADER_COLUMNS} columns: the file's first line must name its columns`,
    );
  }
  let chars = 0;
  for (const header of headers) chars += header.length;
  if (chars > MAX_HEADER_CHARS) {
    throw new UnrecoverableError(
      `The header line is longer than ${MAX_HEADER_CHARS} characters: the file's first line must name its columns`,
    );
  }
}

/** Fails the run when the header's columns cannot be imported (a mapping naming no column...): the first problems. */
export function refuseColumns(problems: readonly string[]): void {
  if (problems.length)
    throw new UnrecoverableError(boundedMessage(`The file's columns cannot be imported: ${someProblems(problems)}`));
}

/** A column as errors name it: its header, cut to 64 characters, or its position when the header is blank. */
export function columnLabel(header: string | undefined, index: number): string {
  const name = header?.trim() ?? '';
  return name === '' ? `column ${index + 1}` : shortName(name);
}

/** A name (a header, a mapping's key) cut to 64 characters. */
export function shortName(name: string): string {
  return name.length <= MAX_COLUMN_LABEL_CHARS ? name : `${name.slice(0, MAX_COLUMN_LABEL_CHARS - 1)}…`;
}

/** The first problems of a plan, for a message of bounded length. */
export function someProblems(problems: readonly string[]): string {
  const shown = problems.slice(0, 3).join('; ');
  return problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown;
}

/** The reason a cell is refused for its length (never the cell itself). */
export function tooLong(max: number): string {
  return `the value is longer than ${max} characters`;
}

/** An error message within its bound. */
export function boundedMessage(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}
