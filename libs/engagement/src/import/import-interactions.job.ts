import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { CONTACT_CELL_MAX_CHARS, ContactLookupService, externalIdKey, type NewPerson } from '@app/contacts';
import type { Tx } from '@app/database';
import {
  boundedMessage,
  CsvImportJob,
  type CsvRow,
  IGNORED_COLUMN,
  type ImportContext,
  type ImportReader,
  MAX_CELL_CHARS,
  MAX_REPORTED_ERRORS,
  refuseColumns,
  tooLong,
} from '@app/imports';
import { type JobErrorModel, JobHandler, JobName } from '@app/jobs';
import {
  checkInteraction,
  type ContactReference,
  type InteractionRow,
  resolveContact,
  type Vocabularies,
} from '../interactions/interaction-rows.js';
import type { InteractionInput } from '../interactions/interaction.models.js';
import { InteractionsService } from '../interactions/interactions.service.js';
import { parseAmountCents, parseCount, parseDateTime } from './interaction-cells.js';
import { type InteractionColumns, type InteractionImportField, planInteractionColumns } from './interaction-columns.js';
import type { ImportInteractionsParams } from './import-interactions.options.js';

/** The longest cell of each column read (the others: MAX_CELL_CHARS); the contact's come from CreateContactInput's limits. */
const CELL_MAX_CHARS: Partial<Record<InteractionImportField, number>> = {
  contactExternalId: CONTACT_CELL_MAX_CHARS.externalId,
  email: CONTACT_CELL_MAX_CHARS.email,
  firstName: CONTACT_CELL_MAX_CHARS.firstName,
  lastName: CONTACT_CELL_MAX_CHARS.lastName,
};
/** Rows resolved and inserted together: a few statements per batch, whatever the file's size. */
const BATCH_ROWS = 5_000;

/** Which column an input field of checkInteraction comes from, to name it in errors. */
const COLUMN_OF_FIELD: Record<string, InteractionImportField> = {
  contact: 'contactExternalId',
  type: 'type',
  occurredAt: 'occurredAt',
  'offering.id': 'offeringId',
  'offering.name': 'offeringName',
  discipline: 'discipline',
  venue: 'venue',
  amountCents: 'amount',
  currency: 'currency',
  quantity: 'quantity',
  channel: 'channel',
  campaign: 'campaign',
  source: 'source',
  externalId: 'externalId',
};

interface CheckedRow {
  line: number;
  cells: string[];
  row: InteractionRow;
  contact: ContactReference;
  names: { firstName: string | null; lastName: string | null };
}

type ImportCounts = {
  rows: number;
  recorded: number;
  duplicates: number;
  invalid: number;
  contactsCreated: number;
  ignoredColumns: number;
};

/**
 * Imports interactions from a CSV (a box-office, donation or newsletter export, one row per ticket, order, gift or
 * email event): each row is checked as recordInteractions checks an item, its contact found by customer number
 * (source + external id) or email (or created, with createContacts), and recorded idempotently by source +
 * transaction number. One transaction: an attempt that dies leaves nothing, and its retry starts clean. Memory stays
 * constant: rows stream from job_files (CsvImports reads them) and are recorded in batches.
 */
@Injectable()
@JobHandler(JobName.IMPORT_INTERACTIONS)
export class ImportInteractionsJob extends CsvImportJob<ImportInteractionsParams> {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly contacts: ContactLookupService,
  ) {
    super();
  }

  override async open(context: ImportContext<ImportInteractionsParams>): Promise<ImportReader> {
    return new ImportFile(context, await this.interactions.vocabularies(context.tx), (rows, file) =>
      this.record(context.tx, rows, file),
    );
  }

  dedupAfter(counts: Record<string, number>, params: ImportInteractionsParams): boolean {
    return params.dedup && counts.contactsCreated > 0;
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
      file.reject(
        r.line,
        r.cells,
        'contactExternalId',
        'no contact has this customer number or email (import with createContacts=true to create them)',
      );
      return [];
    });
    const outcomes = await this.interactions.insert(tx, resolved);
    for (const outcome of outcomes) file.counts[outcome.inserted ? 'recorded' : 'duplicates']++;
  }

  /** One new contact per person the rows name (by customer number, else email) that no contact matched. */
  private async createMissing(
    tx: Tx,
    batch: readonly CheckedRow[],
    contactIds: (string | null)[],
    file: ImportFile,
  ): Promise<void> {
    const people = new Map<string, { person: NewPerson; rows: number[] }>();
    batch.forEach(({ contact, names }, i) => {
      if (contactIds[i]) return;
      const key = contact.externalId
        ? `x${externalIdKey(contact.externalId.source, contact.externalId.externalId)}`
        : `e${contact.email}`;
      const entry = people.get(key) ?? {
        person: { email: contact.email, externalId: contact.externalId, ...names },
        rows: [],
      };
      entry.rows.push(i);
      people.set(key, entry);
    });
    const entries = [...people.values()];
    const ids = await this.contacts.createForRecords(
      tx,
      entries.map((e) => e.person),
    );
    entries.forEach((entry, i) => entry.rows.forEach((row) => (contactIds[row] = ids[i])));
    file.counts.contactsCreated += ids.length;
  }
}

/**
 * One file being imported: its columns, the checks of each row, the counts, the errors and the rejected rows. A batch
 * is recorded while the next one is parsed and checked: the database and this process work at once.
 */
class ImportFile implements ImportReader {
  columns: InteractionColumns | null = null;
  readonly counts: ImportCounts = {
    rows: 0,
    recorded: 0,
    duplicates: 0,
    invalid: 0,
    contactsCreated: 0,
    ignoredColumns: 0,
  };
  readonly errors: JobErrorModel[] = [];
  private rejectedRows: { line: number; cells: string[]; error: string }[] = [];
  private settledLine = 0;
  private batch: CheckedRow[] = [];
  private recording: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: ImportContext<ImportInteractionsParams>,
    private readonly vocabularies: Vocabularies,
    private readonly record: (rows: readonly CheckedRow[], file: ImportFile) => Promise<void>,
  ) {}

  get params(): ImportInteractionsParams {
    return this.context.params;
  }

  /** The columns, from the header; its names are file content (a file without a header line): messages never list them. */
  header(headers: string[]): void {
    const columns = planInteractionColumns(headers, this.params.mapping);
    refuseColumns(columns.problems);
    if (columns.index.occurredAt === undefined)
      throw new UnrecoverableError('The file has no date column: name it "date" or use the mapping option');
    if (columns.index.contactExternalId === undefined && columns.index.email === undefined) {
      throw new UnrecoverableError(
        'The file has no customer number or email column ("no client", "courriel"...): nothing says whose interactions they are',
      );
    }
    if (columns.index.type === undefined && !this.params.type)
      throw new UnrecoverableError('The file has no type column: give the type of its rows with the type option');
    this.columns = columns;
    this.counts.ignoredColumns = columns.ignored.length;
    for (const column of columns.ignored.slice(0, MAX_REPORTED_ERRORS))
      this.errors.push({ line: 1, column, message: IGNORED_COLUMN });
  }

  row({ cells, line, error }: CsvRow): Promise<void> | undefined {
    const checked = this.check(cells, line, error);
    if (checked) this.batch.push(checked);
    return this.batch.length >= BATCH_ROWS ? this.recordBatch() : undefined;
  }

  progress(): ImportCounts {
    return { ...this.counts };
  }

  async end() {
    await this.recordBatch();
    await this.recording;
    this.settle(Number.MAX_SAFE_INTEGER);
    await this.flushRejected();
    const counts = { ...this.counts };
    await this.context.progress.report(counts.rows, counts.rows, counts);
    return { counts, errors: this.errors.sort((a, b) => a.line! - b.line!) };
  }

  /** Waits for the batch being recorded, then starts recording the next (the transaction's connection runs one statement at a time). */
  private async recordBatch(): Promise<void> {
    await this.recording;
    await this.flushRejected();
    const rows = this.batch;
    this.batch = [];
    this.recording = this.record(rows, this).then(() => this.settle(rows.at(-1)?.line ?? 0));
    this.recording.catch(() => undefined); // awaited later; this only keeps it from being reported unhandled meanwhile
  }

  /** Each row comes back checked, or null when it is rejected. */
  private check(cells: string[], line: number, parseError: string | null | undefined): CheckedRow | null {
    this.counts.rows++;
    if (parseError) return this.reject(line, cells, null, parseError);
    const columns = this.columns!;
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
      ['amountCents', 'amount', parseAmountCents],
      ['quantity', 'quantity', parseCount],
      ['occurredAt', 'occurredAt', parseDateTime],
    ] as const) {
      const value = parse(cell(column));
      if (typeof value === 'string') return this.reject(line, cells, column, value);
      parsed[field] = value;
    }
    if (!parsed.occurredAt) return this.reject(line, cells, 'occurredAt', 'the date is empty');
    const customer = cell('contactExternalId');
    const input: InteractionInput = {
      contact: {
        externalId: customer ? { source: this.params.source, externalId: customer } : null,
        email: cell('email') || null,
      },
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
    return {
      line,
      cells,
      row: checked.row,
      contact: checked.contact,
      names: { firstName: cell('firstName') || null, lastName: cell('lastName') || null },
    };
  }

  /** A refused row: `reason` never quotes a cell (the rejected-rows file, for the EDITOR, keeps the row as it was). */
  reject(line: number, cells: string[], field: InteractionImportField | null, reason: string): null {
    this.counts.invalid++;
    // whose row it is: the customer number column, or the email column when there is none
    const named =
      field === 'contactExternalId' && this.columns?.index.contactExternalId === undefined ? 'email' : field;
    const column = named ? (this.columns?.header[named] ?? named) : null;
    const message = boundedMessage(reason);
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push({ line, column, message });
    this.rejectedRows.push({ line, cells, error: column ? `${column}: ${message}` : message });
    return null;
  }

  /** Every row up to this line is settled (its batch is recorded): its rejection, if any, may be written. */
  settle(line: number): void {
    this.settledLine = Math.max(this.settledLine, line);
  }

  /** The settled rows rejected so far, in file order, to the rejected-rows file. */
  private async flushRejected(): Promise<void> {
    const settled = this.rejectedRows.filter((row) => row.line <= this.settledLine).sort((a, b) => a.line - b.line);
    if (settled.length === 0) return;
    this.rejectedRows = this.rejectedRows.filter((row) => row.line > this.settledLine);
    await this.context.rejected.write(settled);
  }
}
