import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { ContactLookupService, type ContactModel, ContactsService, ContactSort, SortDirection } from '@app/contacts';
import { PgErrorCode, pgErrorCode, SqlParams, TenantContexts, TenantDb, type Tx } from '@app/database';
import { JobName, type JobRunModel, JobsService } from '@app/jobs';
import { mayReadIdentifiers } from '@app/tenancy';
import {
  AudienceKind,
  type AudienceMembersChangeModel,
  type AudienceMembersTargetInput,
  type AudienceModel,
  type AudienceOverlapModel,
  type AudiencePreviewModel,
  type AudienceSizePointModel,
  type CreateAudienceInput,
  type UpdateAudienceInput,
} from './audience.models.js';
import type { RefreshAudienceParams } from './membership/audience-jobs.js';
import { AudienceMembership, RefreshReason } from './membership/audience-membership.js';
import type { AudienceRuleInput } from './rules/audience-rule.input.js';
import { redactIdentifierValues } from './rules/redact-rule.util.js';
import { compileRule } from './rules/rule-compiler.js';

const PREVIEW_SAMPLE = 20;
const COLUMNS = `a.id, a.name, a.description, a.kind, a.rule, a.time_relative AS "timeRelative", a.depends_on::text[] AS "dependsOn",
  CASE WHEN a.kind = 'DYNAMIC' AND a.materialized_version < a.rule_version THEN 'REFRESHING' ELSE 'CURRENT' END AS status,
  a.refreshed_at AS "refreshedAt", a.created_by AS "createdBy", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

/** Audiences: their definitions, previews, overlaps and static lists. Dynamic members are written by the jobs. */
@Injectable()
export class AudiencesService {
  constructor(
    private readonly db: TenantDb,
    private readonly membership: AudienceMembership,
    private readonly contacts: ContactsService,
    private readonly lookup: ContactLookupService,
    private readonly jobs: JobsService,
  ) {}

  async list(): Promise<AudienceModel[]> {
    const audiences = await this.db.transaction((tx) =>
      tx.query<AudienceModel>(`SELECT ${COLUMNS} FROM audiences a ORDER BY lower(a.name), a.id`),
    );
    return audiences.map(asSeen);
  }

  async get(id: string): Promise<AudienceModel> {
    return this.db.transaction((tx) => this.require(tx, id));
  }

  /** Creates an audience; a dynamic one is materialized by a job (status REFRESHING until it ends). */
  async create(input: CreateAudienceInput): Promise<AudienceModel> {
    const name = nameOf(input.name);
    const rule = this.ruleFor(input.kind, input.rule, 'input.rule');
    const audience = await this.db.transaction(async (tx) => {
      const compiled = rule ? await this.check(tx, rule, 'input.rule') : null;
      const [{ id }] = await this.unique(() =>
        tx.query<{ id: string }>(
          `INSERT INTO audiences (org_id, name, description, kind, rule, depends_on, time_relative, created_by)
           VALUES (crm_current_org(), $1, $2, $3, $4, $5::uuid[], $6, $7) RETURNING id`,
          [
            name,
            input.description ?? null,
            input.kind,
            rule,
            compiled?.dependsOn ?? [],
            compiled?.timeRelative ?? false,
            TenantContexts.current()?.userId ?? null,
          ],
        ),
      );
      return this.require(tx, id);
    });
    if (rule) await this.startRefresh(audience.id, RefreshReason.CREATED);
    return audience;
  }

  async update(id: string, input: UpdateAudienceInput): Promise<AudienceModel> {
    const audience = await this.db.transaction(async (tx) => {
      const current = await this.require(tx, id, true);
      if (input.rule && current.kind !== AudienceKind.DYNAMIC)
        throw AppError.badInput('input.rule', 'A STATIC audience has no rule');
      const sets: string[] = [];
      const params = new SqlParams();
      params.add(id, 'uuid');
      if (input.name !== undefined && input.name !== null) sets.push(`name = ${params.add(nameOf(input.name))}`);
      if (input.description !== undefined) sets.push(`description = ${params.add(input.description)}`);
      if (input.rule) {
        const compiled = await this.check(tx, input.rule, 'input.rule', id);
        sets.push(
          `rule = ${params.add(input.rule)}`,
          `depends_on = ${params.add(compiled.dependsOn, 'uuid[]')}`,
          `time_relative = ${params.add(compiled.timeRelative)}`,
          'rule_version = rule_version + 1',
        );
      }
      if (sets.length)
        await this.unique(() =>
          tx.execute(`UPDATE audiences SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params.values),
        );
      return this.require(tx, id);
    });
    if (input.rule) await this.startRefresh(id, RefreshReason.RULE_CHANGED);
    return audience;
  }

  /** Deletes an audience and its members; refused while another audience's rule names it. */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await this.require(tx, id, true);
      const dependents = await tx.query<{ name: string }>(
        'SELECT name FROM audiences WHERE $1 = ANY(depends_on) ORDER BY name',
        [id],
      );
      if (dependents.length) {
        throw new AppError(
          ErrorCode.CONFLICT,
          `The rules of ${dependents.map((d) => `"${d.name}"`).join(', ')} name this audience`,
          'id',
        );
      }
      return (await tx.execute('DELETE FROM audiences WHERE id = $1', [id])) === 1;
    });
  }

  async refresh(id: string): Promise<JobRunModel> {
    const audience = await this.get(id);
    if (audience.kind !== AudienceKind.DYNAMIC)
      throw AppError.badInput('id', 'A STATIC audience has no rule to refresh');
    return this.startRefresh(id, RefreshReason.MANUAL);
  }

  /** How many contacts a rule selects now, and a few of them; nothing is saved. */
  async preview(rule: AudienceRuleInput): Promise<AudiencePreviewModel> {
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const context = await this.membership.ruleContext(tx, new Date(), mayReadIdentifiers());
      const compiled = compileRule(rule, context, params);
      // one pass: the window counts every match before LIMIT keeps a few
      const rows = await tx.query<{ id: string; count: number }>(
        `SELECT c.id, count(*) OVER ()::int AS count FROM contacts c WHERE ${compiled.sql} LIMIT ${PREVIEW_SAMPLE}`,
        params.values,
      );
      const sample = await this.lookup.getMany(
        tx,
        rows.map((row) => row.id),
      );
      return { count: rows[0]?.count ?? 0, sample: sample.sort(byName) };
    });
  }

  /** Every intersection of 2 to 5 audiences, from one pass over their members. */
  async overlap(ids: string[]): Promise<AudienceOverlapModel> {
    const distinct = [...new Set(ids)];
    if (distinct.length !== ids.length) throw AppError.badInput('ids', 'An audience is given twice');
    return this.db.transaction(async (tx) => {
      const found = await tx.query<{ id: string }>('SELECT id FROM audiences WHERE id = ANY($1::uuid[])', [distinct]);
      if (found.length !== distinct.length) throw AppError.notFound('Audience');
      const masks = await tx.query<{ mask: number; contacts: number }>(
        `SELECT mask, count(*)::int AS contacts FROM (
           SELECT m.contact_id, bit_or(1 << (a.position - 1)::int) AS mask
             FROM audience_members m JOIN unnest($1::uuid[]) WITH ORDINALITY AS a(id, position) ON m.audience_id = a.id
            GROUP BY m.contact_id) s
          GROUP BY mask`,
        [distinct],
      );
      const intersections: AudienceOverlapModel['intersections'] = [];
      // subsets in order of size, then of position: each alone first, then the pairs...
      const subsets = Array.from({ length: (1 << distinct.length) - 1 }, (_, i) => i + 1).sort(
        (a, b) => bitCount(a) - bitCount(b) || a - b,
      );
      for (const subset of subsets) {
        const size = masks.filter((m) => (m.mask & subset) === subset).reduce((sum, m) => sum + m.contacts, 0);
        intersections.push({ audienceIds: distinct.filter((_, i) => subset & (1 << i)), size });
      }
      return { intersections, union: masks.reduce((sum, m) => sum + m.contacts, 0) };
    });
  }

  /** Adds contacts (by ids or filter) to a static audience. */
  async addMembers(id: string, target: AudienceMembersTargetInput): Promise<AudienceMembersChangeModel> {
    return this.changeMembers(id, target, false);
  }

  async removeMembers(id: string, target: AudienceMembersTargetInput): Promise<AudienceMembersChangeModel> {
    return this.changeMembers(id, target, true);
  }

  /** Adds contacts, found by the caller (the CSV import), to a static audience. */
  async addMemberIds(tx: Tx, id: string, contactIds: readonly string[]): Promise<AudienceMembersChangeModel> {
    return this.writeMembers(tx, id, `c.id = ANY($2::uuid[])`, [id, contactIds], false);
  }

  async requireStatic(tx: Tx, id: string): Promise<void> {
    const audience = await this.require(tx, id, true);
    if (audience.kind !== AudienceKind.STATIC)
      throw AppError.badInput('id', 'Members are added to STATIC audiences only; a DYNAMIC one follows its rule');
  }

  async sizeHistory(id: string): Promise<AudienceSizePointModel[]> {
    return this.db.transaction((tx) =>
      tx.query<AudienceSizePointModel>(
        `SELECT at, size, entered, left_count AS left, reason FROM audience_refreshes WHERE audience_id = $1 ORDER BY at, id`,
        [id],
      ),
    );
  }

  /** Sizes of several audiences in one query (the DataLoader of Audience.size). */
  async sizes(ids: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ id: string; size: number }>(
        `SELECT audience_id AS id, count(*)::int AS size FROM audience_members WHERE audience_id = ANY($1::uuid[]) GROUP BY audience_id`,
        [ids],
      ),
    );
    return new Map(rows.map((row) => [row.id, row.size]));
  }

  /** `fields`: the fields of Contact the query selects (ContactsService.list). */
  members(id: string, first: number, after: string | null | undefined, fields?: ReadonlySet<string>) {
    return this.contacts.list(
      { first, after, sort: ContactSort.NAME, direction: SortDirection.ASC, filter: { audiences: [id] } },
      fields,
    );
  }

  private async changeMembers(
    id: string,
    target: AudienceMembersTargetInput,
    remove: boolean,
  ): Promise<AudienceMembersChangeModel> {
    if (!target.ids && !target.filter) throw AppError.badInput('target', 'Give ids or a filter');
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      params.add(id, 'uuid');
      const where = await this.contacts.filterSql(
        tx,
        { ...(target.filter ?? {}), ...(target.ids ? { ids: target.ids } : {}) },
        params,
        'target.filter',
      );
      return this.writeMembers(tx, id, where.length ? where.join(' AND ') : 'true', params.values, remove);
    });
  }

  /** Adds or removes the contacts `c` matching `condition`, whose parameters are `values` ($1 being the audience). */
  private async writeMembers(
    tx: Tx,
    id: string,
    condition: string,
    values: unknown[],
    remove: boolean,
  ): Promise<AudienceMembersChangeModel> {
    await this.requireStatic(tx, id);
    const affected = remove
      ? await tx.execute(
          `DELETE FROM audience_members m USING contacts c WHERE m.audience_id = $1 AND c.id = m.contact_id AND ${condition}`,
          values,
        )
      : await tx.execute(
          `INSERT INTO audience_members (org_id, audience_id, contact_id)
         SELECT (SELECT crm_current_org()), $1, c.id FROM contacts c WHERE ${condition} ORDER BY c.id ON CONFLICT DO NOTHING`,
          values,
        );
    const size = await this.membership.size(tx, id);
    if (affected > 0) {
      await this.membership.record(tx, id, remove ? RefreshReason.MEMBERS_REMOVED : RefreshReason.MEMBERS_ADDED, {
        entered: remove ? 0 : affected,
        left: remove ? affected : 0,
        size,
      });
      await tx.execute('UPDATE audiences SET updated_at = now() WHERE id = $1', [id]);
    }
    return { affected, size };
  }

  private ruleFor(
    kind: AudienceKind,
    rule: AudienceRuleInput | null | undefined,
    path: string,
  ): AudienceRuleInput | null {
    if (kind === AudienceKind.DYNAMIC && !rule) throw AppError.badInput(path, 'A DYNAMIC audience needs a rule');
    if (kind === AudienceKind.STATIC && rule) throw AppError.badInput(path, 'A STATIC audience has no rule');
    return rule ?? null;
  }

  /** Compiles the rule to check it (the saved audience is compiled again at each refresh). */
  private async check(tx: Tx, rule: AudienceRuleInput, path: string, selfId?: string) {
    const context = await this.membership.ruleContext(tx, new Date(), mayReadIdentifiers(), selfId);
    return compileRule(rule, context, new SqlParams(), undefined, path);
  }

  private async startRefresh(audienceId: string, reason: RefreshReason): Promise<JobRunModel> {
    return this.jobs.start<RefreshAudienceParams>(JobName.REFRESH_AUDIENCE, { audienceId, reason });
  }

  private async require(tx: Tx, id: string, lock = false): Promise<AudienceModel> {
    const [audience] = await tx.query<AudienceModel>(
      `SELECT ${COLUMNS} FROM audiences a WHERE a.id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    if (!audience) throw AppError.notFound('Audience');
    return asSeen(audience);
  }

  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (pgErrorCode(error) === PgErrorCode.UNIQUE_VIOLATION)
        throw new AppError(ErrorCode.CONFLICT, 'An audience of this name exists', 'input.name');
      throw error;
    }
  }
}

/** An audience as the caller may read it: for ANALYST, its rule without the values of conditions on identifiers. */
function asSeen(audience: AudienceModel): AudienceModel {
  return audience.rule && !mayReadIdentifiers()
    ? { ...audience, rule: redactIdentifierValues(audience.rule) as Record<string, unknown> }
    : audience;
}

/** A name trimmed; blank is refused here rather than by the table's check (which would answer an internal error). */
function nameOf(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw AppError.badInput('input.name', 'The name must not be blank');
  return trimmed;
}

function bitCount(n: number): number {
  let count = 0;
  for (let v = n; v; v &= v - 1) count++;
  return count;
}

function byName(a: ContactModel, b: ContactModel): number {
  return (
    `${a.lastName ?? ''} ${a.firstName ?? ''}`.localeCompare(`${b.lastName ?? ''} ${b.firstName ?? ''}`) ||
    a.id.localeCompare(b.id)
  );
}
