import { stringify } from 'csv-stringify/sync';

/*
 * CSV formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins with = + - @, a tab or a
 * carriage return as a formula (=HYPERLINK(...) sends other cells to a server, DDE runs programs). Every CSV this
 * application writes for a person to open (exports, rejected rows) goes through csvText, which prefixes such cells
 * with a single quote, as csv-stringify's `escape_formulas` does (the same characters, full-width forms included; a
 * unit test holds the two equal). The option itself cannot spare a cell, hence this function:
 *
 * One exception: a cell that is a plain number, with a sign and at most a decimal part ("+15145550199" as phones
 * are stored, "-12.50"), stays as it is: a spreadsheet can only read it as a number, nothing in it can call a
 * function, and quoting it would spoil every phone of an export (and its re-import).
 */
const PLAIN_NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;
/** The first characters escape_formulas neutralizes (csv-stringify 6.9: = + - @ tab CR and the full-width = + - @). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/** Whether a cell would be read as a formula by a spreadsheet. */
function isFormulaLike(cell: string): boolean {
  return FORMULA_START.has(cell.charAt(0)) && !PLAIN_NUMBER.test(cell);
}

/** Rows as CSV text, every cell that could be read as a formula neutralized (prefixed with '). */
export function csvText(rows: readonly (readonly unknown[])[], delimiter: string): string {
  return stringify(
    rows.map((row) => row.map((cell) => (typeof cell === 'string' && isFormulaLike(cell) ? `'${cell}` : cell))),
    { delimiter },
  );
}

/**
 * A cell read by an import, without the quote that keeps a spreadsheet from reading it as a formula ("'=x", "'+1 514"):
 * a rejected-rows file, or an export, imports again as it was.
 */
export function unescapeFormula(cell: string): string {
  return cell.charCodeAt(0) === 0x27 && FORMULA_START.has(cell.charAt(1)) ? cell.slice(1) : cell;
}
