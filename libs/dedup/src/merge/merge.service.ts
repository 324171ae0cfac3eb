import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { CONTACT_FIELD_COLUMNS, type ContactMergeStepContract } from '@app/contacts';
import { TenantContexts, TenantDb, type Tx } from '@app/database';
import { MatchKeysService } from '../keys/match-keys.service.js';
import { DuplicatesService } from '../runs/duplicates.service.js';
import type { ContactMergeModel } from './contact-merge.model.js';
import { ContactMergeSteps } from './contact-merge-steps.js';
import {
  chooseSurvivorValues,
  type ContactSnapshot,
  type FieldChoice,
  type SurvivorValues,
  survivorAfterUndo,
} from './survivorship.util.js';

export const MAX_MERGED_CONTACTS = 50;

export interface MergeRequest {
  survivorId: string;
  mergedIds: readonly string[];
  fieldChoices?: readonly FieldChoice[] | null;
  /** The pair's match score, when a run found it. */
  score?: number | null;
  /** Merged by a run, not a person. */
  automatic?: boolean;
  jobRunId?: string | null;
}

/**
 * Everything an undo needs to put the contacts back as they were: every contact of the merge, survivor included, and
 * each merge step's snapshot at its snapshotPath. Saved merges hold contactTags, owned.contact_external_ids,
 * owned.consents (contacts), owned.interactions (engagement) and, since audiences exist, staticLists (audiences).
 */
interface MergeBefore {
  contacts: ContactSnapshot[];
  [snapshot: string]: unknown;
}

interface MergeRow {
  id: string;
  survivorId: string;
  mergedIds: string[];
  fieldChoices: Record<string, string>;
  automatic: boolean;
  score: number | null;
  createdAt: Date;
  createdBy: string | null;
  undoneAt: Date | null;
  undoneBy: string | null;
}

const MERGE_COLUMNS = `m.id, m.survivor_id AS "survivorId", m.merged_ids::text[] AS "mergedIds", m.field_choices AS "fieldChoices",
  m.automatic, m.score, m.created_at AS "createdAt", m.created_by AS "createdBy", m.undone_at AS "undoneAt", m.undone_by AS "undoneBy"`;

/** A contact row as a snapshot keeps it: without the generated columns (PostgreSQL computes them again). */
const SNAPSHOT = `to_jsonb(c) - 'search_text' - 'sort_name'`;

/** What a merge writes on the survivor: the field columns, attributes and entered values. */
const SURVIVOR_COLUMNS = [...Object.values(CONTACT_FIELD_COLUMNS), 'attributes', 'entered'].join(', ');

/**
 * Merges duplicate contacts into one and undoes merges. A merge keeps everything needed to restore the merged contacts
 * exactly (contact_merges.before) and what it wrote on the survivor (result), so that an undo keeps later edits.
 * It writes the contacts themselves; what each context owns of a contact (tags, consents, interactions, lists...)
 * its merge step moves (ContactMergeSteps). Both run in TenantDb.transaction(), joining a dedup run's transaction
 * when there is one.
 */
@Injectable()
export class MergeService {
  constructor(
    private readonly db: TenantDb,
    private readonly steps: ContactMergeSteps,
    private readonly duplicates: DuplicatesService,
    private readonly keys: MatchKeysService,
  ) {}

  async merge(request: MergeRequest): Promise<ContactMergeModel> {
    const survivorId = request.survivorId.toLowerCase();
    const mergedIds = checkMergedIds(survivorId, request.mergedIds);
    const ids = [survivorId, ...mergedIds];
    const userId = TenantContexts.current()?.userId ?? null;
    return this.db.transaction(async (tx) => {
      const contacts = await lockContacts(tx, ids);
      const before: MergeBefore = { contacts };
      const snapshots = new Map<ContactMergeStepContract, unknown>();
      for (const step of this.steps.all()) {
        const snapshot = await step.snapshot(tx, ids);
        snapshots.set(step, snapshot);
        setAt(before, step.snapshotPath, snapshot);
      }
      const { values, sources } = chooseSurvivorValues(contacts, survivorId, request.fieldChoices ?? []);
      // every refusal came before this first write: a refused merge leaves nothing behind, even inside a run's transaction
      const [{ result }] = await tx.query<{ result: ContactSnapshot }>(
        `UPDATE contacts c SET (${SURVIVOR_COLUMNS}) = (SELECT ${SURVIVOR_COLUMNS} FROM jsonb_populate_record(NULL::contacts, $1::jsonb)), updated_at = now()
          WHERE c.id = $2 RETURNING ${SNAPSHOT} AS result`,
        [values, survivorId],
      );
      const [{ id: mergeId }] = await tx.query<{ id: string }>(
        `INSERT INTO contact_merges (org_id, survivor_id, merged_ids, field_choices, before, result, score, automatic, job_run_id, created_by)
         VALUES (crm_current_org(), $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          survivorId,
          mergedIds,
          sources,
          before,
          result,
          request.score ?? null,
          request.automatic ?? false,
          request.jobRunId ?? null,
          userId,
        ],
      );
      await tx.execute(
        `INSERT INTO contact_merge_contacts (org_id, contact_id, merge_id, role)
         SELECT (SELECT crm_current_org()), id, $1::uuid, CASE WHEN id = $2::uuid THEN 'SURVIVOR' ELSE 'MERGED' END FROM unnest($3::uuid[]) id`,
        [mergeId, survivorId, ids],
      );
      for (const [step, snapshot] of snapshots) await step.merge(tx, { mergeId, survivorId, mergedIds }, snapshot);
      await tx.execute('DELETE FROM contacts WHERE id = ANY($1::uuid[])', [mergedIds]);
      // the merged contacts' keys went with them
      await this.keys.refresh(tx, [survivorId]);
      return this.require(tx, mergeId);
    });
  }

  /**
   * Restores the merged contacts exactly (ids, values, timestamps; each merge step gives back its part: tags, external
   * ids, consents, interactions, static lists, and removes what the merge added, such as carried withdrawals), and
   * gives the survivor back its values except those edited since. The pairs are then
   * recorded as dismissed duplicates, so that a run does not merge them again.
   */
  async unmerge(mergeId: string): Promise<ContactMergeModel> {
    const userId = TenantContexts.current()?.userId ?? null;
    return this.db.transaction(async (tx) => {
      const [merge] = await tx.query<{
        survivorId: string;
        mergedIds: string[];
        before: MergeBefore | null;
        result: ContactSnapshot | null;
        undone: boolean;
      }>(
        `SELECT survivor_id AS "survivorId", merged_ids::text[] AS "mergedIds", before, result, undone_at IS NOT NULL AS undone
           FROM contact_merges WHERE id = $1 FOR UPDATE`,
        [mergeId],
      );
      if (!merge) throw AppError.notFound('Merge');
      if (merge.undone) throw new AppError(ErrorCode.CONFLICT, `Merge ${mergeId} is already undone`, 'mergeId');
      // its snapshots expired (RETENTION_DAYS_MERGE_UNDO); a deleted contact's merges are gone altogether (NOT_FOUND above)
      if (!merge.before || !merge.result) {
        throw new AppError(
          ErrorCode.CONFLICT,
          `Merge ${mergeId} can no longer be undone: its record of the contacts before it has expired`,
          'mergeId',
        );
      }
      const { survivorId, mergedIds, before, result } = merge;
      const [current] = await tx.query<{ row: ContactSnapshot }>(
        `SELECT ${SNAPSHOT} AS row FROM contacts c WHERE c.id = $1 FOR UPDATE`,
        [survivorId],
      );
      if (!current) throw await survivorGone(tx, survivorId, mergeId);
      const [back] = await tx.query<{ id: string }>('SELECT id FROM contacts WHERE id = ANY($1::uuid[])', [mergedIds]);
      if (back)
        throw new AppError(
          ErrorCode.CONFLICT,
          `Contact ${back.id} exists again: this merge cannot be undone`,
          'mergeId',
        );

      const merged = before.contacts.filter((c) => c.id !== survivorId);
      const columns = columnList(merged[0]);
      await tx.execute(
        `INSERT INTO contacts (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::contacts, $1::jsonb)`,
        [JSON.stringify(merged)],
      );
      const [{ mergedAt }] = await tx.query<{ mergedAt: string }>(
        'SELECT created_at::text AS "mergedAt" FROM contact_merges WHERE id = $1',
        [mergeId],
      );
      for (const step of this.steps.all()) {
        await step.undo(tx, { mergeId, survivorId, mergedIds, mergedAt }, getAt(before, step.snapshotPath));
      }

      const survivorBefore = before.contacts.find((c) => c.id === survivorId)!;
      const values: SurvivorValues = survivorAfterUndo(survivorBefore, result, current.row);
      // untouched since the merge: exactly as before, updated_at included
      await tx.execute(
        `UPDATE contacts c SET (${SURVIVOR_COLUMNS}) = (SELECT ${SURVIVOR_COLUMNS} FROM jsonb_populate_record(NULL::contacts, $1::jsonb)),
                updated_at = CASE WHEN c.updated_at = $2::timestamptz THEN $3::timestamptz ELSE now() END
          WHERE c.id = $4`,
        [values, result.updated_at, survivorBefore.updated_at, survivorId],
      );
      await this.keys.refresh(tx, [survivorId, ...mergedIds]);
      await tx.execute('UPDATE contact_merges SET undone_at = now(), undone_by = $2 WHERE id = $1', [mergeId, userId]);
      // a person may merge them again; a run will not
      await this.duplicates.dismissPairs(tx, [survivorId, ...mergedIds]);
      return this.require(tx, mergeId);
    });
  }

  /** The merges a contact took part in (as survivor or merged), newest first, undone ones included. */
  async history(contactId: string): Promise<ContactMergeModel[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<MergeRow>(
        `SELECT ${MERGE_COLUMNS} FROM contact_merges m
           JOIN contact_merge_contacts mc ON mc.org_id = m.org_id AND mc.merge_id = m.id
          WHERE mc.contact_id = $1 ORDER BY m.created_at DESC, m.id DESC`,
        [contactId],
      );
      return rows.map(toModel);
    });
  }

  private async require(tx: Tx, mergeId: string): Promise<ContactMergeModel> {
    const [row] = await tx.query<MergeRow>(`SELECT ${MERGE_COLUMNS} FROM contact_merges m WHERE m.id = $1`, [mergeId]);
    if (!row) throw AppError.notFound('Merge');
    return toModel(row);
  }
}

function checkMergedIds(survivorId: string, mergedIds: readonly string[]): string[] {
  const ids = mergedIds.map((id) => id.toLowerCase());
  if (ids.length === 0) throw AppError.badInput('mergedIds', 'mergedIds must name at least one contact');
  if (ids.length > MAX_MERGED_CONTACTS)
    throw AppError.badInput('mergedIds', `mergedIds names at most ${MAX_MERGED_CONTACTS} contacts`);
  for (const [i, id] of ids.entries()) {
    const path = `mergedIds.${i}`;
    if (id === survivorId)
      throw AppError.badInput(path, `${path} is the survivor: a contact cannot be merged into itself`);
    if (ids.indexOf(id) !== i) throw AppError.badInput(path, `${path}: ${id} is named twice`);
  }
  return ids;
}

/**
 * Locks every contact of the merge, in id order (two merges sharing contacts then wait for each other instead of
 * deadlocking), and snapshots them. One that is gone was deleted or merged away meanwhile: CONFLICT.
 */
async function lockContacts(tx: Tx, ids: readonly string[]): Promise<ContactSnapshot[]> {
  const rows = await tx.query<{ row: ContactSnapshot }>(
    `SELECT ${SNAPSHOT} AS row FROM contacts c WHERE c.id = ANY($1::uuid[]) ORDER BY c.id FOR UPDATE`,
    [ids],
  );
  const found = new Set(rows.map(({ row }) => row.id));
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0) {
    const field = missing === 0 ? 'survivorId' : `mergedIds.${missing - 1}`;
    throw new AppError(
      ErrorCode.CONFLICT,
      `Contact ${ids[missing]} does not exist (deleted, or merged into another contact)`,
      field,
    );
  }
  return rows.map(({ row }) => row);
}

/** Keeps a step's snapshot at its path in the merge's record. */
function setAt(record: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = record;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]] = value;
}

/** A step's snapshot in a saved merge's record; undefined when the merge was made before the step existed. */
function getAt(record: Record<string, unknown>, path: readonly string[]): unknown {
  let at: unknown = record;
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

/** Why the survivor is missing: merged into another contact (whose merge must be undone first), or deleted. */
async function survivorGone(tx: Tx, survivorId: string, mergeId: string): Promise<AppError> {
  const [later] = await tx.query<{ mergeId: string }>(
    `SELECT m.id AS "mergeId" FROM contact_merge_contacts mc JOIN contact_merges m ON m.org_id = mc.org_id AND m.id = mc.merge_id
      WHERE mc.contact_id = $1 AND mc.role = 'MERGED' AND m.undone_at IS NULL`,
    [survivorId],
  );
  const why = later ? `was merged into another contact since: undo merge ${later.mergeId} first` : 'was deleted';
  return new AppError(
    ErrorCode.CONFLICT,
    `Merge ${mergeId} cannot be undone: its survivor ${survivorId} ${why}`,
    'mergeId',
  );
}

/** The columns a snapshot row holds, for an INSERT that restores it (they come from to_jsonb of the table's rows). */
function columnList(row: Record<string, unknown>): string {
  const columns = Object.keys(row);
  if (!columns.every((column) => /^[a-z_][a-z0-9_]*$/.test(column)))
    throw new Error('Unexpected column name in a merge snapshot');
  return columns.join(', ');
}

function toModel({ fieldChoices, ...row }: MergeRow): ContactMergeModel {
  const fieldSources = Object.entries(fieldChoices)
    .map(([field, contactId]) => ({ field, contactId }))
    .sort((a, b) => (a.field < b.field ? -1 : 1));
  return { ...row, fieldSources };
}
