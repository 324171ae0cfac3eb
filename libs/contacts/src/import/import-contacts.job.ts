import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { TenantDb, type Tx } from '@app/database';
import {
  type JobErrorModel, JobFileName, JobFilesService, JobHandler, type JobHandlerContract, JobName, type JobPayload, type JobProgress, JobRunsService, JobsService,
} from '@app/jobs';
import { AttributesService } from '../attributes/attributes.service.js';
import { csvText } from '../export/csv-output.util.js';
import { csvRows, decodeChunks, delimiterOf } from './csv-source.util.js';
import { planColumns } from './import-columns.util.js';
import { boundedMessage, checkHeader, someProblems } from './import-limits.util.js';
import { mergeStagedRows, type StagedFacts } from './import-merge.js';
import type { ImportContactsParams } from './import-options.js';
import { type RowError, RowStager, STAGING_COPY, STAGING_TABLE } from './import-rows.js';

const MAX_REPORTED_ERRORS = 100;
/** The note on a column no field takes (the column's name is in the error's `column`, never in its message). */
const IGNORED_COLUMN = 'this column was not imported: its name is not a known field (map it with the mapping option)';
/** COPY text is sent in pieces of about this size. */
const COPY_BATCH_CHARS = 256 * 1024;
const REJECTED_BATCH = 2_000;

/**
 * Imports the uploaded CSV: decode, parse, normalize each row in this
 * process, COPY every row (good or bad) into a staging table, then merge
 * set-based (import-merge.ts). Everything happens in one transaction, so an
 * attempt that dies leaves nothing behind and its retry starts clean; the
 * outcome is saved in that transaction too. Memory stays constant: the file
 * streams from job_files through the parser into COPY.
 */
@Injectable()
@JobHandler(JobName.IMPORT_CONTACTS)
export class ImportContactsJob implements JobHandlerContract<ImportContactsParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly files: JobFilesService,
    private readonly runs: JobRunsService,
    private readonly attributes: AttributesService,
    private readonly jobs: JobsService,
  ) {}

  async run({ jobRunId, params }: JobPayload<ImportContactsParams>, progress: JobProgress): Promise<Record<string, number>> {
    const saved = await this.runs.savedOutcome(jobRunId);
    if (saved) return saved;
    let importedAt = null as Date | null; // stays null when another attempt did the work
    const counts = await this.db.transaction(async (tx) => {
      // a second delivery of this run (its first attempt's lock lapsed) waits here for the first, then returns what it saved
      const done = await this.runs.lockAndCheckOutcome(tx, jobRunId);
      if (done) return done;
      [{ importedAt }] = await tx.query<{ importedAt: Date }>('SELECT now() AS "importedAt"');
      const encoding = params.encoding ?? params.detectedEncoding ?? 'utf-8';
      const { delimiter, text } = await delimiterOf(decodeChunks(this.files.read(jobRunId, JobFileName.UPLOAD), encoding), params.delimiter);
      const staged = await this.stage(tx, text, delimiter, params, progress);
      // a dry run merges, counts, and takes the merge back; the staged rows stay for the rejected-rows file
      if (params.dryRun) await tx.execute('SAVEPOINT dry_run');
      const merged = await mergeStagedRows(tx, params, staged.facts);
      if (params.dryRun) await tx.execute('ROLLBACK TO SAVEPOINT dry_run');
      if (staged.invalid > 0) await this.writeRejectedRows(tx, jobRunId, staged.headers, delimiter);
      await this.files.remove(jobRunId, JobFileName.UPLOAD);
      const counts = { rows: staged.rows, invalid: staged.invalid, ...merged, ignoredColumns: staged.ignored.length, ...(params.dryRun ? { dryRun: 1 } : {}) };
      const notes: JobErrorModel[] = staged.ignored.map((column) => ({ line: 1, column, message: IGNORED_COLUMN }));
      await progress.report(staged.rows, staged.rows, counts);
      // last: the run's row stays locked until commit, and progress is written from another transaction
      await this.runs.saveOutcome(tx, jobRunId, counts, [...notes, ...staged.errors]);
      return counts;
    });
    // the contacts it created or changed carry the transaction's time: look for their duplicates
    // (runs queued before the option existed have no dedup: they get the default)
    if (importedAt && params.dedup !== false && !params.dryRun && counts.created + counts.updated > 0) {
      const dedup = await this.jobs.startFollowUp(JobName.DEDUP_CONTACTS, { scope: 'CHANGED_SINCE', since: importedAt.toISOString(), autoMerge: false });
      return { ...counts, dedupRunQueued: dedup ? 1 : 0 };
    }
    return counts;
  }

  /** Parses and normalizes every record into COPY text for import_rows. */
  private async stage(tx: Tx, text: AsyncIterable<string>, delimiter: string, params: ImportContactsParams, progress: JobProgress) {
    const definitions = await this.attributes.definitions(tx);
    await tx.execute(STAGING_TABLE);
    const copy = tx.copyFrom(STAGING_COPY);
    let pending = '';
    const flush = async () => {
      const text = pending;
      pending = '';
      await copy.write(text);
    };

    let headers: string[] | null = null;
    let stager: RowStager | null = null;
    let ignored: string[] = [];
    const errors: RowError[] = [];
    const facts: StagedFacts = { goodRows: 0, byKind: { x: 0, e: 0, i: 0 }, externalIds: false, rowTags: false };
    let rows = 0;
    let invalid = 0;
    const reject = (rowErrors: RowError[], copyLine: string) => {
      invalid++;
      for (const error of rowErrors.slice(0, MAX_REPORTED_ERRORS - errors.length)) errors.push({ ...error, message: boundedMessage(error.message) });
      pending += copyLine;
    };
    try {
      for await (const batch of csvRows(text, delimiter)) {
        for (const { cells, line, error } of batch) {
          if (!headers || !stager) {
            // the header's names are file content (the first row of a file without a header line): messages never list them
            checkHeader(cells);
            headers = cells;
            const plan = planColumns(headers, params.mapping, definitions);
            if (plan.problems.length) throw new UnrecoverableError(boundedMessage(`The file's columns cannot be imported: ${someProblems(plan.problems)}`));
            if (plan.columns.length === 0) {
              throw new UnrecoverableError('No column of the file is a known field: its first line must name the columns (prénom, courriel...), or use the mapping option');
            }
            ignored = plan.ignored;
            stager = new RowStager(plan.columns, definitions, params.strategy, params.dateOrder, params.keepBadDates ?? false);
            continue;
          }
          rows++;
          const tooMany = cells.length > headers.length && cells.slice(headers.length).some((cell) => cell.trim() !== '');
          // the cells past the header's are blank or refused: the rejected-rows file has no column for them
          const record = cells.length > headers.length ? cells.slice(0, headers.length) : cells;
          const staged = error
            ? stager.rejected(line, record, error)
            : tooMany
              ? stager.rejected(line, record, `the row has ${cells.length} cells, the header ${headers.length}: a cell holds an unquoted "${delimiter === '\t' ? 'tab' : delimiter}"?`)
              : stager.stage(record, line);
          if (staged.errors.length > 0) reject(staged.errors, staged.copy);
          else {
            pending += staged.copy;
            facts.goodRows++;
            facts.byKind[staged.match!]++;
            facts.externalIds ||= staged.hasExternalId;
            facts.rowTags ||= staged.hasTags;
          }
          if (pending.length >= COPY_BATCH_CHARS) await flush();
        }
        await progress.report(rows, null, { rows, invalid });
      }
      if (!headers) throw new UnrecoverableError('The file is empty: it needs a header line and rows');
      await flush();
      await copy.end();
    } catch (error) {
      // a COPY left open would hold the connection: abort it so the transaction can roll back
      await copy.abort();
      throw error;
    }
    return { headers, rows, invalid, errors, ignored, facts };
  }

  /** The bad rows as the file had them, with an `error` column: fix, then import that file. */
  private async writeRejectedRows(tx: Tx, jobRunId: string, headers: string[], delimiter: string): Promise<void> {
    const file = this.files.writer(jobRunId, JobFileName.REJECTED, tx);
    await file.write(`\uFEFF${csvText([[...headers, 'error']], delimiter)}`);
    await tx.execute('DECLARE rejected_rows NO SCROLL CURSOR FOR SELECT raw, error FROM import_rows WHERE error IS NOT NULL ORDER BY line');
    for (;;) {
      const batch = await tx.query<{ raw: string[]; error: string }>(`FETCH ${REJECTED_BATCH} FROM rejected_rows`);
      if (batch.length === 0) break;
      await file.write(csvText(batch.map(({ raw, error }) => [...headers.map((_, i) => raw[i] ?? ''), error]), delimiter));
    }
    await tx.execute('CLOSE rejected_rows');
    await file.close();
  }
}
