import { Injectable } from '@nestjs/common';
import { AttributesService } from '@app/contacts';
import { SqlParams, type Tx } from '@app/database';
import { InteractionsService } from '@app/engagement';
import type { AudienceRuleInput } from '../rules/audience-rule.input.js';
import { compileRule, type RuleContext } from '../rules/rule-compiler.js';

/** work_mem of the transactions that evaluate rules: a hash of a million contact ids takes about 100 MB. */
const RULE_WORK_MEM = '256MB';

/** Why members changed; audience.sizeHistory shows it. */
export enum RefreshReason {
  CREATED = 'CREATED',
  RULE_CHANGED = 'RULE_CHANGED',
  MANUAL = 'MANUAL',
  DAILY = 'DAILY',
  /** An audience its rule names was refreshed. */
  DEPENDENCY = 'DEPENDENCY',
  /** Contacts changed (the incremental sync). */
  CHANGES = 'CHANGES',
  MEMBERS_ADDED = 'MEMBERS_ADDED',
  MEMBERS_REMOVED = 'MEMBERS_REMOVED',
}

export interface RefreshResult {
  entered: number;
  left: number;
  /** Null for an incremental refresh that changed nothing (not counted). */
  size: number | null;
}

interface DynamicAudience {
  id: string;
  rule: AudienceRuleInput;
  ruleVersion: number;
  dependsOn: string[];
}

/**
 * Materializes dynamic audiences: evaluates a rule over every contact (a full refresh) or over some (the incremental
 * sync), and writes the difference to audience_members, counting who entered and who left. Callers hold the
 * organization's audience lock (lockAudiences), so refreshes of one organization never interleave.
 */
@Injectable()
export class AudienceMembership {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly attributes: AttributesService,
  ) {}

  /** Serializes the organization's refreshes and syncs until the transaction ends. */
  async lockAudiences(tx: Tx): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('crm_audiences:' || crm_current_org()::text, 0))`);
  }

  /**
   * What rules compile against, for a transaction that will evaluate them. It also gives the transaction the memory
   * a rule's sets need: under `or` and `not` each set (tagged, consenting, buying...) is a hashed subplan, which
   * PostgreSQL builds only when it fits in work_mem; at the default 4 MB, a set of 300,000 contacts is probed row by
   * row instead (minutes, measured at 1M contacts).
   */
  async ruleContext(tx: Tx, now: Date, identifiersAllowed: boolean, selfId?: string): Promise<RuleContext> {
    await tx.query(`SELECT set_config('work_mem', '${RULE_WORK_MEM}', true)`);
    const audiences = await tx.query<{ id: string; dependsOn: string[] }>(
      `SELECT id, depends_on::text[] AS "dependsOn" FROM audiences`,
    );
    return {
      now,
      vocabularies: await this.interactions.vocabularies(tx),
      definitions: await this.attributes.definitions(tx),
      audiences: new Map(audiences.map((a) => [a.id, a])),
      selfId,
      identifiersAllowed,
    };
  }

  /**
   * Re-evaluates one dynamic audience: over every contact, or over `scope` only. A full refresh records a point in the
   * size history always, an incremental one only when members changed.
   */
  async refresh(
    tx: Tx,
    audience: DynamicAudience,
    context: RuleContext,
    reason: RefreshReason,
    scope?: readonly string[],
  ): Promise<RefreshResult> {
    const params = new SqlParams();
    const scopeParam = scope ? params.add(scope, 'uuid[]') : undefined;
    const rule = compileRule(audience.rule, { ...context, selfId: audience.id }, params, scopeParam);
    // who matches, by a plain SELECT: PostgreSQL runs it on several cores, which it never does for a statement that writes
    const matching = await tx.query<{ id: string }>(
      `SELECT c.id FROM contacts c WHERE ${rule.sql}${scopeParam ? ` AND c.id = ANY(${scopeParam})` : ''}`,
      params.values,
    );
    const [{ entered, left }] = await tx.query<{ entered: number; left: number }>(
      `WITH target AS (SELECT unnest($2::uuid[]) AS id),
            gone AS (DELETE FROM audience_members m WHERE m.audience_id = $1 AND ($3::uuid[] IS NULL OR m.contact_id = ANY($3::uuid[]))
                        AND NOT EXISTS (SELECT 1 FROM target t WHERE t.id = m.contact_id) RETURNING 1),
            came AS (INSERT INTO audience_members (org_id, audience_id, contact_id)
                     SELECT (SELECT crm_current_org()), $1, t.id FROM target t
                      WHERE NOT EXISTS (SELECT 1 FROM audience_members m WHERE m.audience_id = $1 AND m.contact_id = t.id)
                     ORDER BY t.id
                     ON CONFLICT DO NOTHING RETURNING 1)
       SELECT (SELECT count(*) FROM came)::int AS entered, (SELECT count(*) FROM gone)::int AS left`,
      [audience.id, matching.map((row) => row.id), scope ?? null],
    );
    // counting a large audience takes a while: a sync that changed nothing does not
    const size = !scope || entered + left > 0 ? await this.size(tx, audience.id) : null;
    if (!scope) {
      await tx.execute(
        `UPDATE audiences SET refreshed_at = now(), materialized_version = greatest(materialized_version, $2),
                              depends_on = $3::uuid[], time_relative = $4 WHERE id = $1`,
        [audience.id, audience.ruleVersion, rule.dependsOn, rule.timeRelative],
      );
    }
    if (size !== null) await this.record(tx, audience.id, reason, { entered, left, size });
    return { entered, left, size };
  }

  /** Full refreshes of `ids` and then of every dynamic audience that depends on them, dependencies first. */
  async refreshWithDependents(
    tx: Tx,
    ids: readonly string[],
    context: RuleContext,
    reason: RefreshReason,
  ): Promise<Map<string, RefreshResult>> {
    const all = await this.dynamicAudiences(tx);
    const wanted = new Set(ids);
    // the dependents of what is refreshed, at any depth (dynamicAudiences lists dependencies first)
    for (const audience of all) if (audience.dependsOn.some((id) => wanted.has(id))) wanted.add(audience.id);
    const results = new Map<string, RefreshResult>();
    for (const audience of all.filter((a) => wanted.has(a.id))) {
      results.set(
        audience.id,
        await this.refresh(tx, audience, context, ids.includes(audience.id) ? reason : RefreshReason.DEPENDENCY),
      );
    }
    return results;
  }

  /** Every dynamic audience, each after the audiences its rule names. */
  async dynamicAudiences(tx: Tx): Promise<DynamicAudience[]> {
    const rows = await tx.query<DynamicAudience>(
      `SELECT id, rule, rule_version AS "ruleVersion", depends_on::text[] AS "dependsOn" FROM audiences WHERE kind = 'DYNAMIC' ORDER BY id`,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    const ordered: DynamicAudience[] = [];
    const placed = new Set<string>();
    const place = (audience: DynamicAudience, path: Set<string>) => {
      if (placed.has(audience.id) || path.has(audience.id)) return;
      path.add(audience.id);
      for (const id of audience.dependsOn) {
        const dependency = byId.get(id);
        if (dependency) place(dependency, path);
      }
      placed.add(audience.id);
      ordered.push(audience);
    };
    for (const row of rows) place(row, new Set());
    return ordered;
  }

  async size(tx: Tx, audienceId: string): Promise<number> {
    const [{ size }] = await tx.query<{ size: number }>(
      'SELECT count(*)::int AS size FROM audience_members WHERE audience_id = $1',
      [audienceId],
    );
    return size;
  }

  async record(
    tx: Tx,
    audienceId: string,
    reason: RefreshReason,
    result: RefreshResult & { size: number },
  ): Promise<void> {
    await tx.execute(
      `INSERT INTO audience_refreshes (org_id, audience_id, reason, size, entered, left_count) VALUES (crm_current_org(), $1, $2, $3, $4, $5)`,
      [audienceId, reason, result.size, result.entered, result.left],
    );
  }
}

/**
 * Members of audiences as other contexts read them (a campaign's recipients): rows (contact_id, audience_id) of the
 * audiences in `ids`, an SQL uuid[] expression, as last materialized.
 */
export function audienceMembersSql(ids: string): string {
  return `SELECT m.contact_id, m.audience_id FROM audience_members m WHERE m.audience_id = ANY(${ids})`;
}
