import type { JobFileWriter } from '@app/jobs';
import { csvText } from './csv-output.util.js';

/** A row an import refused: its cells as the file had them, and why (a reason that never quotes a cell). */
export interface RejectedRow {
  cells: readonly (string | undefined)[];
  error: string;
}

/**
 * The rejected-rows file of an import run (`GET /imports/:id/rejected-rows`): the rows it refused, as the file had
 * them (the header's columns, in its delimiter), with an `error` column, so that the EDITOR fixes them and imports
 * that file. Written in the import's transaction, only once a row is refused; cells a spreadsheet would run as
 * formulas are neutralized (csvText).
 */
export class RejectedRowsFile {
  private headers: readonly string[] = [];
  private opened = false;

  constructor(
    private readonly writer: JobFileWriter,
    private readonly delimiter: string,
  ) {}

  /** The file's columns (its header line), which each rejected row is cut or padded to. */
  setHeader(headers: readonly string[]): void {
    this.headers = headers;
  }

  /** Appends rows, in the order given (the first write puts the BOM and the header first). */
  async write(rows: readonly RejectedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const header = this.opened ? '' : `\uFEFF${csvText([[...this.headers, 'error']], this.delimiter)}`;
    this.opened = true;
    await this.writer.write(
      header +
        csvText(
          rows.map(({ cells, error }) => [...this.headers.map((_, i) => cells[i] ?? ''), error]),
          this.delimiter,
        ),
    );
  }

  /** Stores the file, if a row was refused (else there is none). */
  async close(): Promise<void> {
    if (this.opened) await this.writer.close();
  }
}
