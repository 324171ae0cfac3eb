import { Injectable } from '@nestjs/common';
import type { Tx } from '@app/database';
import { ConsentsService } from '../consent/consents.service.js';
import { ConsentStatus } from '../consent/consent.types.js';
import { withdrawalsToCarry } from '../consent/merged-consent.util.js';
import {
  type ContactMerge,
  ContactMergeStep,
  type ContactMergeStepContract,
  type ContactMergeUndo,
} from './contact-merge-step.js';
import { OwnedRowsMergeStep, type OwnedRow } from './owned-rows.merge-step.js';

/** What a merge does to the contacts context's own rows: tags, external ids and consents. */

/**
 * Tags: the survivor gets every tag of the merged contacts (the links it lacked are created by the merge, which tells
 * them apart on undo). Kept at `contactTags`: the contacts' contact_tags rows.
 */
@Injectable()
@ContactMergeStep()
export class ContactTagsMergeStep implements ContactMergeStepContract<OwnedRow[]> {
  readonly snapshotPath = ['contactTags'];

  async snapshot(tx: Tx, contactIds: readonly string[]): Promise<OwnedRow[]> {
    const rows = await tx.query<{ row: OwnedRow }>(
      'SELECT to_jsonb(ct) AS row FROM contact_tags ct WHERE ct.contact_id = ANY($1::uuid[]) ORDER BY ct.contact_id, ct.tag_id',
      [contactIds],
    );
    return rows.map(({ row }) => row);
  }

  async merge(tx: Tx, { survivorId, mergedIds }: ContactMerge): Promise<void> {
    await tx.execute(
      `INSERT INTO contact_tags (org_id, contact_id, tag_id) SELECT org_id, $1::uuid, tag_id FROM contact_tags WHERE contact_id = ANY($2::uuid[])
       ON CONFLICT DO NOTHING`,
      [survivorId, mergedIds],
    );
  }

  /** The merged contacts' links come back (a tag deleted since stays deleted); the survivor loses those the merge created. */
  async undo(tx: Tx, { survivorId, mergedAt }: ContactMergeUndo, snapshot: OwnedRow[] | undefined): Promise<void> {
    const links = snapshot ?? [];
    await tx.execute(
      `INSERT INTO contact_tags SELECT r.* FROM jsonb_populate_recordset(NULL::contact_tags, $1::jsonb) r
        WHERE r.contact_id <> $2::uuid AND EXISTS (SELECT 1 FROM tags t WHERE t.id = r.tag_id)`,
      [JSON.stringify(links), survivorId],
    );
    const survivorTags = links.filter((link) => link.contact_id === survivorId).map((link) => link.tag_id);
    await tx.execute(
      'DELETE FROM contact_tags WHERE contact_id = $1 AND tag_id <> ALL($2::uuid[]) AND created_at = $3::timestamptz',
      [survivorId, survivorTags, mergedAt],
    );
  }
}

/** External ids move to the survivor, and back on undo. */
@Injectable()
@ContactMergeStep()
export class ContactExternalIdsMergeStep extends OwnedRowsMergeStep {
  constructor() {
    super('contact_external_ids', ['source', 'external_id']);
  }
}

/**
 * Consent records move to the survivor, and back on undo. A merge never turns a refusal into consent: for a purpose a
 * merged contact had withdrawn and the records together no longer show as withdrawn, it adds a withdrawal to the
 * survivor (withdrawalsToCarry), marked with the merge; an undo removes those.
 */
@Injectable()
@ContactMergeStep()
export class ConsentsMergeStep extends OwnedRowsMergeStep {
  constructor(private readonly consents: ConsentsService) {
    super('consents', ['id']);
  }

  override async merge(tx: Tx, merge: ContactMerge): Promise<void> {
    const { mergeId, survivorId, mergedIds } = merge;
    const records = await this.consents.forContacts(tx, [survivorId, ...mergedIds]);
    await super.merge(tx, merge);
    for (const { purpose, occurredAt, original } of withdrawalsToCarry(records, new Date())) {
      const proof = `Withdrawn ${original.occurredAt.toISOString()} on contact ${original.contactId} (consent record ${original.id}, source "${original.source}"), merged into ${survivorId}`;
      await this.consents.record(
        tx,
        survivorId,
        { purpose, status: ConsentStatus.WITHDRAWN, source: 'merge', proof, occurredAt },
        'consents',
        mergeId,
      );
    }
  }

  override async undo(tx: Tx, undo: ContactMergeUndo, snapshot: OwnedRow[] | undefined): Promise<void> {
    await super.undo(tx, undo, snapshot);
    await tx.execute('DELETE FROM consents WHERE contact_id = $1 AND merge_id = $2', [undo.survivorId, undo.mergeId]);
  }
}
