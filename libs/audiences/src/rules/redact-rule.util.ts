import { IDENTIFIER_FIELDS } from './rule-compiler.js';

/** What a text value of a condition on an identifier field reads as, for the ANALYST role. */
export const REDACTED = '[redacted]';

/**
 * A saved rule (as given, AudienceRuleInput's shape) as the ANALYST role may read it: every value of a condition on
 * EMAIL, PHONE, ADDRESS or BIRTH_DATE is hidden, the text ones as "[redacted]" (one per value of `in`), the others
 * (dates, day counts) as null; the field and `isEmpty` stay, so the rule still says what it selects by.
 */
export function redactIdentifierValues(rule: unknown): unknown {
  if (!isObject(rule)) return rule;
  const shown: Record<string, unknown> = { ...rule };
  for (const group of ['and', 'or'] as const) {
    if (Array.isArray(rule[group])) shown[group] = rule[group].map(redactIdentifierValues);
  }
  if (isObject(rule.not)) shown.not = redactIdentifierValues(rule.not);
  if (isObject(rule.field) && IDENTIFIER_FIELDS.has(String(rule.field.field)))
    shown.field = redactCondition(rule.field);
  return shown;
}

function redactCondition(condition: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(condition)) {
    if (key === 'field' || key === 'isEmpty' || value === null || value === undefined) shown[key] = value;
    else if (Array.isArray(value)) shown[key] = value.map((item) => (typeof item === 'string' ? REDACTED : null));
    else
      shown[key] =
        typeof value === 'string' && (key === 'equals' || key === 'prefix' || key === 'contains') ? REDACTED : null;
  }
  return shown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
