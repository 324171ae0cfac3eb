import { AppError, INPUT_LIMITS } from '@app/common';
import {
  addMonthsUtc,
  type AttributeDefinitionModel,
  attributeConditionSql,
  consentConditionSql,
  ConsentPurpose,
  type ConsentState,
  foldSql,
  foldText,
} from '@app/contacts';
import type { SqlParams } from '@app/database';
import {
  ACCOUNT_CURRENCY,
  INTERACTION_COLUMNS,
  interactionFilterSql,
  PASSIVE_TYPES,
  RFM_THRESHOLDS,
  TRANSACTION_TYPES,
  type Vocabularies,
} from '@app/engagement';
import {
  type AudienceRuleInput,
  Comparison,
  ContactField,
  type FieldConditionInput,
  EngagementScore,
  type InteractionConditionInput,
  InteractionMeasure,
  RULE_KINDS,
  type ScoreConditionInput,
  type TagConditionInput,
} from './audience-rule.input.js';

/**
 * What one rule may hold: it becomes one statement, so these bound its size and the time it can cost. Lists in
 * conditions take what the same list takes in a filter (INPUT_LIMITS); a field's `in` (postal codes, cities) takes `values`.
 */
export const RULE_LIMITS = { depth: 12, nodes: 200, conditions: 100, values: 1_000, days: 36_500 };
const DAY_MS = 86_400_000;

/** What a rule is compiled against: the organization's terms, attributes and audiences, and the clock. */
export interface RuleContext {
  /** "Now" for relative windows, scores and consent expiry: a parameter, so a rule's result is reproducible. */
  now: Date;
  vocabularies: Vocabularies;
  definitions: ReadonlyMap<string, AttributeDefinitionModel>;
  /** The organization's audiences by id, with the audiences each one's rule names. */
  audiences: ReadonlyMap<string, { dependsOn: readonly string[] }>;
  /** The audience whose rule this is, if saved: naming itself, directly or not, is a cycle. */
  selfId?: string;
  /** False for the ANALYST role: no conditions on identifiers. */
  identifiersAllowed: boolean;
}

export interface CompiledRule {
  /** A boolean SQL expression over contacts `c`; never NULL. */
  sql: string;
  /** The audiences it names, directly. */
  dependsOn: string[];
  /** Whether its result changes with time alone (relative windows, scores, consent expiry). */
  timeRelative: boolean;
}

/**
 * Checks a rule and compiles it to one SQL condition on contacts `c`; every value from the rule goes through `params`.
 * `scope`, when given, is an SQL uuid[] expression: the subqueries then read only those contacts' rows (an
 * incremental refresh re-evaluates the contacts that changed, and nothing else). Every leaf is true or false, never
 * NULL, so `not` means "does not match", also for contacts without a value.
 */
export function compileRule(
  rule: AudienceRuleInput,
  context: RuleContext,
  params: SqlParams,
  scope?: string,
  path = 'rule',
): CompiledRule {
  const compiler = new RuleCompiler(context, params, scope);
  const sql = compiler.node(rule, path, 1);
  return { sql, dependsOn: [...compiler.dependsOn], timeRelative: compiler.timeRelative };
}

class RuleCompiler {
  readonly dependsOn = new Set<string>();
  timeRelative = false;
  private nodes = 0;
  private conditions = 0;

  constructor(
    private readonly context: RuleContext,
    private readonly params: SqlParams,
    private readonly scope: string | undefined,
  ) {}

  node(rule: AudienceRuleInput | null | undefined, path: string, depth: number): string {
    if (!rule || typeof rule !== 'object') throw AppError.badInput(path, `${path} must be a rule`);
    if (depth > RULE_LIMITS.depth) throw AppError.badInput(path, `Rules nest at most ${RULE_LIMITS.depth} levels deep`);
    if (++this.nodes > RULE_LIMITS.nodes)
      throw AppError.badInput(path, `A rule has at most ${RULE_LIMITS.nodes} parts (groups and conditions)`);
    const given = RULE_KINDS.filter((kind) => rule[kind] !== null && rule[kind] !== undefined);
    if (given.length !== 1) {
      throw AppError.badInput(
        path,
        `${path} must set exactly one of ${RULE_KINDS.join(', ')}${given.length ? ` (it sets ${given.join(', ')})` : ''}`,
      );
    }
    const kind = given[0];
    const at = `${path}.${kind}`;
    if (kind === 'and' || kind === 'or') {
      const parts = rule[kind]!;
      if (parts.length === 0) throw AppError.badInput(at, `${at} needs at least one rule`);
      return `(${parts.map((part, i) => this.node(part, `${at}.${i}`, depth + 1)).join(kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    if (kind === 'not') return `NOT ${this.node(rule.not, at, depth + 1)}`;
    if (++this.conditions > RULE_LIMITS.conditions)
      throw AppError.badInput(at, `A rule has at most ${RULE_LIMITS.conditions} conditions`);
    const leaf = this.leaf(rule, kind, at);
    // a field or attribute may be NULL; a membership test (c.id [NOT] IN a set of non-null ids) never is, and left bare
    // it can become a semi-join instead of a subplan probed row by row
    return kind === 'field' || kind === 'attribute' ? `coalesce(${leaf}, false)` : leaf;
  }

  private leaf(
    rule: AudienceRuleInput,
    kind: Exclude<(typeof RULE_KINDS)[number], 'and' | 'or' | 'not'>,
    at: string,
  ): string {
    switch (kind) {
      case 'field':
        return this.field(rule.field!, at);
      case 'tags':
        return this.tags(rule.tags!, at);
      case 'consent':
        return this.consent(rule.consent!.purpose, rule.consent!.states, at);
      case 'attribute': {
        const condition = rule.attribute!;
        const definition = this.context.definitions.get(condition.key);
        if (!definition) throw AppError.badInput(`${at}.key`, `No attribute "${condition.key}" is defined`);
        const given = (['equals', 'in', 'gte', 'lte', 'exists'] as const).filter(
          (name) => condition[name] !== null && condition[name] !== undefined,
        );
        if (given.length === 0) throw AppError.badInput(at, `${at} needs a comparison: equals, in, gte, lte or exists`);
        for (const name of ['equals', 'gte', 'lte'] as const) {
          const value = condition[name];
          if (typeof value === 'string' && value.length > INPUT_LIMITS.valueLength) {
            throw AppError.badInput(
              `${at}.${name}`,
              `${at}.${name} has at most ${INPUT_LIMITS.valueLength} characters`,
            );
          }
        }
        if (condition.in) this.bounded(condition.in, `${at}.in`, INPUT_LIMITS.values);
        return `(${attributeConditionSql(condition, definition, this.params, at).join(' AND ')})`;
      }
      case 'interactions':
        return this.interactions(rule.interactions!, at);
      case 'score':
        return this.score(rule.score!, at);
      case 'inAudience':
        return this.inAudience(rule.inAudience!, at);
    }
  }

  private field(condition: FieldConditionInput, at: string): string {
    const spec = FIELDS[condition.field];
    if (!spec) throw AppError.badInput(`${at}.field`, `Unknown field ${String(condition.field)}`);
    if (spec.identifier && !this.context.identifiersAllowed) {
      throw AppError.badInput(`${at}.field`, `The ANALYST role may not select contacts by ${condition.field}`);
    }
    const has = (name: keyof FieldConditionInput) => condition[name] !== null && condition[name] !== undefined;
    const textOps = (['equals', 'in', 'prefix', 'contains'] as const).filter(has);
    const dateOps = (['from', 'to', 'withinLastDays', 'moreThanDaysAgo'] as const).filter(has);
    const empty = `(nullif(btrim(${spec.raw}::text), '') IS NULL)`;
    if (has('isEmpty')) {
      if (textOps.length || dateOps.length) throw AppError.badInput(`${at}.isEmpty`, 'isEmpty goes alone');
      return condition.isEmpty ? empty : `NOT ${empty}`;
    }
    if (spec.type === 'text') {
      if (dateOps.length)
        throw AppError.badInput(
          `${at}.${dateOps[0]}`,
          `${dateOps[0]} applies to date fields; ${condition.field} is text`,
        );
      if (textOps.length !== 1)
        throw AppError.badInput(at, `${at} needs exactly one of equals, in, prefix, contains, isEmpty`);
      const column = foldSql(spec.raw);
      switch (textOps[0]) {
        case 'equals':
          return `${column} = ${this.params.add(this.text(condition.equals!, `${at}.equals`))}`;
        case 'in':
          return `${column} = ANY(${this.params.add(
            this.values(condition.in!, `${at}.in`).map((v, i) => this.text(v, `${at}.in.${i}`)),
            'text[]',
          )})`;
        case 'prefix':
          return `starts_with(${column}, ${this.params.add(this.text(condition.prefix!, `${at}.prefix`))})`;
        case 'contains':
          return `strpos(${column}, ${this.params.add(this.text(condition.contains!, `${at}.contains`))}) > 0`;
      }
    }
    if (textOps.length)
      throw AppError.badInput(
        `${at}.${textOps[0]}`,
        `${textOps[0]} applies to text fields; ${condition.field} is a date`,
      );
    if (dateOps.length === 0)
      throw AppError.badInput(at, `${at} needs isEmpty, or from, to, withinLastDays or moreThanDaysAgo`);
    const bound = (time: Date) =>
      spec.type === 'date'
        ? this.params.add(time.toISOString().slice(0, 10), 'date')
        : this.params.add(time, 'timestamptz');
    const parts: string[] = [];
    if (has('from')) parts.push(`${spec.raw} >= ${bound(this.date(condition.from, `${at}.from`))}`);
    if (has('to')) parts.push(`${spec.raw} < ${bound(this.date(condition.to, `${at}.to`))}`);
    if (has('withinLastDays'))
      parts.push(`${spec.raw} >= ${bound(this.daysAgo(condition.withinLastDays!, `${at}.withinLastDays`))}`);
    if (has('moreThanDaysAgo'))
      parts.push(`${spec.raw} < ${bound(this.daysAgo(condition.moreThanDaysAgo!, `${at}.moreThanDaysAgo`))}`);
    return `(${parts.join(' AND ')})`;
  }

  private tags(condition: TagConditionInput, at: string): string {
    const given = (['any', 'all', 'none'] as const).filter(
      (name) => condition[name] !== null && condition[name] !== undefined,
    );
    if (given.length !== 1) throw AppError.badInput(at, `${at} needs exactly one of any, all, none`);
    const names = this.values(condition[given[0]]!, `${at}.${given[0]}`, INPUT_LIMITS.values);
    names.forEach((name, i) => {
      if (typeof name !== 'string' || !name.trim())
        throw AppError.badInput(`${at}.${given[0]}.${i}`, 'A tag name must not be blank');
      if (name.length > INPUT_LIMITS.tagLength)
        throw AppError.badInput(
          `${at}.${given[0]}.${i}`,
          `A tag name has at most ${INPUT_LIMITS.tagLength} characters`,
        );
    });
    const distinct = new Set(names.map((name) => name.trim().toLowerCase()));
    const tagged = `SELECT ct.contact_id FROM contact_tags ct JOIN tags t ON t.org_id = ct.org_id AND t.id = ct.tag_id
                     WHERE t.name = ANY(${this.params.add([...distinct], 'citext[]')})${this.scoped('ct.contact_id')}`;
    if (given[0] === 'all')
      return `c.id IN (${tagged} GROUP BY ct.contact_id HAVING count(*) = ${this.params.add(distinct.size, 'int')})`;
    return `${given[0] === 'none' ? 'NOT ' : ''}c.id IN (${tagged})`;
  }

  /** The state as contacts defines it (consentConditionSql), at the rule's "now", within the scope. */
  private consent(purpose: ConsentPurpose, states: readonly ConsentState[], at: string): string {
    if (!Object.values(ConsentPurpose).includes(purpose))
      throw AppError.badInput(`${at}.purpose`, `Unknown purpose ${String(purpose)}`);
    if (!Array.isArray(states) || states.length === 0)
      throw AppError.badInput(`${at}.states`, `${at}.states needs at least one state`);
    this.bounded(states, `${at}.states`, INPUT_LIMITS.enumValues);
    return consentConditionSql({ purpose, states, now: () => this.now(), scope: this.scope }, this.params);
  }

  private interactions(condition: InteractionConditionInput, at: string): string {
    const measure = condition.measure ?? InteractionMeasure.COUNT;
    const aggregates: Record<InteractionMeasure, () => string> = {
      [InteractionMeasure.COUNT]: () => 'count(*)',
      [InteractionMeasure.DISTINCT_OFFERINGS]: () => `count(DISTINCT ${INTERACTION_COLUMNS.offering})`,
      [InteractionMeasure.AMOUNT_CENTS]: () => this.amountSum(),
    };
    if (!aggregates[measure]) throw AppError.badInput(`${at}.measure`, `Unknown measure ${String(measure)}`);
    const aggregate = aggregates[measure]();
    if (condition.filter?.from) this.date(condition.filter.from, `${at}.filter.from`);
    if (condition.filter?.to) this.date(condition.filter.to, `${at}.filter.to`);
    // what class-validator checks in an InteractionFilterInput argument, checked here for a rule's (and a saved rule's)
    for (const name of ['types', 'disciplines', 'offerings', 'venues', 'campaigns', 'channels'] as const) {
      const list = condition.filter?.[name];
      if (list !== null && list !== undefined) this.bounded(list, `${at}.filter.${name}`, INPUT_LIMITS.values);
    }
    const where = interactionFilterSql(
      condition.filter,
      this.params,
      this.context.vocabularies,
      INTERACTION_COLUMNS,
      `${at}.filter`,
    );
    if (condition.withinLastDays !== null && condition.withinLastDays !== undefined) {
      where.push(
        `i.occurred_at >= ${this.params.add(this.daysAgo(condition.withinLastDays, `${at}.withinLastDays`), 'timestamptz')}`,
      );
    }
    return this.aggregateCondition(
      where,
      aggregate,
      condition.comparison,
      this.number(condition.value, `${at}.value`),
      at,
    );
  }

  /** A score compiles to the aggregate it is computed from, with the fixed thresholds of contact-engagement.ts. */
  private score(condition: ScoreConditionInput, at: string): string {
    const value = this.number(condition.value, `${at}.value`);
    this.timeRelative = true;
    // added only by the scores that read it: an unused parameter has no type PostgreSQL can determine
    const yearAgo = () => this.params.add(addMonthsUtc(this.context.now, -12), 'timestamptz');
    const ladder = (measure: string, thresholds: readonly number[]) =>
      `CASE ${thresholds.map((threshold, i) => `WHEN ${measure} >= ${this.params.add(threshold, 'float8')} THEN ${5 - i}`).join(' ')} ELSE 0 END`;
    switch (condition.score) {
      case EngagementScore.RECENCY: {
        // whole days since the last active interaction ≤ d  ⇔  that interaction is after now − (d + 1) days
        const after = RFM_THRESHOLDS.recencyDays.map((days) =>
          this.params.add(new Date(this.context.now.getTime() - (days + 1) * DAY_MS), 'timestamptz'),
        );
        const score = `CASE ${after.map((bound, i) => `WHEN max(i.occurred_at) > ${bound} THEN ${5 - i}`).join(' ')} ELSE 1 END`;
        return this.aggregateCondition(
          [`NOT (i.type = ANY(${this.params.add(PASSIVE_TYPES, 'text[]')}))`],
          score,
          condition.comparison,
          value,
          at,
        );
      }
      case EngagementScore.FREQUENCY:
        return this.aggregateCondition(
          [`i.type = ANY(${this.params.add(TRANSACTION_TYPES, 'text[]')})`, `i.occurred_at >= ${yearAgo()}`],
          ladder('count(*)', RFM_THRESHOLDS.frequency),
          condition.comparison,
          value,
          at,
        );
      case EngagementScore.MONETARY:
        return this.aggregateCondition(
          [`i.occurred_at >= ${yearAgo()}`],
          ladder(this.amountSum(), RFM_THRESHOLDS.monetaryCents),
          condition.comparison,
          value,
          at,
        );
      default:
        throw AppError.badInput(`${at}.score`, `Unknown score ${String(condition.score)}`);
    }
  }

  /**
   * "The aggregate over the contact's matching interactions compares with value". Contacts with no matching
   * interaction have 0 (every measure and score is 0 then): when 0 passes the comparison, the condition is "not among
   * those whose aggregate fails it", so they are included without reading them.
   */
  private aggregateCondition(
    where: string[],
    aggregate: string,
    comparison: Comparison,
    value: number,
    at: string,
  ): string {
    const op = OPERATORS[comparison];
    if (!op) throw AppError.badInput(`${at}.comparison`, `Unknown comparison ${String(comparison)}`);
    const test = `${aggregate} ${op.sql} ${this.params.add(value, 'float8')}`;
    const zeroPasses = op.holds(0, value);
    const conditions = where.length ? where.join(' AND ') : 'true';
    if (this.scope) {
      // a few contacts' interactions, read contact by contact through interactions_contact_idx: as one scan filtered by
      // the list, the planner may prefer a range of another index (a year of a type: 400,000 entries for 150 rows)
      const matching = `SELECT s.id FROM unnest(${this.scope}) AS s(id) CROSS JOIN LATERAL (
                          SELECT count(*) > 0 AS found, ${test} AS passes FROM interactions i
                           WHERE i.contact_id = s.id AND ${conditions}) a
                         WHERE a.found AND ${zeroPasses ? 'NOT ' : ''}a.passes`;
      return `c.id ${zeroPasses ? 'NOT IN' : 'IN'} (${matching})`;
    }
    const matching = `SELECT i.contact_id FROM interactions i WHERE ${conditions} GROUP BY i.contact_id`;
    return zeroPasses ? `c.id NOT IN (${matching} HAVING NOT (${test}))` : `c.id IN (${matching} HAVING ${test})`;
  }

  /** CAD only, as every amount (contact-engagement.ts). */
  private amountSum(): string {
    return `coalesce(sum(i.amount_cents) FILTER (WHERE i.currency = ${this.params.add(ACCOUNT_CURRENCY)}), 0)`;
  }

  private inAudience(id: string, at: string): string {
    const audience = this.context.audiences.get(id);
    if (!audience) throw AppError.badInput(at, `No audience ${id}`);
    if (this.context.selfId && this.reaches(id, this.context.selfId)) {
      throw AppError.badInput(
        at,
        `Audience ${id} ${id === this.context.selfId ? 'is this audience' : 'depends on this audience'}: a rule cannot refer to itself`,
      );
    }
    this.dependsOn.add(id);
    return `c.id IN (SELECT m.contact_id FROM audience_members m WHERE m.audience_id = ${this.params.add(id, 'uuid')}${this.scoped('m.contact_id')})`;
  }

  /** Whether `from` is `target` or names it through its rule, at any depth. */
  private reaches(from: string, target: string, seen = new Set<string>()): boolean {
    if (from === target) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return (this.context.audiences.get(from)?.dependsOn ?? []).some((next) => this.reaches(next, target, seen));
  }

  private scoped(column: string): string {
    return this.scope ? ` AND ${column} = ANY(${this.scope})` : '';
  }

  private now(): string {
    this.timeRelative = true;
    return this.params.add(this.context.now, 'timestamptz');
  }

  private daysAgo(days: number, at: string): Date {
    if (!Number.isInteger(days) || days < 0 || days > RULE_LIMITS.days)
      throw AppError.badInput(at, `${at} must be a whole number of days from 0 to ${RULE_LIMITS.days}`);
    this.timeRelative = true;
    return new Date(this.context.now.getTime() - days * DAY_MS);
  }

  private text(value: string, at: string): string {
    if (typeof value !== 'string' || value.length > 500)
      throw AppError.badInput(at, `${at} must be text of at most 500 characters`);
    return foldText(value.trim());
  }

  private values<T>(values: T[], at: string, max = RULE_LIMITS.values): T[] {
    if (!Array.isArray(values) || values.length === 0) throw AppError.badInput(at, `${at} needs at least one value`);
    if (values.length > max) throw AppError.badInput(at, `${at} takes at most ${max} values`);
    return values;
  }

  /** A list of at most `max` values, its texts of at most INPUT_LIMITS.valueLength characters; empty is allowed. */
  private bounded(values: unknown, at: string, max: number): void {
    if (!Array.isArray(values)) throw AppError.badInput(at, `${at} must be a list`);
    if (values.length > max) throw AppError.badInput(at, `${at} takes at most ${max} values`);
    const long = values.findIndex((value) => typeof value === 'string' && value.length > INPUT_LIMITS.valueLength);
    if (long >= 0)
      throw AppError.badInput(`${at}.${long}`, `${at}.${long} has at most ${INPUT_LIMITS.valueLength} characters`);
  }

  /** A Date from the API, or its ISO text in a saved rule (JSON). */
  private date(value: unknown, at: string): Date {
    const date = typeof value === 'string' ? new Date(value) : value;
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      throw AppError.badInput(at, `${at} must be a date and time`);
    return date;
  }

  private number(value: number, at: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw AppError.badInput(at, `${at} must be a whole number, 0 or more`);
    return value;
  }
}

const OPERATORS: Record<Comparison, { sql: string; holds: (a: number, b: number) => boolean }> = {
  [Comparison.AT_LEAST]: { sql: '>=', holds: (a, b) => a >= b },
  [Comparison.MORE_THAN]: { sql: '>', holds: (a, b) => a > b },
  [Comparison.AT_MOST]: { sql: '<=', holds: (a, b) => a <= b },
  [Comparison.LESS_THAN]: { sql: '<', holds: (a, b) => a < b },
  [Comparison.EXACTLY]: { sql: '=', holds: (a, b) => a === b },
};

/** Whether `a` compares with `b` as the comparison says; the in-memory evaluator of the tests uses it too. */
export function compares(a: number, comparison: Comparison, b: number): boolean {
  return OPERATORS[comparison].holds(a, b);
}

/** How each field reads in SQL; `identifier` fields are hidden from the ANALYST role. */
const FIELDS: Record<ContactField, { raw: string; type: 'text' | 'date' | 'time'; identifier?: boolean }> = {
  [ContactField.FIRST_NAME]: { raw: 'c.first_name', type: 'text' },
  [ContactField.LAST_NAME]: { raw: 'c.last_name', type: 'text' },
  [ContactField.EMAIL]: { raw: 'c.email', type: 'text', identifier: true },
  [ContactField.PHONE]: { raw: 'c.phone', type: 'text', identifier: true },
  [ContactField.ADDRESS]: { raw: "concat_ws(' ', c.address_line1, c.address_line2)", type: 'text', identifier: true },
  [ContactField.CITY]: { raw: 'c.city', type: 'text' },
  [ContactField.POSTAL_CODE]: { raw: 'c.postal_code', type: 'text' },
  [ContactField.REGION]: { raw: 'c.region', type: 'text' },
  [ContactField.COUNTRY]: { raw: 'c.country', type: 'text' },
  [ContactField.PREFERRED_LANGUAGE]: { raw: 'c.preferred_language', type: 'text' },
  [ContactField.BIRTH_DATE]: { raw: 'c.birth_date', type: 'date', identifier: true },
  [ContactField.CREATED_AT]: { raw: 'c.created_at', type: 'time' },
  [ContactField.UPDATED_AT]: { raw: 'c.updated_at', type: 'time' },
};

/** The fields the ANALYST role may not select by, nor read the values of in a saved rule. */
export const IDENTIFIER_FIELDS: ReadonlySet<string> = new Set(
  Object.values(ContactField).filter((field) => FIELDS[field].identifier),
);
