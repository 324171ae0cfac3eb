import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { AppError, isUuid } from '@app/common';
import { ContactLookupService, CUSTOMER_NUMBER_HEADERS, externalIdKey, normalizeEmail } from '@app/contacts';
import type { Tx } from '@app/database';
import {
  columnLabel,
  CsvImportJob,
  type CsvRow,
  headerKey,
  type ImportContext,
  type ImportEncoding,
  type ImportReader,
  MAX_CELL_CHARS,
  MAX_REPORTED_ERRORS,
  parseFileOptions,
  tooLong,
} from '@app/imports';
import { type JobErrorModel, JobHandler, JobName } from '@app/jobs';
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
  id: 'id',
  'contact id': 'id',
  'id contact': 'id',
  identifiant: 'id',
  'external id': 'externalId',
  ...Object.fromEntries(CUSTOMER_NUMBER_HEADERS.map((header) => [header, 'externalId' as const])),
  client: 'externalId',
  email: 'email',
  'e mail': 'email',
  courriel: 'email',
  'adresse courriel': 'email',
  'email address': 'email',
};
const OPTION_NAMES = ['source', 'delimiter', 'encoding'];
const BATCH_ROWS = 5_000;

/** The options of `POST /audiences/:id/members`; every refusal names the option. */
export function parseImportMembersOptions(
  audienceId: string,
  fields: Record<string, string | undefined>,
): ImportMembersParams {
  for (const name of Object.keys(fields)) {
    if (!OPTION_NAMES.includes(name))
      throw AppError.badInput(name, `Unknown option "${name}"; options are: ${OPTION_NAMES.join(', ')}`);
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
export class ImportMembersJob extends CsvImportJob<ImportMembersParams> {
  constructor(
    private readonly contacts: ContactLookupService,
    private readonly audiences: AudiencesService,
  ) {
    super();
  }

  override async open(context: ImportContext<ImportMembersParams>): Promise<ImportReader> {
    await this.audiences.requireStatic(context.tx, context.params.audienceId);
    return new MembersFile(context, (rows) => this.addBatch(context, rows));
  }

  /** Adds the contacts a batch names; the rows naming none. */
  private async addBatch({ tx, params }: ImportContext<ImportMembersParams>, rows: readonly MemberRow[]) {
    const { found, missing } = await this.resolve(tx, rows, params.source);
    const change = await this.audiences.addMemberIds(tx, params.audienceId, [...new Set(found)]);
    return { added: change.affected, alreadyMembers: found.length - change.affected, missing };
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
      const id =
        (row.id && found.ids.has(row.id.toLowerCase()) ? row.id.toLowerCase() : null) ??
        (row.externalId ? found.byExternalId.get(externalIdKey(source, row.externalId)) : null) ??
        (email?.ok && email.value ? found.byEmail.get(email.value) : null);
      if (id) ids.push(id);
      else if (row.tooLongIn)
        missing.push({ line: row.line, cells: row.cells, column: row.tooLongIn, reason: tooLong(MAX_CELL_CHARS) });
      else if (!row.id && !row.externalId && !row.email)
        missing.push({
          line: row.line,
          cells: row.cells,
          reason: 'the row names no contact (no id, customer number or email)',
        });
      else
        missing.push({ line: row.line, cells: row.cells, reason: 'no contact has this id, customer number or email' });
    });
    return { found: ids, missing };
  }
}

/** One file of members being read: its columns, the rows of the batch, the counts and the rows naming no contact. */
class MembersFile implements ImportReader {
  private readonly counts = { rows: 0, added: 0, alreadyMembers: 0, notFound: 0 };
  private readonly errors: JobErrorModel[] = [];
  private headers: string[] = [];
  private columns: Partial<Record<MemberColumn, number>> = {};
  private batch: MemberRow[] = [];

  constructor(
    private readonly context: ImportContext<ImportMembersParams>,
    private readonly add: (
      rows: readonly MemberRow[],
    ) => Promise<{ added: number; alreadyMembers: number; missing: Rejected[] }>,
  ) {}

  header(cells: string[]): void {
    this.headers = cells;
    this.columns = Object.fromEntries(
      cells.flatMap((cell, i) => (HEADERS[headerKey(cell)] ? [[HEADERS[headerKey(cell)], i]] : [])),
    );
    if (Object.keys(this.columns).length === 0) {
      throw new UnrecoverableError(
        'The file has no contact id, customer number or email column ("id", "no client", "courriel"...)',
      );
    }
  }

  row({ cells, line }: CsvRow): Promise<void> | undefined {
    const { columns } = this;
    this.counts.rows++;
    const cell = (column: MemberColumn) => {
      const index = columns[column];
      return index === undefined ? null : (cells[index] ?? '').trim() || null;
    };
    const values = { id: cell('id'), externalId: cell('externalId'), email: cell('email') };
    // a cell longer than any id, customer number or email is refused before anything reads it
    const long = (Object.keys(values) as MemberColumn[]).find(
      (column) => (values[column]?.length ?? 0) > MAX_CELL_CHARS,
    );
    const tooLongIn = long ? columnLabel(this.headers[columns[long]!], columns[long]!) : null;
    this.batch.push({ line, cells, ...(tooLongIn ? { id: null, externalId: null, email: null } : values), tooLongIn });
    return this.batch.length >= BATCH_ROWS ? this.addBatch() : undefined;
  }

  progress() {
    return { ...this.counts };
  }

  async end() {
    await this.addBatch();
    return { counts: { ...this.counts }, errors: this.errors };
  }

  private async addBatch(): Promise<void> {
    const { added, alreadyMembers, missing } = await this.add(this.batch);
    this.counts.added += added;
    this.counts.alreadyMembers += alreadyMembers;
    // reasons never quote a cell (the rejected-rows file, for the EDITOR, keeps the row as it was)
    this.counts.notFound += missing.length;
    for (const row of missing)
      if (this.errors.length < MAX_REPORTED_ERRORS)
        this.errors.push({ line: row.line, column: row.column ?? null, message: row.reason });
    await this.context.rejected.write(
      missing.map((row) => ({ cells: row.cells, error: row.column ? `${row.column}: ${row.reason}` : row.reason })),
    );
    this.batch = [];
  }
}
