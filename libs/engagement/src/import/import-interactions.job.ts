import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import {
  boundedMessage, checkHeader, CONTACT_CELL_MAX_CHARS, ContactsService, csvRows, csvText, decodeChunks, delimiterOf, externalIdKey, MAX_CELL_CHARS,
  type NewPerson, someProblems, tooLong,
} from '@app/contacts';
import { TenantDb, type Tx } from '@app/database';
import {
  type JobErrorModel, JobFileName, JobFilesService, type JobFileWriter, JobHandler, type JobHandlerContract, JobName, type JobPayload,
  type JobProgress, JobRunsService, JobsService,
} from '@app/jobs';
import { checkInteraction, type ContactReference, type InteractionRow, resolveContact, type Vocabularies } from '../interactions/interaction-rows.js';
import type { InteractionInput } from '../interactions/interaction.models.js';
import { InteractionsService } from '../interactions/interactions.service.js';
import { parseAmountCents, parseCount, parseDateTime } from './interaction-cells.js';
import { type InteractionColumns, type InteractionImportField, planInteractionColumns } from './interaction-columns.js';
import type { ImportInteractionsParams } from './import-interactions.options.js';

const MAX_REPORTED_ERRORS = 100;
/** The note on a column no field takes (the column's name is in the error's `column`, never in its message). */
const IGNORED_COLUMN = 'this column was not imported: its name is not a known field (map it with the mapping option)';
/** The longest cell of each column read (the others: MAX_CELL_CHARS); the contact's come from CreateContactInput's limits. */
const CELL_MAX_CHARS: Partial<Record<InteractionImportField, number>> = {
  contactExternalId: CONTACT_CELL_MAX_CHARS.externalId, email: CONTACT_CELL_MAX_CHARS.email,
  firstName: CONTACT_CELL_MAX_CHARS.firstName, lastName: CONTACT_CELL_MAX_CHARS.lastName,
};
/** Rows resolved and inserted together: a few statements per batch, whatever the file's size. */
const BATCH_ROWS = 5_000;

/** Which column an input field of checkInteraction comes from, to name it in errors. */
const COLUMN_OF_FIELD: Record<string, InteractionImportField> = {
  contact: 'contactExternalId', type: 'type', occurredAt: 'occurredAt', 'offering.id': 'offeringId', 'offering.name': 'offeringName',
  discipline: 'discipline', venue: 'venue', amountCents: 'amount', currency: 'currency', quantity: 'quantity', channel: 'channel',
  campaign: 'campaign', source: 'source', externalId: 'externalId',
};

interface CheckedRow {
  line: number;
  cells: string[];
  row: InteractionRow;
  contact: ContactReference;
  names: { firstName: string | null; lastName: string | null };
}

interface ImportCounts {
  rows: number;
  recorded: number;
  duplicates: number;
  invalid: number;
  contactsCreated: number;
  ignoredColumns: number;
}

/**
 * Imports interactions from a CSV (a box-office, donation or newsletter export, one row per ticket, order, gift or
 * email event): each row is checked as recordInteractions checks an item, its contact found by customer number
 * (source + external id) or email (or created, with createContacts), and recorded idempotently by source +
 * transaction number. One transaction: an attempt that dies leaves nothing, and its retry starts clean. Memory stays
 * constant: rows stream from job_files and are recorded in batches.
 */
@Injectable()
@JobHandler(JobName.IMPORT_INTERACTIONS)
export class ImportInteractionsJob implements JobHandlerContract<ImportInteractionsParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly files: JobFilesService,
    private readonly runs: JobRunsService,
    private readonly jobs: JobsService,
    private readonly interactions: InteractionsService,
    private readonly contacts: ContactsService,
  ) {}

  async run({ jobRunId, params }: JobPayload<ImportInteractionsParams>, progress: JobProgress): Promise<Record<string, number>> {
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
      const file = new ImportFile(params, await this.interactions.vocabularies(tx), this.files.writer(jobRunId, JobFileName.REJECTED, tx), delimiter);

      // a batch is recorded while the next one is parsed and checked: the database and this process work at once
      let batch: CheckedRow[] = [];
      let recording: Promise<void> = Promise.resolve();
      const recordBatch = async () => {
        await recording;
        // the transaction's connection runs one statement at a time: flush, then start the next batch
        await file.flushRejected();
        const rows = batch;
        batch = [];
        recording = this.record(tx, rows, file).then(() => file.settle(rows.at(-1)?.line ?? 0));
        recording.catch(() => undefined); // awaited below; this only keeps it from being reported unhandled meanwhile
      };
      for await (const rows of csvRows(text, delimiter)) {
        for (const row of rows) {
          const checked = file.check(row.cells, row.line, row.error);
          if (checked) batch.push(checked);
          if (batch.length >= BATCH_ROWS) await recordBatch();
        }
        await progress.report(file.counts.rows, null, { ...file.counts });
      }
      if (!file.columns) throw new UnrecoverableError('The file is empty: it needs a header line and rows');
      await recordBatch();
      await recording;
      file.settle(Number.MAX_SAFE_INTEGER);
      await file.close();
      await this.files.remove(jobRunId, JobFileName.UPLOAD);
      const counts = { ...file.counts };
      await progress.report(counts.rows, counts.rows, counts);
      // last: the run's row stays locked until commit, and progress is written from another transaction
      await this.runs.saveOutcome(tx, jobRunId, counts, file.errors.sort((a, b) => a.line! - b.line!));
      return counts;
    });
    if (importedAt && params.dedup && counts.contactsCreated > 0) {
      const dedup = await this.jobs.startFollowUp(JobName.DEDUP_CONTACTS, { scope: 'CHANGED_SINCE', since: importedAt.toISOString(), autoMerge: false });
      return { ...counts, dedupRunQueued: dedup ? 1 : 0 };
    }
    return counts;
  }

  /** Finds (or creates) the contacts of a batch, then records its interactions. */
  private async record(tx: Tx, batch: readonly CheckedRow[], file: ImportFile): Promise<void> {
    if (batch.length === 0) return;
    const found = await this.contacts.lookUp(tx, {
      ids: [],
      externalIds: batch.flatMap((r) => (r.contact.externalId ? [r.contact.externalId] : [])),
      emails: [...new Set(batch.flatMap((r) => (r.contact.email ? [r.contact.email] : [])))],
    });
    const contactIds = batch.map((r) => resolveContact(r.contact, found));
    if (file.params.createContacts) await this.createMissing(tx, batch, contactIds, file);

    const resolved = batch.flatMap((r, i) => {
      if (contactIds[i]) return [{ ...r.row, contactId: contactIds[i] }];
      file.reject(r.line, r.cells, 'contactExternalId', 'no contact has this customer number or email (import with createContacts=true to create them)');
      return [];
    });
    const outcomes = await this.interactions.insert(tx, resolved);
    for (const outcome of outcomes) file.counts[outcome.inserted ? 'recorded' : 'duplicates']++;
  }

  /** One new contact per person the rows name (by customer number, else email) that no contact matched. */
  private async createMissing(tx: Tx, batch: readonly CheckedRow[], contactIds: (string | null)[], file: ImportFile): Promise<void> {
    const people = new Map<string, { person: NewPerson; rows: number[] }>();
    batch.forEach(({ contact, names }, i) => {
      if (contactIds[i]) return;
      const key = contact.externalId ? `x${externalIdKey(contact.externalId.source, contact.externalId.externalId)}` : `e${contact.email}`;
      const entry = people.get(key) ?? { person: { email: contact.email, externalId: contact.externalId, ...names }, rows: [] };
      entry.rows.push(i);
      people.set(key, entry);
    });
    const entries = [...people.values()];
    const ids = await this.contacts.createForRecords(tx, entries.map((e) => e.person));
    entries.forEach((entry, i) => entry.rows.forEach((row) => (contactIds[row] = ids[i])));
    file.counts.contactsCreated += ids.length;
  }
}

/** One file being imported: its columns, the checks of each row, the counts, the errors and the rejected rows. */
class ImportFile {
  columns: InteractionColumns | null = null;
  private headers: string[] = [];
  readonly counts: ImportCounts = { rows: 0, recorded: 0, duplicates: 0, invalid: 0, contactsCreated: 0, ignoredColumns: 0 };
  readonly errors: JobErrorModel[] = [];
  private rejectedOpen = false;
  private rejectedRows: { line: number; cells: string[] }[] = [];
  private settledLine = 0;

  constructor(
    readonly params: ImportInteractionsParams,
    private readonly vocabularies: Vocabularies,
    private readonly rejected: JobFileWriter,
    private readonly delimiter: string,
  ) {}

  /** The first call reads the header; then each row comes back checked, or null when it is rejected. */
  check(cells: string[], line: number, parseError: string | null | undefined): CheckedRow | null {
    if (!this.columns) {
      this.readHeader(cells);
      return null;
    }
    this.counts.rows++;
    if (parseError) return this.reject(line, cells, null, parseError);
    const columns = this.columns;
    // a cell longer than its column allows is refused before anything reads it
    for (const [field, index] of Object.entries(columns.index) as [InteractionImportField, number][]) {
      const max = CELL_MAX_CHARS[field] ?? MAX_CELL_CHARS;
      if ((cells[index]?.trim().length ?? 0) > max) return this.reject(line, cells, field, tooLong(max));
    }
    const cell = (field: InteractionImportField) => {
      const index = columns.index[field];
      return index === undefined ? '' : (cells[index] ?? '').trim();
    };
    const parsed: Partial<Record<'amountCents' | 'quantity' | 'occurredAt', unknown>> = {};
    for (const [field, column, parse] of [
      ['amountCents', 'amount', parseAmountCents], ['quantity', 'quantity', parseCount], ['occurredAt', 'occurredAt', parseDateTime],
    ] as const) {
      const value = parse(cell(column));
      if (typeof value === 'string') return this.reject(line, cells, column, value);
      parsed[field] = value;
    }
    if (!parsed.occurredAt) return this.reject(line, cells, 'occurredAt', 'the date is empty');
    const customer = cell('contactExternalId');
    const input: InteractionInput = {
      contact: { externalId: customer ? { source: this.params.source, externalId: customer } : null, email: cell('email') || null },
      type: cell('type') || this.params.type || '',
      occurredAt: parsed.occurredAt as Date,
      offering: { id: cell('offeringId') || null, name: cell('offeringName') || null },
      discipline: cell('discipline') || null,
      venue: cell('venue') || null,
      amountCents: parsed.amountCents as number | null,
      currency: cell('currency') || null,
      quantity: parsed.quantity as number | null,
      channel: cell('channel') || null,
      campaign: cell('campaign') || null,
      source: cell('source') || this.params.source,
      externalId: cell('externalId') || null,
    };
    const checked = checkInteraction(input, 'row', this.vocabularies);
    if (!checked.ok) {
      const field = checked.field.slice('row.'.length);
      return this.reject(line, cells, COLUMN_OF_FIELD[field] ?? null, checked.reason);
    }
    return { line, cells, row: checked.row, contact: checked.contact, names: { firstName: cell('firstName') || null, lastName: cell('lastName') || null } };
  }

  /** A refused row: `reason` never quotes a cell (the rejected-rows file, for the EDITOR, keeps the row as it was). */
  reject(line: number, cells: string[], field: InteractionImportField | null, reason: string): null {
    this.counts.invalid++;
    // whose row it is: the customer number column, or the email column when there is none
    const named = field === 'contactExternalId' && this.columns?.index.contactExternalId === undefined ? 'email' : field;
    const column = named ? (this.columns?.header[named] ?? named) : null;
    const message = boundedMessage(reason);
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push({ line, column, message });
    this.rejectedRows.push({ line, cells: [...this.headers.map((_, i) => cells[i] ?? ''), column ? `${column}: ${message}` : message] });
    return null;
  }

  /** Every row up to this line is settled (its batch is recorded): its rejection, if any, may be written. */
  settle(line: number): void {
    this.settledLine = Math.max(this.settledLine, line);
  }

  /**
   * The settled rows rejected so far, in file order, as the file had them with an `error` column (fix, then import
   * that file), to job_files.
   */
  async flushRejected(): Promise<void> {
    const settled = this.rejectedRows.filter((row) => row.line <= this.settledLine).sort((a, b) => a.line - b.line);
    if (settled.length === 0) return;
    this.rejectedRows = this.rejectedRows.filter((row) => row.line > this.settledLine);
    const header = this.rejectedOpen ? '' : `\uFEFF${csvText([[...this.headers, 'error']], this.delimiter)}`;
    this.rejectedOpen = true;
    await this.rejected.write(header + csvText(settled.map((row) => row.cells), this.delimiter));
  }

  async close(): Promise<void> {
    await this.flushRejected();
    if (this.rejectedOpen) await this.rejected.close();
  }

  /** The columns, from the header; its names are file content (a file without a header line): messages never list them. */
  private readHeader(headers: string[]): void {
    checkHeader(headers);
    const columns = planInteractionColumns(headers, this.params.mapping);
    if (columns.problems.length) throw new UnrecoverableError(boundedMessage(`The file's columns cannot be imported: ${someProblems(columns.problems)}`));
    if (columns.index.occurredAt === undefined) throw new UnrecoverableError('The file has no date column: name it "date" or use the mapping option');
    if (columns.index.contactExternalId === undefined && columns.index.email === undefined) {
      throw new UnrecoverableError('The file has no customer number or email column ("no client", "courriel"...): nothing says whose interactions they are');
    }
    if (columns.index.type === undefined && !this.params.type) throw new UnrecoverableError('The file has no type column: give the type of its rows with the type option');
    this.headers = headers;
    this.columns = columns;
    this.counts.ignoredColumns = columns.ignored.length;
    for (const column of columns.ignored.slice(0, MAX_REPORTED_ERRORS)) this.errors.push({ line: 1, column, message: IGNORED_COLUMN });
  }
}
