import { describe, expect, it } from '@jest/globals';
import { encodeCursor } from '@app/common';
import { KEYSET_CURSOR, keysetConnection, type KeysetOrder, keysetSql } from './keyset.js';
import { SqlParams } from './sql-params.js';

const NEWEST_FIRST: KeysetOrder = {
  columns: [
    { column: 'created_at', type: 'timestamptz' },
    { column: 'id', type: 'uuid' },
  ],
  descending: true,
};
const BY_NAME: KeysetOrder = {
  columns: [
    { column: 'c.sort_name', type: 'text' },
    { column: 'c.id', type: 'uuid' },
  ],
  descending: false,
};
const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('keysetSql', () => {
  it('orders by every column one way and reads one row more than the page, with no condition on the first page', () => {
    const params = new SqlParams();
    const where = ['kind = $1'];
    params.add('x');
    const sql = keysetSql(NEWEST_FIRST, { first: 20 }, params, where);
    expect(where).toEqual(['kind = $1']);
    expect(sql.select).toBe(`json_build_array(created_at::text, id::text)::text AS "${KEYSET_CURSOR}"`);
    expect(sql.orderLimit).toBe('ORDER BY created_at DESC, id DESC LIMIT 21');
    expect(params.values).toEqual(['x']);
  });

  it('after a cursor, adds a row comparison on the sort columns, each value cast to its type', () => {
    const params = new SqlParams();
    const where: string[] = [];
    const sql = keysetSql(BY_NAME, { first: 10, after: encodeCursor(['dupont marie', ID]) }, params, where);
    expect(where).toEqual(['(c.sort_name, c.id) > ($1::text, $2::uuid)']);
    expect(sql.orderLimit).toBe('ORDER BY c.sort_name ASC, c.id ASC LIMIT 11');
    expect(params.values).toEqual(['dupont marie', ID]);

    const descending = new SqlParams();
    const conditions: string[] = [];
    keysetSql(
      NEWEST_FIRST,
      { first: 10, after: encodeCursor(['2026-01-02 03:04:05.123456+00', ID]) },
      descending,
      conditions,
    );
    expect(conditions).toEqual(['(created_at, id) < ($1::timestamptz, $2::uuid)']);
  });

  it.each([
    ['not base64 JSON', 'not a cursor'],
    ['not an array', Buffer.from('{"a":1}').toString('base64url')],
    ['too few values', encodeCursor(['2026-01-02'])],
    ['too many values', encodeCursor(['2026-01-02', ID, 'x'])],
    ['a value that is not text', encodeCursor([0.9, ID])],
    ['a null value', encodeCursor([null, ID])],
  ])('refuses a cursor with %s as bad input on after', (_case, after) => {
    expect(() => keysetSql(NEWEST_FIRST, { first: 10, after }, new SqlParams(), [])).toThrow(
      expect.objectContaining({ field: 'after' }),
    );
  });
});

describe('keysetConnection', () => {
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `id${i}`,
      name: `n${i}`,
      [KEYSET_CURSOR]: JSON.stringify([`n${i}`, `id${i}`]),
    }));

  it('keeps the first rows, cursors from their sort keys, and says more follow when the extra row came back', () => {
    const page = keysetConnection(rows(4), { first: 3 });
    expect(page.edges.map(({ cursor, node }) => ({ cursor, node }))).toEqual(
      [0, 1, 2].map((i) => ({ cursor: encodeCursor([`n${i}`, `id${i}`]), node: { id: `id${i}`, name: `n${i}` } })),
    );
    expect(page.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      endCursor: encodeCursor(['n2', 'id2']),
    });
  });

  it('on the last page: no next page; a page asked for after a cursor has a previous one', () => {
    const after = encodeCursor(['n9', 'id9']);
    expect(keysetConnection(rows(3), { first: 3, after }).pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      endCursor: encodeCursor(['n2', 'id2']),
    });
    expect(keysetConnection(rows(0), { first: 3, after }).pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      endCursor: null,
    });
    expect(keysetConnection(rows(1), { first: 0 })).toEqual({
      edges: [],
      pageInfo: { hasNextPage: true, hasPreviousPage: false, endCursor: null },
    });
  });

  it('makes each node with toNode, without the cursor column', () => {
    const page = keysetConnection(rows(2), { first: 5 }, (row) => ({
      label: `${row.name}:${row.id}`,
      keys: Object.keys(row),
    }));
    expect(page.edges.map((edge) => edge.node)).toEqual([
      { label: 'n0:id0', keys: ['id', 'name'] },
      { label: 'n1:id1', keys: ['id', 'name'] },
    ]);
  });

  it('round-trips: the end cursor of a page starts the next one after its last row', () => {
    const { pageInfo } = keysetConnection(rows(4), { first: 3 });
    const where: string[] = [];
    const params = new SqlParams();
    keysetSql(BY_NAME, { first: 3, after: pageInfo.endCursor }, params, where);
    expect(params.values).toEqual(['n2', 'id2']);
  });
});
