import { AppError, INPUT_LIMITS, isUuid } from '@app/common';
import { AttributeType, type AttributeDefinitionModel } from '../attributes/attribute-definition.model.js';
import { checkValue } from '../attributes/attribute-values.util.js';
import { consentConditionSql } from '../consent/consent-state.sql.js';
import type { AttributeFilterInput, ContactFilterInput } from './contact.inputs.js';
import { foldSql, prefixUpperBound, searchTerms } from './search-terms.util.js';
import { type KeysetPage, keysetSql, type SqlParams, whereClause } from '@app/database';

/** Kept here for the callers that read a contact's state (the export); defined with the consent conditions. */
export { consentStateSql } from '../consent/consent-state.sql.js';

export interface FilterOptions {
  /** Attribute definitions by key; needed when the filter names attributes. */
  definitions?: ReadonlyMap<string, AttributeDefinitionModel>;
  /**
   * The ids of the tags that tagsAny and tagsNone name (TagsService.idsByName), read beforehand in the same
   * transaction. They are then written into the statement, where PostgreSQL's statistics see how common each tag is:
   * with the ids known only when it runs, it guessed a common tag rare and scanned the whole organization to sort it
   * (56 ms for a page of 50 by name, against 5 ms walking the name index).
   */
  tagIds?: ReadonlyMap<string, string>;
  /**
   * The page when the contacts are sorted by name (keysetSql's page and direction). A filter that is a search and
   * nothing else then picks that page among the search tokens, which carry their contact's sort name: only the page's
   * contacts are read, not every contact the words match.
   */
  byName?: { page: KeysetPage; descending: boolean };
  /** ANALYST: the search matches names only, never email. */
  namesOnly?: boolean;
  /** Path of the filter argument, for error messages. */
  path?: string;
}

/** SQL conditions on contacts `c` for a filter; every user value goes through `params`. */
export function contactFilterSql(
  filter: ContactFilterInput | null | undefined,
  params: SqlParams,
  options: FilterOptions = {},
): string[] {
  if (!filter) return [];
  const path = options.path ?? 'filter';
  const where: string[] = [];

  const terms = filter.search ? searchTerms(filter.search) : [];
  if (terms.length > INPUT_LIMITS.searchWords)
    throw AppError.badInput(`${path}.search`, `${path}.search has at most ${INPUT_LIMITS.searchWords} words`);
  if (terms.length) {
    // The matching ids are computed first (an init plan) and looked up by primary key, so a
    // sort by name never walks the whole organization to find the few rows that match.
    const matches = terms
      .map(
        (term) =>
          `SELECT DISTINCT contact_id, sort_name FROM contact_search_tokens WHERE token >= ${params.add(term)} AND token < ${params.add(prefixUpperBound(term))}`,
      )
      .join(' INTERSECT ');
    let pick = '';
    if (options.byName && !options.namesOnly && onlySearch(filter)) {
      // the page's own keyset over the tokens' copy of the sort key (the statement's ORDER BY then sorts that page)
      const columns = [
        { column: 'm.sort_name', type: 'text' },
        { column: 'm.contact_id', type: 'uuid' },
      ];
      const after: string[] = [];
      const { page, descending } = options.byName;
      const { orderLimit } = keysetSql({ columns, descending }, page, params, after);
      pick = `${whereClause(after)} ${orderLimit}`;
    }
    where.push(`c.id = ANY(ARRAY(SELECT m.contact_id FROM (${matches}) m ${pick}))`);
    if (options.namesOnly) {
      for (const term of terms) {
        where.push(
          `${foldSql("coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')")} ~ ${params.add(`(^|[^a-z0-9])${term}`)}`,
        );
      }
    }
  }
  if (filter.ids) where.push(`c.id = ANY(${params.add(filter.ids, 'uuid[]')})`);

  // the tags' ids (known, or read once per statement), then one probe of contact_tags' primary key per contact
  const hasTag = (names: string[]) => {
    const known = options.tagIds;
    const ids = known
      ? `'{${[...new Set(names.map((name) => known.get(name)))].filter(isUuid).join(',')}}'::uuid[]`
      : `ARRAY(SELECT t.id FROM tags t WHERE t.name = ANY(${params.add(names, 'citext[]')}))`;
    return `EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.org_id = c.org_id AND ct.contact_id = c.id AND ct.tag_id = ANY(${ids}))`;
  };
  if (filter.tagsAny?.length) where.push(hasTag(filter.tagsAny));
  if (filter.tagsAll?.length) {
    // one grouped subquery for the whole set (one EXISTS per tag took minutes to plan at a few hundred tags): the
    // contacts holding as many of the tags as the list names distinct ones, compared as citext like the names
    const names = params.add(filter.tagsAll, 'citext[]');
    where.push(`c.id IN (SELECT ct.contact_id FROM contact_tags ct JOIN tags t ON t.org_id = ct.org_id AND t.id = ct.tag_id
                          WHERE t.name = ANY(${names}) GROUP BY ct.contact_id
                         HAVING count(DISTINCT ct.tag_id) = (SELECT count(DISTINCT n) FROM unnest(${names}) AS n))`);
  }
  if (filter.tagsNone?.length) where.push(`NOT ${hasTag(filter.tagsNone)}`);

  for (const condition of filter.consent ?? []) {
    where.push(consentConditionSql({ purpose: condition.purpose, states: condition.states }, params));
  }
  if (filter.postalCodePrefix?.trim()) {
    const prefix = filter.postalCodePrefix.trim().toUpperCase().replace(/\s+/g, ' ');
    where.push(`c.postal_code >= ${params.add(prefix)} AND c.postal_code < ${params.add(prefixUpperBound(prefix))}`);
  }
  if (filter.regions?.length) where.push(`c.region = ANY(${params.add(filter.regions, 'text[]')})`);
  if (filter.preferredLanguage) where.push(`c.preferred_language = ${params.add(filter.preferredLanguage)}`);
  if (filter.createdAfter) where.push(`c.created_at >= ${params.add(filter.createdAfter, 'timestamptz')}`);
  if (filter.createdBefore) where.push(`c.created_at < ${params.add(filter.createdBefore, 'timestamptz')}`);
  if (filter.updatedAfter) where.push(`c.updated_at >= ${params.add(filter.updatedAfter, 'timestamptz')}`);
  if (filter.updatedBefore) where.push(`c.updated_at < ${params.add(filter.updatedBefore, 'timestamptz')}`);

  // membership as libs/audiences materializes it: the one table of that context a contact filter reads
  for (const audience of new Set(filter.audiences ?? [])) {
    where.push(
      `c.id IN (SELECT m.contact_id FROM audience_members m WHERE m.audience_id = ${params.add(audience, 'uuid')})`,
    );
  }
  (filter.attributes ?? []).forEach((condition, i) => {
    const definition = options.definitions?.get(condition.key);
    const field = `${path}.attributes.${i}`;
    if (!definition) throw AppError.badInput(`${field}.key`, `No attribute "${condition.key}" is defined`);
    where.push(...attributeConditionSql(condition, definition, params, field));
  });
  return where;
}

/** SQL conditions on contacts `c` for one attribute condition, checked against its definition (errors name `field`). */
export function attributeConditionSql(
  condition: AttributeFilterInput,
  definition: AttributeDefinitionModel,
  params: SqlParams,
  field: string,
): string[] {
  const key = params.add(definition.key);
  const where: string[] = [];
  const cast =
    definition.type === AttributeType.NUMBER ? 'numeric' : definition.type === AttributeType.DATE ? 'date' : '';
  const value = cast ? `(c.attributes->>${key})::${cast}` : `(c.attributes->>${key})`;
  const typed = (raw: string, name: string) =>
    params.add(String(checkValue(definition, raw, `${field}.${name}`)), cast || 'text');

  if (condition.exists !== null && condition.exists !== undefined)
    where.push(`${condition.exists ? '' : 'NOT '}(c.attributes ? ${key})`);
  if (condition.equals !== null && condition.equals !== undefined)
    where.push(`${value} = ${typed(condition.equals, 'equals')}`);
  if (condition.in?.length) {
    where.push(
      `${value} = ANY(${params.add(
        condition.in.map((v) => String(checkValue(definition, v, `${field}.in`))),
        `${cast || 'text'}[]`,
      )})`,
    );
  }
  for (const [name, op] of [
    ['gte', '>='],
    ['lte', '<='],
  ] as const) {
    const bound = condition[name];
    if (bound === null || bound === undefined) continue;
    if (!cast) throw AppError.badInput(`${field}.${name}`, `${name} applies to NUMBER and DATE attributes only`);
    where.push(`${value} ${op} ${typed(bound, name)}`);
  }
  return where;
}

/** Whether the filter's only condition is its search. */
function onlySearch(filter: ContactFilterInput): boolean {
  return Object.entries(filter).every(
    ([key, value]) =>
      key === 'search' || value === null || value === undefined || (Array.isArray(value) && value.length === 0),
  );
}
