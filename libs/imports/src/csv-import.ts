import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { TenantDb, type Tx } from '@app/database';
import {
  type JobErrorModel,
  JobFileName,
  JobFilesService,
  type JobHandlerContract,
  JobName,
  type JobPayload,
  type JobProgress,
  JobRunsService,
  JobsService,
} from '@app/jobs';
import { type CsvRow, csvRows, decodeChunks, delimiterOf } from './csv-source.util.js';
import type { ImportEncoding } from './import-file-options.js';
import { checkHeader } from './import-limits.util.js';
import { RejectedRowsFile } from './rejected-rows.js';

/** How the file of every import is read: the options of its upload, and what storing it learnt. */
export interface ImportFileParams {
  delimiter: string | null;
  encoding: ImportEncoding | null;
  detectedEncoding?: ImportEncoding;
}

/** An import's counts: `rows` read after the header, and its own. */
export type ImportCounts = Record<string, number> & { rows: number };

/** What an import is given once its run's transaction is open and the file's delimiter known. */
export interface ImportContext<P> {
  tx: Tx;
  jobRunId: string;
  params: P;
  delimiter: string;
  /** The transaction's time: what it creates or changes carries it. */
  startedAt: Date;
  /** Where refused rows go (the header is set before the first row). */
  rejected: RejectedRowsFile;
  progress: JobProgress;
}

/** One run's file, as its import reads it: the header, then each row, then the end. */
export interface ImportReader {
  /** The file's first line, already within the header limits: the columns read, or an UnrecoverableError. */
  header(cells: string[]): void;
  /** A row after the header, with why it could not be parsed, if so. May return a promise (a batch written). */
  row(row: CsvRow): void | Promise<void>;
  /** The counts so far, reported as progress after each piece of the file. */
  progress(): ImportCounts;
  /** After the last row: what is pending written (the last batch, the rejected rows); the run's outcome. */
  end(): Promise<{ counts: ImportCounts; errors: JobErrorModel[] }>;
  /** The run fails while the file is read: release what is open (a COPY holds the connection). */
  abort?(): Promise<void>;
}

/** What an import owns (its columns, its row check and its batch write), behind one reader per run. */
export interface CsvImport<P extends ImportFileParams> {
  /** In the run's transaction, before the first row: the import's checks and what its rows need. */
  open(context: ImportContext<P>): Promise<ImportReader>;
  /** After the commit, whether a dedup run should look at the contacts the import created or changed. */
  dedupAfter?(counts: Record<string, number>, params: P): boolean;
}

/**
 * The part every CSV import shares: the outcome of a run that already finished is returned as it was saved; the
 * work is one transaction (an attempt that dies leaves nothing behind and its retry starts clean), which first
 * waits for any other attempt of the run; the file streams from job_files (decoded, its delimiter given or
 * detected, parsed row by row), so memory stays constant; the header line is bounded; the rejected rows go to
 * their own file; the upload is removed and the outcome saved in the same transaction.
 */
@Injectable()
export class CsvImports {
  constructor(
    private readonly db: TenantDb,
    private readonly files: JobFilesService,
    private readonly runs: JobRunsService,
    private readonly jobs: JobsService,
  ) {}

  async run<P extends ImportFileParams>(
    { jobRunId, params }: JobPayload<P>,
    progress: JobProgress,
    csvImport: CsvImport<P>,
  ): Promise<Record<string, number>> {
    const saved = await this.runs.savedOutcome(jobRunId);
    if (saved) return saved;
    let importedAt = null as Date | null; // stays null when another attempt did the work
    const counts = await this.db.transaction(async (tx) => {
      // a second delivery of this run (its first attempt's lock lapsed) waits here for the first, then returns what it saved
      const done = await this.runs.lockAndCheckOutcome(tx, jobRunId);
      if (done) return done;
      const [{ startedAt }] = await tx.query<{ startedAt: Date }>('SELECT now() AS "startedAt"');
      const encoding = params.encoding ?? params.detectedEncoding ?? 'utf-8';
      const { delimiter, text } = await delimiterOf(
        decodeChunks(this.files.read(jobRunId, JobFileName.UPLOAD), encoding),
        params.delimiter,
      );
      const rejected = new RejectedRowsFile(this.files.writer(jobRunId, JobFileName.REJECTED, tx), delimiter);
      const reader = await csvImport.open({ tx, jobRunId, params, delimiter, startedAt, rejected, progress });
      await this.read(reader, text, delimiter, rejected, progress);
      const { counts, errors } = await reader.end();
      await rejected.close();
      await this.files.remove(jobRunId, JobFileName.UPLOAD);
      // last: the run's row stays locked until commit, and progress is written from another transaction
      await this.runs.saveOutcome(tx, jobRunId, counts, errors);
      importedAt = startedAt;
      return counts;
    });
    // the contacts it created or changed carry the transaction's time: look for their duplicates
    if (importedAt && csvImport.dedupAfter?.(counts, params)) {
      const dedup = await this.jobs.startFollowUp(JobName.DEDUP_CONTACTS, {
        scope: 'CHANGED_SINCE',
        since: importedAt.toISOString(),
        autoMerge: false,
      });
      return { ...counts, dedupRunQueued: dedup ? 1 : 0 };
    }
    return counts;
  }

  /** Every row of the file to the reader, the header first; progress after each piece. */
  private async read(
    reader: ImportReader,
    text: AsyncIterable<string>,
    delimiter: string,
    rejected: RejectedRowsFile,
    progress: JobProgress,
  ): Promise<void> {
    let header = false;
    try {
      for await (const rows of csvRows(text, delimiter)) {
        for (const row of rows) {
          if (header) {
            const writing = reader.row(row);
            if (writing) await writing;
            continue;
          }
          // the header's names are file content (the first row of a file without a header line): messages never list them
          checkHeader(row.cells);
          reader.header(row.cells);
          rejected.setHeader(row.cells);
          header = true;
        }
        const counts = reader.progress();
        await progress.report(counts.rows, null, counts);
      }
      if (!header) throw new UnrecoverableError('The file is empty: it needs a header line and rows');
    } catch (error) {
      await reader.abort?.();
      throw error;
    }
  }
}

/**
 * An import's job handler (with `@JobHandler(JobName.X)` and `@Injectable()` on the subclass): its run is CsvImports'
 * with the subclass's `open` (and `dedupAfter`). A new import is a subclass: its columns, its row check, its batch write.
 */
export abstract class CsvImportJob<P extends ImportFileParams> implements JobHandlerContract<P>, CsvImport<P> {
  // a property, so that subclasses' constructors take only their own services
  @Inject(CsvImports) private readonly csvImports!: CsvImports;

  run(payload: JobPayload<P>, progress: JobProgress): Promise<Record<string, number>> {
    return this.csvImports.run(payload, progress, this);
  }

  abstract open(context: ImportContext<P>): Promise<ImportReader>;
}
