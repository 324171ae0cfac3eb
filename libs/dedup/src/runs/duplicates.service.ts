import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { ContactLookupService } from '@app/contacts';
import {
  copyText,
  keysetConnection,
  type KeysetOrder,
  type KeysetRow,
  keysetSql,
  SqlParams,
  TenantContexts,
  TenantDb,
  type Tx,
  whereClause,
} from '@app/database';
import { DEFAULT_PARAMETERS } from '../matching/fellegi-sunter.js';
import { MATCH_COLUMNS } from '../keys/match-keys.service.js';
import { type ContactToMatch, toMatchRecord } from '../matching/match-record.js';
import { comparisonPattern } from '../matching/comparisons.js';
import { matchTable } from '../matching/match-table.js';
import { PairScorer, pairFingerprint, type PairEvidence } from '../matching/matcher.js';
import { DedupSettingsService } from './dedup-settings.service.js';
import { type DuplicateCandidateConnectionModel, DuplicateStatus } from './dedup.models.js';

/** A pair a run found at or above the review threshold; contactA < contactB. */
export interface FoundPair {
  contactA: string;
  contactB: string;
  score: number;
  /** Computed as the pair is written: held for every pair of a large run, it would take most of the memory. */
  evidence: () => PairEvidence[];
  clusterId: string;
  fingerprint: string;
}

export const MAX_DISMISSED_CONTACTS = 50;
/** The review queue's order: highest score first. */
const REVIEW_ORDER: KeysetOrder = {
  columns: [
    { column: 'score', type: 'float8' },
    { column: 'contact_a', type: 'uuid' },
    { column: 'contact_b', type: 'uuid' },
  ],
  descending: true,
};

/** The review queue: what runs found, what people dismissed. */
@Injectable()
export class DuplicatesService {
  constructor(
    private readonly db: TenantDb,
    private readonly contacts: ContactLookupService,
    private readonly settings: DedupSettingsService,
  ) {}

  /** Ids of the contacts created or changed at or after `since`. */
  async changedSince(since: string): Promise<string[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ id: string }>('SELECT id FROM contacts WHERE updated_at >= $1', [since]),
    );
    return rows.map((row) => row.id);
  }

  /**
   * Stores a run's pairs. Pending pairs the run looked at (all of them, or those touching `focusIds`) and no longer
   * found are removed; a dismissed pair stays dismissed unless its compared values changed.
   */
  async saveRun(
    tx: Tx,
    jobRunId: string,
    focusIds: readonly string[] | null,
    found: readonly FoundPair[],
  ): Promise<void> {
    await tx.execute(
      `CREATE TEMP TABLE dedup_found (contact_a uuid, contact_b uuid, score float8, evidence jsonb, cluster_id uuid, fingerprint text) ON COMMIT DROP`,
    );
    const copy = tx.copyFrom('COPY dedup_found FROM STDIN');
    try {
      for (let start = 0; start < found.length; start += 5_000) {
        const lines = found
          .slice(start, start + 5_000)
          .map(
            (p) =>
              `${p.contactA}\t${p.contactB}\t${p.score}\t${copyText(JSON.stringify(p.evidence()))}\t${p.clusterId}\t${p.fingerprint}\n`,
          );
        await copy.write(lines.join(''));
      }
      await copy.end();
    } catch (error) {
      await copy.abort();
      throw error;
    }

    const focus = focusIds ? 'AND (d.contact_a = ANY($1::uuid[]) OR d.contact_b = ANY($1::uuid[]))' : '';
    await tx.execute(
      `DELETE FROM duplicate_candidates d WHERE d.status = 'PENDING' ${focus}
          AND NOT EXISTS (SELECT 1 FROM dedup_found f WHERE f.contact_a = d.contact_a AND f.contact_b = d.contact_b)`,
      focusIds ? [focusIds] : [],
    );
    await tx.execute(
      `INSERT INTO duplicate_candidates AS d (org_id, contact_a, contact_b, score, evidence, cluster_id, fingerprint, job_run_id)
         SELECT (SELECT crm_current_org()), contact_a, contact_b, score, evidence, cluster_id, fingerprint, $1 FROM dedup_found
       ON CONFLICT (org_id, contact_a, contact_b) DO UPDATE SET
         score = EXCLUDED.score, evidence = EXCLUDED.evidence, cluster_id = EXCLUDED.cluster_id, job_run_id = EXCLUDED.job_run_id,
         updated_at = now(),
         status = CASE WHEN d.status = 'DISMISSED' AND d.fingerprint = EXCLUDED.fingerprint THEN 'DISMISSED' ELSE 'PENDING' END,
         dismissed_by = CASE WHEN d.fingerprint = EXCLUDED.fingerprint THEN d.dismissed_by END,
         dismissed_at = CASE WHEN d.fingerprint = EXCLUDED.fingerprint THEN d.dismissed_at END,
         fingerprint = EXCLUDED.fingerprint`,
      [jobRunId],
    );
  }

  /** Pairs still dismissed among these (an automatic merge leaves them apart). */
  async dismissedAmong(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
    const rows = await tx.query<{ a: string; b: string }>(
      `SELECT contact_a AS a, contact_b AS b FROM duplicate_candidates WHERE status = 'DISMISSED' AND contact_a = ANY($1::uuid[]) AND contact_b = ANY($1::uuid[])`,
      [ids],
    );
    return new Set(rows.map((row) => `${row.a}|${row.b}`));
  }

  async list(
    status: DuplicateStatus,
    minScore: number,
    first: number,
    after: string | null,
  ): Promise<DuplicateCandidateConnectionModel> {
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const where = [`status = ${params.add(status)}`, `score >= ${params.add(minScore)}`];
      const page = keysetSql(REVIEW_ORDER, { first, after }, params, where);
      const rows = await tx.query<
        {
          contactA: string;
          contactB: string;
          score: number;
          status: DuplicateStatus;
          clusterId: string;
          evidence: PairEvidence[];
          updatedAt: Date;
          dismissedAt: Date | null;
        } & KeysetRow
      >(
        `SELECT contact_a AS "contactA", contact_b AS "contactB", score, status, cluster_id AS "clusterId", evidence,
                updated_at AS "updatedAt", dismissed_at AS "dismissedAt", ${page.select}
           FROM duplicate_candidates ${whereClause(where)} ${page.orderLimit}`,
        params.values,
      );
      const { edges, pageInfo } = keysetConnection(rows, { first, after });
      const contacts = new Map(
        (
          await this.contacts.getMany(
            tx,
            edges.flatMap(({ node }) => [node.contactA, node.contactB]),
          )
        ).map((c) => [c.id, c]),
      );
      return {
        edges: edges.map(({ cursor, node }) => ({
          cursor,
          node: { ...node, contactA: contacts.get(node.contactA)!, contactB: contacts.get(node.contactB)! },
        })),
        pageInfo,
      };
    });
  }

  /**
   * Marks every pair among these contacts as not the same person: no run proposes or merges them again unless the
   * values they are compared on change. Returns the pairs dismissed.
   */
  async dismiss(contactIds: readonly string[]): Promise<number> {
    const ids = [...new Set(contactIds)].sort();
    if (ids.length < 2) throw AppError.badInput('contactIds', 'give at least two contacts');
    if (ids.length > MAX_DISMISSED_CONTACTS)
      throw AppError.badInput('contactIds', `give at most ${MAX_DISMISSED_CONTACTS} contacts`);
    return this.db.transaction((tx) => this.dismissPairs(tx, ids));
  }

  /** Within a transaction (undoing a merge dismisses its pairs too). */
  async dismissPairs(tx: Tx, contactIds: readonly string[]): Promise<number> {
    const ids = [...new Set(contactIds)].sort();
    const rows = await tx.query<ContactToMatch>(
      `SELECT ${MATCH_COLUMNS} FROM contacts WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [ids],
    );
    if (rows.length < ids.length) throw AppError.notFound('Contact');
    const scorer = new PairScorer((await this.settings.get(tx)).parameters ?? DEFAULT_PARAMETERS);
    const table = matchTable(rows.map(toMatchRecord));
    const id = (row: number) => table.id.at(row);
    const userId = TenantContexts.require().userId ?? null;
    let dismissed = 0;
    for (let i = 0; i < table.size; i++) {
      for (let j = i + 1; j < table.size; j++) {
        const pattern = comparisonPattern(table, i, j);
        dismissed += await tx.execute(
          `INSERT INTO duplicate_candidates AS d (org_id, contact_a, contact_b, score, evidence, cluster_id, fingerprint, status, dismissed_by, dismissed_at)
             VALUES (crm_current_org(), $1, $2, $3, $4, $1, $5, 'DISMISSED', $6, now())
           ON CONFLICT (org_id, contact_a, contact_b) DO UPDATE SET status = 'DISMISSED', fingerprint = EXCLUDED.fingerprint,
             dismissed_by = EXCLUDED.dismissed_by, dismissed_at = now(), updated_at = now()`,
          [
            id(i),
            id(j),
            scorer.score(table, i, j, pattern),
            JSON.stringify(scorer.evidence(table, i, j, pattern)),
            pairFingerprint(table, i, j),
            userId,
          ],
        );
      }
    }
    return dismissed;
  }
}
