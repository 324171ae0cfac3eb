import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { CopyWriter } from '@app/database';
import {
  boundedMessage,
  CsvImportJob,
  type CsvRow,
  IGNORED_COLUMN,
  type ImportContext,
  type ImportReader,
  MAX_REPORTED_ERRORS,
  refuseColumns,
} from '@app/imports';
import { type JobErrorModel, JobHandler, JobName } from '@app/jobs';
import type { AttributeDefinitionModel } from '../attributes/attribute-definition.model.js';
import { AttributesService } from '../attributes/attributes.service.js';
import { planColumns } from './import-columns.util.js';
import { ContactDuplicates } from '../contacts/contact-duplicates.js';
import { countLikelyDuplicates, mergeStagedRows, type StagedFacts } from './import-merge.js';
import { type ImportContactsParams, InvalidFields } from './import-options.js';
import { type RowError, RowStager, STAGING_COPY, STAGING_TABLE } from './import-rows.js';

/** COPY text is sent in pieces of about this size. */
const COPY_BATCH_CHARS = 256 * 1024;
const REJECTED_BATCH = 2_000;

/**
 * Imports the uploaded CSV (CsvImports reads it): normalize each row in this process, COPY every row (good or bad)
 * into a staging table, then merge set-based (import-merge.ts). Everything happens in one transaction, so an attempt
 * that dies leaves nothing behind and its retry starts clean. Memory stays constant: the file streams from job_files
 * through the parser into COPY.
 */
@Injectable()
@JobHandler(JobName.IMPORT_CONTACTS)
export class ImportContactsJob extends CsvImportJob<ImportContactsParams> {
  constructor(
    private readonly attributes: AttributesService,
    private readonly duplicates: ContactDuplicates,
  ) {
    super();
  }

  override async open(context: ImportContext<ImportContactsParams>): Promise<ImportReader> {
    const definitions = await this.attributes.definitions(context.tx);
    await context.tx.execute(STAGING_TABLE);
    return new ContactsFile(context, definitions, this.duplicates);
  }

  /** The contacts it created or changed are looked at by a dedup run (runs queued before the option existed have no dedup: they get the default). */
  dedupAfter(counts: Record<string, number>, params: ImportContactsParams): boolean {
    return params.dedup !== false && !params.dryRun && counts.created + counts.updated > 0;
  }
}

/** One file being staged: every record parsed and normalized into COPY text for import_rows, then merged. */
class ContactsFile implements ImportReader {
  private readonly copy: CopyWriter;
  private pending = '';
  private stager: RowStager | null = null;
  private headers: string[] = [];
  private ignored: string[] = [];
  private readonly errors: RowError[] = [];
  private readonly facts: StagedFacts = {
    goodRows: 0,
    byKind: { x: 0, e: 0, i: 0 },
    externalIds: false,
    rowTags: false,
  };
  private rows = 0;
  private invalid = 0;
  /** Fields left empty in the rows imported (invalidFields=CLEAR); each is in the errors too (the first 100 errors). */
  private fieldsCleared = 0;

  constructor(
    private readonly context: ImportContext<ImportContactsParams>,
    private readonly definitions: Map<string, AttributeDefinitionModel>,
    private readonly duplicates: ContactDuplicates,
  ) {
    this.copy = context.tx.copyFrom(STAGING_COPY);
  }

  header(cells: string[]): void {
    const { params } = this.context;
    const plan = planColumns(cells, params.mapping, this.definitions);
    refuseColumns(plan.problems);
    if (plan.columns.length === 0) {
      throw new UnrecoverableError(
        'No column of the file is a known field: its first line must name the columns (prénom, courriel...), or use the mapping option',
      );
    }
    this.headers = cells;
    this.ignored = plan.ignored;
    this.stager = new RowStager(
      plan.columns,
      this.definitions,
      params.strategy,
      params.dateOrder,
      params.invalidFields ?? InvalidFields.CLEAR,
    );
  }

  row({ cells, line, error }: CsvRow): Promise<void> | undefined {
    const headers = this.headers;
    const stager = this.stager!;
    this.rows++;
    const tooMany = cells.length > headers.length && cells.slice(headers.length).some((cell) => cell.trim() !== '');
    // the cells past the header's are blank or refused: the rejected-rows file has no column for them
    const record = cells.length > headers.length ? cells.slice(0, headers.length) : cells;
    const delimiter = this.context.delimiter;
    const staged = error
      ? stager.rejected(line, record, error)
      : tooMany
        ? stager.rejected(
            line,
            record,
            `the row has ${cells.length} cells, the header ${headers.length}: a cell holds an unquoted "${delimiter === '\t' ? 'tab' : delimiter}"?`,
          )
        : stager.stage(record, line);
    // a refused row's reasons, or the fields a kept row was imported without ("imported without email: ...")
    const reported = staged.errors.length > 0 ? staged.errors : staged.cleared;
    for (const rowError of reported.slice(0, MAX_REPORTED_ERRORS - this.errors.length))
      this.errors.push({ ...rowError, message: boundedMessage(rowError.message) });
    if (staged.errors.length > 0) this.invalid++;
    else {
      this.fieldsCleared += staged.cleared.length;
      this.facts.goodRows++;
      this.facts.byKind[staged.match!]++;
      this.facts.externalIds ||= staged.hasExternalId;
      this.facts.rowTags ||= staged.hasTags;
    }
    this.pending += staged.copy;
    return this.pending.length >= COPY_BATCH_CHARS ? this.flush() : undefined;
  }

  progress() {
    return { rows: this.rows, invalid: this.invalid };
  }

  async end() {
    const { tx, params, progress } = this.context;
    try {
      await this.flush();
      await this.copy.end();
    } catch (error) {
      await this.abort();
      throw error;
    }
    // a dry run merges, counts, and takes the merge back; the staged rows stay for the rejected-rows file
    if (params.dryRun) await tx.execute('SAVEPOINT dry_run');
    const merged = await mergeStagedRows(tx, params, this.facts);
    const likelyDuplicates = await countLikelyDuplicates(tx, this.duplicates);
    if (params.dryRun) await tx.execute('ROLLBACK TO SAVEPOINT dry_run');
    if (this.invalid > 0) await this.writeRejectedRows();
    const counts = {
      rows: this.rows,
      invalid: this.invalid,
      fieldsCleared: this.fieldsCleared,
      ...merged,
      ...(likelyDuplicates === null ? {} : { likelyDuplicates }),
      ignoredColumns: this.ignored.length,
      ...(params.dryRun ? { dryRun: 1 } : {}),
    };
    const notes: JobErrorModel[] = this.ignored.map((column) => ({ line: 1, column, message: IGNORED_COLUMN }));
    await progress.report(this.rows, this.rows, counts);
    return { counts, errors: [...notes, ...this.errors] };
  }

  /** A COPY left open would hold the connection: abort it so the transaction can roll back. */
  async abort(): Promise<void> {
    await this.copy.abort();
  }

  private async flush(): Promise<void> {
    const text = this.pending;
    this.pending = '';
    await this.copy.write(text);
  }

  /** The bad rows as the file had them, from import_rows in file order. */
  private async writeRejectedRows(): Promise<void> {
    const { tx, rejected } = this.context;
    await tx.execute(
      'DECLARE rejected_rows NO SCROLL CURSOR FOR SELECT raw, error FROM import_rows WHERE error IS NOT NULL ORDER BY line',
    );
    for (;;) {
      const batch = await tx.query<{ raw: string[]; error: string }>(`FETCH ${REJECTED_BATCH} FROM rejected_rows`);
      if (batch.length === 0) break;
      await rejected.write(batch.map(({ raw, error }) => ({ cells: raw, error })));
    }
    await tx.execute('CLOSE rejected_rows');
  }
}
