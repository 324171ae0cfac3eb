import { cityOf } from './city-areas.js';
import type { MatchRecord } from './match-record.js';
import { nameAcrossLanguages } from './nicknames.js';

/**
 * A text field of every record, dictionary-encoded: each record's value is a number into `values`, 0 for ''
 * (missing). Two records agree on the field exactly when their numbers are equal.
 */
export class TextColumn {
  private sortRanks: Int32Array | null = null;

  constructor(
    readonly numbers: Int32Array,
    readonly values: readonly string[],
  ) {}

  at(row: number): string {
    return this.values[this.numbers[row]];
  }

  /** Where the row's value sorts among the column's values (by code unit, as `<` compares). */
  rank(row: number): number {
    if (!this.sortRanks) {
      const order = this.values.map((_, id) => id).sort((a, b) => (this.values[a] < this.values[b] ? -1 : 1));
      this.sortRanks = new Int32Array(this.values.length);
      order.forEach((id, rank) => (this.sortRanks![id] = rank));
    }
    return this.sortRanks[this.numbers[row]];
  }
}

/** The fields of MatchTable, each a TextColumn (the address split in three). */
export const TABLE_FIELDS = [
  'id',
  'first',
  'last',
  'firstSound',
  'lastSound',
  'firstAcrossLanguages',
  'email',
  'emailExtra',
  'emailLocal',
  'emailDomain',
  'emailUser',
  'phone',
  'birth',
  'postal',
  'addressFull',
  'addressStreet',
  'addressNumber',
  'unit',
  'city',
  'cityArea',
] as const;
export type TableField = (typeof TABLE_FIELDS)[number];

/**
 * Fields comparisons only test for equality: a comparison thread gets their numbers, not their values (they are the
 * ones with a value per contact, the bulk of the memory).
 */
const COMPARED_BY_NUMBER: ReadonlySet<TableField> = new Set([
  'id',
  'email',
  'emailLocal',
  'emailUser',
  'firstAcrossLanguages',
  'cityArea',
  'addressFull',
  'addressNumber',
]);

type DerivedField = 'emailDomain' | 'emailUser' | 'firstAcrossLanguages' | 'cityArea';
type StoredField = Exclude<TableField, DerivedField>;

/**
 * Fields read from another field's value, not from the record: worked out once per distinct value as the table is
 * built (a few thousand cities, not a million records).
 */
const DERIVED: Record<DerivedField, { from: StoredField; value: (source: string) => string }> = {
  emailDomain: { from: 'email', value: (email) => email.slice(email.lastIndexOf('@') + 1) },
  // the whole local part, digits and dots included, of an address long enough to tell one person's
  emailUser: { from: 'email', value: (email) => (email.length >= 10 ? email.slice(0, email.lastIndexOf('@')) : '') },
  firstAcrossLanguages: { from: 'first', value: nameAcrossLanguages },
  cityArea: { from: 'city', value: cityOf },
};
const STORED_FIELDS = TABLE_FIELDS.filter((field): field is StoredField => !Object.hasOwn(DERIVED, field));

function valueOf(record: MatchRecord, field: StoredField): string {
  if (field === 'addressFull') return record.address?.full ?? '';
  if (field === 'addressStreet') return record.address?.street ?? '';
  if (field === 'addressNumber') return record.address?.number ?? '';
  return record[field];
}

/** What a comparison thread is sent of a table: every number, in shared memory, and the values it compares. */
export interface SharedMatchTable {
  size: number;
  numbers: Record<TableField, SharedArrayBuffer>;
  values: Partial<Record<TableField, readonly string[]>>;
}

/**
 * Match records as columns, one TextColumn a field: what comparing, scoring and evidence read. Far smaller than the
 * records as objects, and its numbers are shared between threads without a copy.
 */
export interface MatchTable extends Readonly<Record<TableField, TextColumn>> {
  readonly size: number;
}

export function matchTable(records: readonly MatchRecord[]): MatchTable {
  const builder = new MatchTableBuilder();
  for (const record of records) builder.add(record);
  return builder.build();
}

/** What a comparison thread is sent: the numbers (in shared memory already), and the values comparisons read. */
export function shareMatchTable(table: MatchTable): SharedMatchTable {
  const numbers = {} as Record<TableField, SharedArrayBuffer>;
  const values: Partial<Record<TableField, readonly string[]>> = {};
  for (const field of TABLE_FIELDS) {
    numbers[field] = table[field].numbers.buffer as SharedArrayBuffer;
    if (!COMPARED_BY_NUMBER.has(field)) values[field] = table[field].values;
  }
  return { size: table.size, numbers, values };
}

/** A comparison thread's table: fields compared by number have no values (`at` is undefined for them). */
export function sharedMatchTable(shared: SharedMatchTable): MatchTable {
  const table: Partial<Record<TableField, TextColumn>> = {};
  for (const field of TABLE_FIELDS)
    table[field] = new TextColumn(new Int32Array(shared.numbers[field]), shared.values[field] ?? []);
  return { size: shared.size, ...(table as Record<TableField, TextColumn>) };
}

/** Builds a MatchTable record by record (a full run adds each batch as it loads, then drops the objects). */
export class MatchTableBuilder {
  private size = 0;
  private capacity = 1024;
  private readonly numbers = {} as Record<StoredField, Int32Array>;
  private readonly values = {} as Record<StoredField, string[]>;
  /** Each value's number, per field; none for the id, which is every record's own. */
  private readonly numberOf = {} as Record<StoredField, Map<string, number>>;

  constructor() {
    for (const field of STORED_FIELDS) {
      this.numbers[field] = new Int32Array(this.capacity);
      this.values[field] = [''];
      this.numberOf[field] = new Map([['', 0]]);
    }
  }

  get length(): number {
    return this.size;
  }

  add(record: MatchRecord): void {
    if (this.size === this.capacity) {
      this.capacity *= 2;
      for (const field of STORED_FIELDS) this.numbers[field] = grow(this.numbers[field], this.capacity);
    }
    for (const field of STORED_FIELDS) {
      const value = valueOf(record, field);
      const values = this.values[field];
      let number = field === 'id' ? undefined : this.numberOf[field].get(value);
      if (number === undefined) {
        number = values.length;
        values.push(value);
        if (field !== 'id') this.numberOf[field].set(value, number);
      }
      this.numbers[field][this.size] = number;
    }
    this.size++;
  }

  build(): MatchTable {
    const table: Partial<Record<TableField, TextColumn>> = {};
    for (const field of STORED_FIELDS)
      table[field] = new TextColumn(sharedCopy(this.numbers[field].subarray(0, this.size)), this.values[field]);
    for (const field of Object.keys(DERIVED) as DerivedField[]) {
      const { from, value } = DERIVED[field];
      // each source value's derived number, then each row's
      const values = [''];
      const numberOf = new Map([['', 0]]);
      const bySource = Int32Array.from(this.values[from], (source) => {
        const derived = source ? value(source) : '';
        let number = numberOf.get(derived);
        if (number === undefined) numberOf.set(derived, (number = values.push(derived) - 1));
        return number;
      });
      const numbers = new Int32Array(new SharedArrayBuffer(this.size * 4));
      const sourceNumbers = this.numbers[from];
      for (let row = 0; row < this.size; row++) numbers[row] = bySource[sourceNumbers[row]];
      table[field] = new TextColumn(numbers, values);
    }
    return { size: this.size, ...(table as Record<TableField, TextColumn>) };
  }
}

/** A copy in shared memory: what threads read without copying. */
export function sharedCopy(array: Int32Array): Int32Array {
  const copy = new Int32Array(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/** A larger copy (the first `array.length` numbers kept). */
export function grow(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(capacity);
  larger.set(array);
  return larger;
}
