import { AppError } from '@app/common';
import { isCalendarDate } from '../normalization/calendar-date.util.js';
import { AttributeType, type AttributeDefinitionModel } from './attribute-definition.model.js';

/**
 * Checks custom attribute values against their definitions and returns them
 * as stored: null removes a value; unknown keys and wrong types are refused
 * with the field path, e.g. `input.attributes.season_pass`.
 */
export function checkAttributeValues(
  values: Record<string, unknown>,
  definitions: ReadonlyMap<string, AttributeDefinitionModel>,
  path: string,
): { set: Record<string, string | number | boolean>; remove: string[] } {
  const set: Record<string, string | number | boolean> = {};
  const remove: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const field = `${path}.${key}`;
    const definition = definitions.get(key);
    if (!definition) throw AppError.badInput(field, `${field}: no attribute "${key}" is defined`);
    if (value === null || value === undefined || value === '') {
      remove.push(key);
      continue;
    }
    set[key] = checkValue(definition, value, field);
  }
  return { set, remove };
}

/** One value in its stored form, or BAD_USER_INPUT. Strings are accepted for every type (CSV cells). */
export function checkValue(
  definition: AttributeDefinitionModel,
  value: unknown,
  field: string,
): string | number | boolean {
  const refuse = (expected: string): never => {
    throw AppError.badInput(field, `${field} must be ${expected}`);
  };
  switch (definition.type) {
    case AttributeType.TEXT:
      return typeof value === 'string' || typeof value === 'number' ? String(value) : refuse('text');
    case AttributeType.NUMBER: {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value.replace(',', '.'))
            : NaN;
      return Number.isFinite(number) ? number : refuse('a number');
    }
    case AttributeType.DATE:
      return typeof value === 'string' && isCalendarDate(value) ? value : refuse('a date as YYYY-MM-DD');
    case AttributeType.BOOLEAN:
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false|yes|no|oui|non|1|0)$/i.test(value.trim()))
        return /^(true|yes|oui|1)$/i.test(value.trim());
      return refuse('true or false');
    case AttributeType.CHOICE:
      return typeof value === 'string' && definition.choices?.includes(value)
        ? value
        : refuse(`one of: ${(definition.choices ?? []).join(', ')}`);
  }
}
