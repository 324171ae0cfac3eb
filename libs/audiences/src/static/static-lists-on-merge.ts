import { Injectable } from '@nestjs/common';
import {
  type ContactMerge,
  ContactMergeStep,
  type ContactMergeStepContract,
  type ContactMergeUndo,
} from '@app/contacts';
import type { Tx } from '@app/database';

/**
 * What a merge of contacts does to static lists (StaticListsMergeStep, below): the survivor joins every list a merged
 * contact was on, and an undo puts the merged contacts back on theirs and takes the survivor off those it joined
 * through the merge. Dynamic audiences need nothing here: their rules see the changes through the sync.
 */
export interface StaticListMembership {
  audience_id: string;
  contact_id: string;
  added_at: string;
}

/** The static-list memberships of these contacts, for the merge's record. */
export async function staticListMemberships(tx: Tx, contactIds: readonly string[]): Promise<StaticListMembership[]> {
  return tx.query<StaticListMembership>(
    `SELECT m.audience_id, m.contact_id, m.added_at FROM audience_members m JOIN audiences a ON a.org_id = m.org_id AND a.id = m.audience_id
      WHERE a.kind = 'STATIC' AND m.contact_id = ANY($1::uuid[]) ORDER BY m.audience_id, m.contact_id`,
    [contactIds],
  );
}

/** The survivor joins the merged contacts' lists; the memberships it gains are dated with the merge's transaction. */
export async function joinListsOfMerged(
  tx: Tx,
  survivorId: string,
  memberships: readonly StaticListMembership[],
): Promise<void> {
  await tx.execute(
    `INSERT INTO audience_members (org_id, audience_id, contact_id)
     SELECT (SELECT crm_current_org()), audience_id, $1::uuid FROM unnest($2::uuid[]) AS audience_id ORDER BY 2 ON CONFLICT DO NOTHING`,
    [survivorId, [...new Set(memberships.filter((m) => m.contact_id !== survivorId).map((m) => m.audience_id))]],
  );
}

/**
 * Undoes joinListsOfMerged: the merged contacts are back on the lists they were on (those that still exist), and the
 * survivor leaves the lists it joined at `mergedAt` (it stays where it was before, and where it was added since).
 * `mergedAt` is the merge's timestamptz as PostgreSQL writes it: exact to the microsecond, which a Date is not.
 */
export async function restoreListsAfterUndo(
  tx: Tx,
  survivorId: string,
  memberships: readonly StaticListMembership[],
  mergedAt: string,
): Promise<void> {
  const merged = memberships.filter((m) => m.contact_id !== survivorId);
  await tx.execute(
    `INSERT INTO audience_members (org_id, audience_id, contact_id, added_at)
     SELECT (SELECT crm_current_org()), r.audience_id, r.contact_id, r.added_at FROM jsonb_populate_recordset(NULL::audience_members, $1::jsonb) r
      WHERE EXISTS (SELECT 1 FROM audiences a WHERE a.id = r.audience_id) ORDER BY 2, 3 ON CONFLICT DO NOTHING`,
    [JSON.stringify(merged)],
  );
  const before = memberships.filter((m) => m.contact_id === survivorId).map((m) => m.audience_id);
  await tx.execute(
    `DELETE FROM audience_members WHERE contact_id = $1 AND added_at = $2::timestamptz AND audience_id <> ALL($3::uuid[])
        AND audience_id IN (SELECT id FROM audiences WHERE kind = 'STATIC')`,
    [survivorId, mergedAt, before],
  );
}

/**
 * The audiences context's merge step. Kept at `staticLists` of the merge's record (absent in merges made before
 * audiences existed).
 */
@Injectable()
@ContactMergeStep()
export class StaticListsMergeStep implements ContactMergeStepContract<StaticListMembership[]> {
  readonly snapshotPath = ['staticLists'];

  snapshot(tx: Tx, contactIds: readonly string[]): Promise<StaticListMembership[]> {
    return staticListMemberships(tx, contactIds);
  }

  merge(tx: Tx, { survivorId }: ContactMerge, snapshot: StaticListMembership[]): Promise<void> {
    return joinListsOfMerged(tx, survivorId, snapshot);
  }

  undo(
    tx: Tx,
    { survivorId, mergedAt }: ContactMergeUndo,
    snapshot: StaticListMembership[] | undefined,
  ): Promise<void> {
    return restoreListsAfterUndo(tx, survivorId, snapshot ?? [], mergedAt);
  }
}
