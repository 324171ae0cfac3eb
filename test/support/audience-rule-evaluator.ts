import {
  type AudienceRuleInput,
  Comparison,
  type ConsentConditionInput,
  ContactField,
  EngagementScore,
  type FieldConditionInput,
  type InteractionConditionInput,
  InteractionMeasure,
  type ScoreConditionInput,
  type TagConditionInput,
} from '@app/audiences';
import {
  AttributeType,
  addMonthsUtc,
  type AttributeDefinitionModel,
  type AttributeFilterInput,
  currentConsent,
  type ConsentRecordLike,
  foldText,
} from '@app/contacts';
import {
  ACCOUNT_CURRENCY,
  frequencyScore,
  type InteractionFilterInput,
  monetaryScore,
  PASSIVE_TYPES,
  recencyScore,
  TRANSACTION_TYPES,
  type Vocabularies,
} from '@app/engagement';

/**
 * An in-memory reference for audience rules: the meaning of each node written out over plain data, independently of
 * the SQL compiler (libs/audiences/src/rules/rule-compiler.ts), so a property test can compare the two. It assumes
 * the rule is valid (the compiler's checks are tested separately) and does not evaluate anything in SQL.
 */

export interface EvalContact {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  postalCode: string | null;
  region: string | null;
  country: string | null;
  preferredLanguage: string | null;
  /** YYYY-MM-DD */
  birthDate: string | null;
  createdAt: Date;
  updatedAt: Date;
  attributes: Record<string, string | number | boolean>;
}

export interface EvalConsent extends ConsentRecordLike {
  contactId: string;
}

export interface EvalInteraction {
  contactId: string;
  type: string;
  occurredAt: Date;
  offeringId: string | null;
  offeringName: string | null;
  discipline: string | null;
  venue: string | null;
  campaign: string | null;
  channel: string | null;
  amountCents: number | null;
  currency: string | null;
}

export interface EvalData {
  contacts: EvalContact[];
  /** Tag names by contact id (as stored: one row per tag). */
  tags: ReadonlyMap<string, readonly string[]>;
  consents: EvalConsent[];
  interactions: EvalInteraction[];
  /** Contact ids by audience id. */
  members: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface EvalContext {
  now: Date;
  vocabularies: Vocabularies;
  definitions: ReadonlyMap<string, AttributeDefinitionModel>;
}

const DAY_MS = 86_400_000;

/** The ids of the contacts the rule selects. */
export function evaluateRule(rule: AudienceRuleInput, data: EvalData, context: EvalContext): Set<string> {
  const evaluator = new Evaluator(data, context);
  return new Set(data.contacts.filter((contact) => evaluator.matches(rule, contact)).map((contact) => contact.id));
}

class Evaluator {
  private readonly interactionsOf = new Map<string, EvalInteraction[]>();
  private readonly consentsOf = new Map<string, EvalConsent[]>();

  constructor(
    private readonly data: EvalData,
    private readonly context: EvalContext,
  ) {
    for (const interaction of data.interactions) push(this.interactionsOf, interaction.contactId, interaction);
    for (const consent of data.consents) push(this.consentsOf, consent.contactId, consent);
  }

  matches(rule: AudienceRuleInput, contact: EvalContact): boolean {
    if (rule.and) return rule.and.every((part) => this.matches(part, contact));
    if (rule.or) return rule.or.some((part) => this.matches(part, contact));
    if (rule.not) return !this.matches(rule.not, contact);
    if (rule.field) return this.field(rule.field, contact);
    if (rule.tags) return this.tags(rule.tags, contact);
    if (rule.consent) return this.consent(rule.consent, contact);
    if (rule.attribute) return this.attribute(rule.attribute, contact);
    if (rule.interactions) return this.interactions(rule.interactions, contact);
    if (rule.score) return this.score(rule.score, contact);
    if (rule.inAudience) return this.data.members.get(rule.inAudience)?.has(contact.id) ?? false;
    throw new Error(`Not a rule: ${JSON.stringify(rule)}`);
  }

  /** Text: folded (lowercase, no accents) and compared with the folded, trimmed value; a missing value matches nothing but isEmpty. */
  private field(condition: FieldConditionInput, contact: EvalContact): boolean {
    const spec = FIELD_VALUES[condition.field];
    const raw = spec.read(contact);
    if (condition.isEmpty !== null && condition.isEmpty !== undefined) {
      const empty = raw === null || (typeof raw === 'string' && raw.trim() === '');
      return condition.isEmpty ? empty : !empty;
    }
    if (raw === null) return false;
    if (spec.type === 'text') {
      const value = foldText(raw as string);
      const wanted = (text: string) => foldText(text.trim());
      if (isGiven(condition.equals)) return value === wanted(condition.equals);
      if (isGiven(condition.in)) return condition.in.some((text) => value === wanted(text));
      if (isGiven(condition.prefix)) return value.startsWith(wanted(condition.prefix));
      if (isGiven(condition.contains)) return value.includes(wanted(condition.contains));
      throw new Error('A text condition without a comparison');
    }
    const now = this.context.now.getTime();
    const daysAgo = (days: number) => new Date(now - days * DAY_MS);
    // a calendar date compares with the (UTC) calendar day of each bound; a time compares with the instant
    const atOrAfter = (bound: Date) =>
      spec.type === 'date' ? (raw as string) >= utcDay(bound) : (raw as Date).getTime() >= bound.getTime();
    const before = (bound: Date) =>
      spec.type === 'date' ? (raw as string) < utcDay(bound) : (raw as Date).getTime() < bound.getTime();
    const checks: boolean[] = [];
    if (isGiven(condition.from)) checks.push(atOrAfter(condition.from));
    if (isGiven(condition.to)) checks.push(before(condition.to));
    if (isGiven(condition.withinLastDays)) checks.push(atOrAfter(daysAgo(condition.withinLastDays)));
    if (isGiven(condition.moreThanDaysAgo)) checks.push(before(daysAgo(condition.moreThanDaysAgo)));
    if (checks.length === 0) throw new Error('A date condition without a comparison');
    return checks.every(Boolean);
  }

  /** Tag names compare case-insensitively. */
  private tags(condition: TagConditionInput, contact: EvalContact): boolean {
    const own = new Set((this.data.tags.get(contact.id) ?? []).map((name) => name.toLowerCase()));
    const has = (name: string) => own.has(name.trim().toLowerCase());
    if (condition.any) return condition.any.some(has);
    if (condition.all) return condition.all.every(has);
    if (condition.none) return !condition.none.some(has);
    throw new Error('A tag condition without any, all or none');
  }

  private consent(condition: ConsentConditionInput, contact: EvalContact): boolean {
    const { state } = currentConsent(this.consentsOf.get(contact.id) ?? [], condition.purpose, this.context.now);
    return condition.states.includes(state);
  }

  /** By the definition's type; every comparison given must hold. A contact without the attribute matches only exists: false. */
  private attribute(condition: AttributeFilterInput, contact: EvalContact): boolean {
    const definition = this.context.definitions.get(condition.key);
    if (!definition) throw new Error(`No attribute ${condition.key}`);
    const present = Object.hasOwn(contact.attributes, condition.key);
    const stored = contact.attributes[condition.key];
    const checks: boolean[] = [];
    if (isGiven(condition.exists)) checks.push(present === condition.exists);
    const same = (wanted: string): boolean => {
      if (!present) return false;
      switch (definition.type) {
        case AttributeType.NUMBER:
          return Number(stored) === Number(wanted.replace(',', '.'));
        case AttributeType.BOOLEAN:
          return stored === /^(true|yes|oui|1)$/i.test(wanted.trim());
        case AttributeType.TEXT:
        case AttributeType.CHOICE:
        case AttributeType.DATE:
          return String(stored) === wanted;
      }
    };
    const order = (bound: string): number | null => {
      if (!present) return null;
      if (definition.type === AttributeType.NUMBER) return Math.sign(Number(stored) - Number(bound.replace(',', '.')));
      if (definition.type === AttributeType.DATE) return String(stored) < bound ? -1 : String(stored) > bound ? 1 : 0;
      throw new Error(`gte/lte on a ${definition.type} attribute`);
    };
    if (isGiven(condition.equals)) checks.push(same(condition.equals));
    if (condition.in?.length) checks.push(condition.in.some(same));
    if (isGiven(condition.gte)) checks.push((order(condition.gte) ?? -1) >= 0);
    if (isGiven(condition.lte)) checks.push((order(condition.lte) ?? 1) <= 0);
    if (checks.length === 0) throw new Error('An attribute condition without a comparison');
    return checks.every(Boolean);
  }

  /** The measure over the contact's interactions that match the filter and the window (0 when none does). */
  private interactions(condition: InteractionConditionInput, contact: EvalContact): boolean {
    const since = isGiven(condition.withinLastDays)
      ? this.context.now.getTime() - condition.withinLastDays * DAY_MS
      : null;
    const matching = (this.interactionsOf.get(contact.id) ?? []).filter(
      (i) => this.passes(condition.filter, i) && (since === null || i.occurredAt.getTime() >= since),
    );
    let measured: number;
    switch (condition.measure) {
      case InteractionMeasure.COUNT:
        measured = matching.length;
        break;
      case InteractionMeasure.DISTINCT_OFFERINGS:
        measured = new Set(matching.map(offeringOf).filter((offering) => offering !== null)).size;
        break;
      case InteractionMeasure.AMOUNT_CENTS:
        measured = cadCents(matching);
        break;
    }
    return compare(measured, condition.comparison, condition.value);
  }

  private passes(filter: InteractionFilterInput | null | undefined, interaction: EvalInteraction): boolean {
    if (!filter) return true;
    const time = interaction.occurredAt.getTime();
    if (filter.from && time < filter.from.getTime()) return false;
    if (filter.to && time >= filter.to.getTime()) return false;
    const oneOf = (wanted: readonly string[] | null | undefined, value: string | null) =>
      !wanted?.length || (value !== null && wanted.includes(value));
    const keys = (texts: readonly string[] | null | undefined, kind: 'types' | 'disciplines') =>
      texts?.map((text) => this.context.vocabularies[kind].keyOf(text) ?? `?${text}`);
    return (
      oneOf(keys(filter.types, 'types'), interaction.type) &&
      oneOf(keys(filter.disciplines, 'disciplines'), interaction.discipline) &&
      oneOf(filter.offerings, offeringOf(interaction)) &&
      oneOf(filter.venues, interaction.venue) &&
      oneOf(filter.campaigns, interaction.campaign) &&
      oneOf(filter.channels, interaction.channel)
    );
  }

  /** The scores of Contact.engagement: recency over active interactions, frequency and monetary over 12 calendar months. */
  private score(condition: ScoreConditionInput, contact: EvalContact): boolean {
    const own = this.interactionsOf.get(contact.id) ?? [];
    const now = this.context.now.getTime();
    const yearAgo = addMonthsUtc(this.context.now, -12).getTime();
    const lastYear = own.filter((i) => i.occurredAt.getTime() >= yearAgo);
    let score: number;
    switch (condition.score) {
      case EngagementScore.RECENCY: {
        const active = own.filter((i) => !PASSIVE_TYPES.includes(i.type));
        const last = active.length ? Math.max(...active.map((i) => i.occurredAt.getTime())) : null;
        score = recencyScore(last === null ? null : Math.floor((now - last) / DAY_MS));
        break;
      }
      case EngagementScore.FREQUENCY:
        score = frequencyScore(lastYear.filter((i) => TRANSACTION_TYPES.includes(i.type)).length);
        break;
      case EngagementScore.MONETARY:
        score = monetaryScore(cadCents(lastYear));
        break;
    }
    return compare(score, condition.comparison, condition.value);
  }
}

type FieldValue = string | Date | null;

const text = (read: (c: EvalContact) => string | null) => ({ type: 'text' as const, read });
const FIELD_VALUES: Record<ContactField, { type: 'text' | 'date' | 'time'; read: (c: EvalContact) => FieldValue }> = {
  [ContactField.FIRST_NAME]: text((c) => c.firstName),
  [ContactField.LAST_NAME]: text((c) => c.lastName),
  [ContactField.EMAIL]: text((c) => c.email),
  [ContactField.PHONE]: text((c) => c.phone),
  // both lines, the missing ones left out
  [ContactField.ADDRESS]: text((c) => [c.addressLine1, c.addressLine2].filter((line) => line !== null).join(' ')),
  [ContactField.CITY]: text((c) => c.city),
  [ContactField.POSTAL_CODE]: text((c) => c.postalCode),
  [ContactField.REGION]: text((c) => c.region),
  [ContactField.COUNTRY]: text((c) => c.country),
  [ContactField.PREFERRED_LANGUAGE]: text((c) => c.preferredLanguage),
  [ContactField.BIRTH_DATE]: { type: 'date', read: (c) => c.birthDate },
  [ContactField.CREATED_AT]: { type: 'time', read: (c) => c.createdAt },
  [ContactField.UPDATED_AT]: { type: 'time', read: (c) => c.updatedAt },
};

function compare(measured: number, comparison: Comparison, value: number): boolean {
  switch (comparison) {
    case Comparison.AT_LEAST:
      return measured >= value;
    case Comparison.MORE_THAN:
      return measured > value;
    case Comparison.AT_MOST:
      return measured <= value;
    case Comparison.LESS_THAN:
      return measured < value;
    case Comparison.EXACTLY:
      return measured === value;
    default:
      throw new Error(`Unknown comparison ${String(comparison)}`);
  }
}

/** Offerings are grouped by id, else by name; neither is no offering. */
function offeringOf(interaction: EvalInteraction): string | null {
  return interaction.offeringId ?? interaction.offeringName;
}

function cadCents(interactions: readonly EvalInteraction[]): number {
  return interactions.reduce(
    (sum, i) => sum + (i.currency === ACCOUNT_CURRENCY && i.amountCents !== null ? i.amountCents : 0),
    0,
  );
}

function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

function isGiven<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
