import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { AppError, isUuid } from '@app/common';
import {
  checkHeader, columnLabel, ContactsService, csvRows, csvText, decodeChunks, delimiterOf, externalIdKey, headerKey, type ImportEncoding, MAX_CELL_CHARS,
  normalizeEmail, parseFileOptions, tooLong,
} from '@app/contacts';
import { TenantDb, type Tx } from '@app/database';
import { type JobErrorModel, JobFileName, JobFilesService, JobHandler, type JobHandlerContract, JobName, type JobPayload, type JobProgress, JobRunsService } from '@app/jobs';
import { AudiencesService } from '../audiences.service.js';

/** What an import of a static audience's members is started with (the job run's payload). */
export interface ImportMembersParams {
  audienceId: string;
  /** The system the customer numbers come from. */
  source: string;
  delimiter: string | null;
  encoding: ImportEncoding | null;
  bytes?: number;
  detectedEncoding?: ImportEncoding;
}

type MemberColumn = 'id' | 'externalId' | 'email';

/** Header names (compared as headerKey spells them), French and English. */
const HEADERS: Record<string, MemberColumn> = {
  id: 'id', 'contact id': 'id', 'id contact': 'id', identifiant: 'id',
  'external id': 'externalId', 'customer number': 'externalId', 'customer id': 'externalId', 'no client': 'externalId',
  'numero client': 'externalId', 'numero de client': 'externalId', client: 'externalId',
  email: 'email', 'e mail': 'email', courriel: 'email', 'adresse courriel': 'email', 'email address': 'email',
};
const OPTION_NAMES = ['source', 'delimiter', 'encoding'];
const BATCH_ROWS = 5_000;
const MAX_REPORTED_ERRORS = 100;

/** The options of `POST /audiences/:id/members`; every refusal names the option. */
export function parseImportMembersOptions(audienceId: string, fields: Record<string, string | undefined>): ImportMembersParams {
  for (const name of Object.keys(fields)) {
    if (!OPTION_NAMES.includes(name)) throw AppError.badInput(name, `Unknown option "${name}"; options are: ${OPTION_NAMES.join(', ')}`);
  }
  return { audienceId, source: fields.source?.trim() || 'import', ...parseFileOptions(fields) };
}

interface Rejected {
  line: number;
  cells: string[];
  /** The column at fault, when one is (as errors name it: columnLabel). */
  column?: string;
  reason: string;
}

interface MemberRow {
  line: number;
  cells: string[];
  id: string | null;
  externalId: string | null;
  email: string | null;
  /** The column whose cell is too long to read, if one is. */
  tooLongIn: string | null;
}

/**
 * Adds the contacts a CSV names (by contact id, customer number or email, the first given in that order) to a static
 * audience. A row naming no contact is reported with its line and kept in the rejected-rows file. One transaction:
 * a retry after a crash starts clean, and adding a member twice changes nothing.
 */
@Injectable()
@JobHandler(JobName.IMPORT_AUDIENCE_MEMBERS)
export class ImportMembersJob implements JobHandlerContract<ImportMembersParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly files: JobFilesService,
    private readonly runs: JobRunsService,
    private readonly contacts: ContactsService,
    private readonly audiences: AudiencesService,
  ) {}

  async run({ jobRunId, params }: JobPayload<ImportMembersParams>, progress: JobProgress): Promise<Record<string, number>> {
    const saved = await this.runs.savedOutcome(jobRunId);
    if (saved) return saved;
    return this.db.transaction(async (tx) => {
      // a second delivery of this run (its first attempt's lock lapsed) waits here for the first, then returns what it saved
      const done = await this.runs.lockAndCheckOutcome(tx, jobRunId);
      if (done) return done;
      await this.audiences.requireStatic(tx, params.audienceId);
      const encoding = params.encoding ?? params.detectedEncoding ?? 'utf-8';
      const { delimiter, text } = await delimiterOf(decodeChunks(this.files.read(jobRunId, JobFileName.UPLOAD), encoding), params.delimiter);
      const rejected = this.files.writer(jobRunId, JobFileName.REJECTED, tx);
      const counts = { rows: 0, added: 0, alreadyMembers: 0, notFound: 0 };
      const errors: JobErrorModel[] = [];
      let headers: string[] | null = null;
      let columns: Partial<Record<MemberColumn, number>> = {};
      let batch: MemberRow[] = [];

      // reasons never quote a cell (the rejected-rows file, for the EDITOR, keeps the row as it was)
      const reject = async (rows: Rejected[]) => {
        if (rows.length === 0) return;
        const header = counts.notFound === 0 ? `\uFEFF${csvText([[...headers!, 'error']], delimiter)}` : '';
        counts.notFound += rows.length;
        for (const row of rows) if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line: row.line, column: row.column ?? null, message: row.reason });
        const error = (row: Rejected) => (row.column ? `${row.column}: ${row.reason}` : row.reason);
        await rejected.write(header + csvText(rows.map((row) => [...headers!.map((_, i) => row.cells[i] ?? ''), error(row)]), delimiter));
      };
      const addBatch = async () => {
        const { found, missing } = await this.resolve(tx, batch, params.source);
        const change = await this.audiences.addMemberIds(tx, params.audienceId, [...new Set(found)]);
        counts.added += change.affected;
        counts.alreadyMembers += found.length - change.affected;
        await reject(missing);
        batch = [];
      };

      for await (const rows of csvRows(text, delimiter)) {
        for (const row of rows) {
          if (!headers) {
            // the header's names are file content (the first row of a file without a header line): messages never list them
            checkHeader(row.cells);
            headers = row.cells;
            columns = Object.fromEntries(row.cells.flatMap((cell, i) => (HEADERS[headerKey(cell)] ? [[HEADERS[headerKey(cell)], i]] : [])));
            if (Object.keys(columns).length === 0) {
              throw new UnrecoverableError('The file has no contact id, customer number or email column ("id", "no client", "courriel"...)');
            }
            continue;
          }
          counts.rows++;
          const cell = (column: MemberColumn) => {
            const index = columns[column];
            return index === undefined ? null : (row.cells[index] ?? '').trim() || null;
          };
          const values = { id: cell('id'), externalId: cell('externalId'), email: cell('email') };
          // a cell longer than any id, customer number or email is refused before anything reads it
          const long = (Object.keys(values) as MemberColumn[]).find((column) => (values[column]?.length ?? 0) > MAX_CELL_CHARS);
          const tooLongIn = long ? columnLabel(headers[columns[long]!], columns[long]!) : null;
          batch.push({ line: row.line, cells: row.cells, ...(tooLongIn ? { id: null, externalId: null, email: null } : values), tooLongIn });
          if (batch.length >= BATCH_ROWS) await addBatch();
        }
        await progress.report(counts.rows, null, counts);
      }
      if (!headers) throw new UnrecoverableError('The file is empty: it needs a header line and rows');
      await addBatch();
      if (counts.notFound > 0) await rejected.close();
      await this.files.remove(jobRunId, JobFileName.UPLOAD);
      await this.runs.saveOutcome(tx, jobRunId, counts, errors);
      return counts;
    });
  }

  /** The contact of each row, or why it has none. */
  private async resolve(tx: Tx, rows: readonly MemberRow[], source: string) {
    const emails = rows.map((row) => (row.email ? normalizeEmail(row.email) : null));
    const found = await this.contacts.lookUp(tx, {
      ids: rows.flatMap((row) => (isUuid(row.id) ? [row.id.toLowerCase()] : [])),
      externalIds: rows.flatMap((row) => (row.externalId ? [{ source, externalId: row.externalId }] : [])),
      emails: emails.flatMap((email) => (email?.ok && email.value ? [email.value] : [])),
    });
    const ids: string[] = [];
    const missing: Rejected[] = [];
    rows.forEach((row, i) => {
      const email = emails[i];
      const id = (row.id && found.ids.has(row.id.toLowerCase()) ? row.id.toLowerCase() : null)
        ?? (row.externalId ? found.byExternalId.get(externalIdKey(source, row.externalId)) : null)
        ?? (email?.ok && email.value ? found.byEmail.get(email.value) : null);
      if (id) ids.push(id);
      else if (row.tooLongIn) missing.push({ line: row.line, cells: row.cells, column: row.tooLongIn, reason: tooLong(MAX_CELL_CHARS) });
      else if (!row.id && !row.externalId && !row.email) missing.push({ line: row.line, cells: row.cells, reason: 'the row names no contact (no id, customer number or email)' });
      else missing.push({ line: row.line, cells: row.cells, reason: 'no contact has this id, customer number or email' });
    });
    return { found: ids, missing };
  }
}
