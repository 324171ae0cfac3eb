import { isDeepStrictEqual } from 'node:util';
import { AppError } from '@app/common';
import { CONTACT_FIELD_COLUMNS, type ContactFieldValues } from '@app/contacts';

/**
 * What survives a merge, as pure functions: the survivor's values (field by field) and the fields an undo gives back.
 * The withdrawals a merge carries (so that it never turns a refusal into consent) are the consent context's:
 * withdrawalsToCarry in @app/contacts.
 */

/** A contact row as a merge snapshots it: PostgreSQL's to_jsonb of the row, without the generated columns. */
export interface ContactSnapshot {
  id: string;
  updated_at: string;
  attributes: Record<string, unknown>;
  entered: Record<string, unknown>;
  [column: string]: unknown;
}

/** What a merge writes on the survivor (and an undo writes back): the field columns, attributes and entered values. */
export type SurvivorValues = Record<string, unknown> & {
  attributes: Record<string, unknown>;
  entered: Record<string, unknown>;
};

/** Take this field's value from this contact; `field` is a contact field (`email`, `firstName`) or `attributes.<key>`. */
export interface FieldChoice {
  field: string;
  contactId: string;
}

export interface Survivorship {
  values: SurvivorValues;
  /** The contact each value came from, by field (`email`, `attributes.season_pass`). */
  sources: Record<string, string>;
}

type ContactField = keyof ContactFieldValues;
const FIELDS = Object.entries(CONTACT_FIELD_COLUMNS) as [ContactField, string][];
const ATTRIBUTE = 'attributes.';

export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * The survivor's values: for each field, the choice when one is given, else the most recently updated contact's
 * non-empty value (a tie goes to the survivor, then to the order given). Custom attributes follow the same rule key by
 * key; the entered value of a field comes from the contact its value came from.
 * Throws BAD_USER_INPUT naming `fieldChoices.<i>.field` or `.contactId` for an unknown field or a contact not merged.
 */
export function chooseSurvivorValues(
  contacts: readonly ContactSnapshot[],
  survivorId: string,
  choices: readonly FieldChoice[] = [],
): Survivorship {
  const survivor = contacts.find((c) => c.id === survivorId);
  if (!survivor) throw new Error(`The survivor ${survivorId} is not among the contacts`);
  // Array.prototype.sort is stable: equal times keep the survivor first, then the order given
  const byRecency = [survivor, ...contacts.filter((c) => c !== survivor)].sort(
    (a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at),
  );
  const attributeKeys = new Set(contacts.flatMap((c) => Object.keys(c.attributes)));
  const chosen = checkChoices(choices, contacts, attributeKeys);
  const sourceOf = (field: string, value: (c: ContactSnapshot) => unknown): ContactSnapshot =>
    contacts.find((c) => c.id === chosen.get(field)) ?? byRecency.find((c) => !isEmpty(value(c))) ?? survivor;

  const values: SurvivorValues = { attributes: {}, entered: {} };
  const sources: Record<string, string> = {};
  for (const [field, column] of FIELDS) {
    const source = sourceOf(field, (c) => c[column]);
    values[column] = source[column] ?? null;
    if (source.entered[field] !== undefined) values.entered[field] = source.entered[field];
    sources[field] = source.id;
  }
  for (const key of [...attributeKeys].sort()) {
    const source = sourceOf(ATTRIBUTE + key, (c) => c.attributes[key]);
    if (!isEmpty(source.attributes[key])) values.attributes[key] = source.attributes[key];
    sources[ATTRIBUTE + key] = source.id;
  }
  return { values, sources };
}

function checkChoices(
  choices: readonly FieldChoice[],
  contacts: readonly ContactSnapshot[],
  attributeKeys: ReadonlySet<string>,
): Map<string, string> {
  const chosen = new Map<string, string>();
  for (const [i, { field, contactId }] of choices.entries()) {
    const path = `fieldChoices.${i}`;
    const known =
      field in CONTACT_FIELD_COLUMNS ||
      (field.startsWith(ATTRIBUTE) && attributeKeys.has(field.slice(ATTRIBUTE.length)));
    if (!known)
      throw AppError.badInput(
        `${path}.field`,
        `${path}.field: ${field} is not a contact field nor an attribute of these contacts`,
      );
    if (chosen.has(field)) throw AppError.badInput(`${path}.field`, `${path}.field: ${field} is chosen twice`);
    const id = contactId.toLowerCase();
    if (!contacts.some((c) => c.id === id))
      throw AppError.badInput(`${path}.contactId`, `${path}.contactId: ${contactId} is not one of the contacts merged`);
    chosen.set(field, id);
  }
  return chosen;
}

/**
 * The survivor's values after undoing its merge: each field (with its entered value) and each attribute goes back to
 * `before`, unless its `current` value differs from what the merge wrote (`result`): an edit made since stays.
 */
export function survivorAfterUndo(
  before: ContactSnapshot,
  result: ContactSnapshot,
  current: ContactSnapshot,
): SurvivorValues {
  const values: SurvivorValues = { attributes: {}, entered: {} };
  for (const [field, column] of FIELDS) {
    const from = isDeepStrictEqual(current[column], result[column]) ? before : current;
    values[column] = from[column] ?? null;
    if (from.entered[field] !== undefined) values.entered[field] = from.entered[field];
  }
  const keys = new Set([before, result, current].flatMap((c) => Object.keys(c.attributes)));
  for (const key of keys) {
    const from = isDeepStrictEqual(current.attributes[key], result.attributes[key]) ? before : current;
    if (from.attributes[key] !== undefined) values.attributes[key] = from.attributes[key];
  }
  return values;
}
