import { SetMetadata } from '@nestjs/common';
import type { Tx } from '@app/database';

/** The merge a step takes part in. */
export interface ContactMerge {
  mergeId: string;
  survivorId: string;
  /** The contacts merged into the survivor: deleted once every step has run (and back, before any step undoes). */
  mergedIds: readonly string[];
}

/** The merge a step undoes. */
export interface ContactMergeUndo extends ContactMerge {
  /**
   * When the merge was made (contact_merges.created_at, the merge's transaction time), as PostgreSQL writes a
   * timestamptz: exact to the microsecond, which a Date is not. Rows a merge created carry this time.
   */
  mergedAt: string;
}

/**
 * What a context does to its own rows when contacts are merged, and to undo it: `@ContactMergeStep()` on a provider
 * of the context's module implementing this. The merge (libs/dedup) locks the contacts, then, in its one transaction:
 * takes every step's snapshot, writes the survivor, calls every step's merge(), and deletes the merged contacts. An
 * undo puts the merged contacts back, then calls every step's undo() with the snapshot its merge() was given.
 * A step touches its context's tables only; the steps of one merge may run in any order.
 */
export interface ContactMergeStepContract<S = unknown> {
  /**
   * Where the step's snapshot is kept in the merge's record (contact_merges.before, JSON): a key, or a path of keys.
   * Saved merges are read back by it: never change it, nor the shape of what is kept there.
   */
  readonly snapshotPath: readonly string[];
  /** What an undo needs of these contacts' rows (survivor first), read before anything is written; JSON. */
  snapshot(tx: Tx, contactIds: readonly string[]): Promise<S>;
  /** Gives the survivor what the merged contacts had (before they are deleted). */
  merge(tx: Tx, merge: ContactMerge, snapshot: S): Promise<void>;
  /**
   * Gives the merged contacts back what they had, and takes from the survivor what the merge gave it (not what was
   * added since). `snapshot` is undefined for a merge made before the step existed.
   */
  undo(tx: Tx, undo: ContactMergeUndo, snapshot: S | undefined): Promise<void>;
}

export const CONTACT_MERGE_STEP = 'crm:contact-merge-step';

/** Marks a provider as a merge step (ContactMergeStepContract); the merge service finds every one at start-up. */
export const ContactMergeStep = (): ClassDecorator => SetMetadata(CONTACT_MERGE_STEP, true);
