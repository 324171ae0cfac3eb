import { AppError, type Connection, decodeCursor, type Edge, encodeCursorJson } from '@app/common';
import type { SqlParams } from './sql-params.js';

/**
 * A keyset order: sort columns, most significant first, that together tell rows apart (end with the id), all sorted
 * one way. `type` is the SQL type a cursor value is cast back to.
 */
export interface KeysetOrder {
  columns: readonly { column: string; type: string }[];
  descending: boolean;
}

/** What a page asks for: its size and, after the first page, the cursor of the last item seen. */
export interface KeysetPage {
  first: number;
  after?: string | null;
}

/**
 * The column `keysetSql(...).select` adds to each row: its sort key values as a JSON array of text, which its cursor
 * encodes as it is (not parsed: a page's cursors are seldom all asked for).
 */
export const KEYSET_CURSOR = 'keysetCursor';
export type KeysetRow = { [KEYSET_CURSOR]: string };

/** The parts of a keyset-paginated statement. */
export interface KeysetSql {
  /** For the select list: the sort key values as a JSON array of text AS "keysetCursor". */
  select: string;
  /** For the end of the statement: ORDER BY the columns, LIMIT one row more than the page (it tells whether more follow). */
  orderLimit: string;
}

/**
 * Keyset pagination: pushes onto `where` the condition for the rows after the cursor (a row comparison on the sort
 * columns, which their index serves) and returns the select column and the ORDER BY ... LIMIT first + 1.
 */
export function keysetSql(order: KeysetOrder, page: KeysetPage, params: SqlParams, where: string[]): KeysetSql {
  const columns = order.columns.map(({ column }) => column);
  if (page.after) {
    const values = decodeCursor(page.after);
    if (values.length !== columns.length || values.some((value) => typeof value !== 'string'))
      throw AppError.badInput('after', 'Invalid cursor');
    const placeholders = order.columns.map(({ type }, i) => params.add(values[i], type));
    where.push(`(${columns.join(', ')}) ${order.descending ? '<' : '>'} (${placeholders.join(', ')})`);
  }
  const direction = order.descending ? 'DESC' : 'ASC';
  return {
    select: `json_build_array(${columns.map((column) => `${column}::text`).join(', ')})::text AS "${KEYSET_CURSOR}"`,
    orderLimit: `ORDER BY ${columns.map((column) => `${column} ${direction}`).join(', ')} LIMIT ${limitOf(page)}`,
  };
}

/** The connection of the rows read with `keysetSql` (up to first + 1): each node made by `toNode`, cursors from the sort keys. */
export function keysetConnection<R extends KeysetRow>(
  rows: readonly R[],
  page: KeysetPage,
): Connection<Omit<R, typeof KEYSET_CURSOR>>;
export function keysetConnection<R extends KeysetRow, N>(
  rows: readonly R[],
  page: KeysetPage,
  toNode: (row: Omit<R, typeof KEYSET_CURSOR>) => N,
): Connection<N>;
export function keysetConnection<R extends KeysetRow, N>(
  rows: readonly R[],
  page: KeysetPage,
  toNode: (row: Omit<R, typeof KEYSET_CURSOR>) => N = (row) => row as N,
): Connection<N> {
  const edges = rows.slice(0, page.first).map(({ [KEYSET_CURSOR]: keys, ...row }) => new KeysetEdge(toNode(row), keys));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > page.first,
      hasPreviousPage: Boolean(page.after),
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** An edge whose cursor is encoded only when asked for. */
class KeysetEdge<N> implements Edge<N> {
  constructor(
    readonly node: N,
    private readonly keys: string,
  ) {}

  get cursor(): string {
    return encodeCursorJson(this.keys);
  }
}

/** The LIMIT, written as a number: a generic plan of a prepared statement then knows how many rows it reads. */
function limitOf(page: KeysetPage): number {
  const limit = page.first + 1;
  if (!Number.isSafeInteger(limit) || limit < 1) throw AppError.badInput('first', 'first must be a positive integer');
  return limit;
}
