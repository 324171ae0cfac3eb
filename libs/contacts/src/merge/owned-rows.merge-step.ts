import type { Tx } from '@app/database';
import type { ContactMerge, ContactMergeStepContract, ContactMergeUndo } from './contact-merge-step.js';

/** A snapshot row: its contact_id and its key, as to_jsonb writes them. */
export type OwnedRow = Record<string, unknown>;

/**
 * A merge step for rows a contact owns that a merge moves to the survivor (contact_id updated, nothing else) and an
 * undo moves back, found again by their key. Its snapshot is kept at `owned.<table>` of the merge's record: the
 * contact_id and key of each of the contacts' rows. A context extends it for each such table of its own.
 */
export abstract class OwnedRowsMergeStep implements ContactMergeStepContract<OwnedRow[]> {
  readonly snapshotPath: readonly string[];

  /** `table` and `key` are SQL identifiers of the code, never input. */
  protected constructor(
    private readonly table: string,
    private readonly key: readonly string[],
  ) {
    this.snapshotPath = ['owned', table];
  }

  async snapshot(tx: Tx, contactIds: readonly string[]): Promise<OwnedRow[]> {
    const columns = ['contact_id', ...this.key].join(', ');
    const rows = await tx.query<{ row: OwnedRow }>(
      `SELECT to_jsonb(r) AS row FROM (SELECT ${columns} FROM ${this.table} WHERE contact_id = ANY($1::uuid[]) ORDER BY ${columns}) r`,
      [contactIds],
    );
    return rows.map(({ row }) => row);
  }

  async merge(tx: Tx, { survivorId, mergedIds }: ContactMerge): Promise<void> {
    await tx.execute(`UPDATE ${this.table} SET contact_id = $1 WHERE contact_id = ANY($2::uuid[])`, [
      survivorId,
      mergedIds,
    ]);
  }

  async undo(tx: Tx, { survivorId }: ContactMergeUndo, snapshot: OwnedRow[] | undefined): Promise<void> {
    const rows = (snapshot ?? []).filter((row) => row.contact_id !== survivorId);
    const sameKey = this.key.map((column) => `t.${column} = r.${column}`).join(' AND ');
    await tx.execute(
      `UPDATE ${this.table} t SET contact_id = r.contact_id FROM jsonb_populate_recordset(NULL::${this.table}, $1::jsonb) r WHERE ${sameKey} AND t.contact_id = $2`,
      [JSON.stringify(rows), survivorId],
    );
  }
}
