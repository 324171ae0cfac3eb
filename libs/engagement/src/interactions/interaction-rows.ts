import { isUuid } from '@app/common';
import { externalIdKey, normalizeEmail, trimToNull } from '@app/contacts';
import type { Vocabulary } from './engagement-terms.js';
import type { InteractionInput } from './interaction.models.js';

const MAX_TEXT = 500;
const MAX_ATTRIBUTES_JSON = 8_000;
/** Later than this is a mistake (a show date typed as the purchase date...), not something that happened. */
const MAX_FUTURE_MS = 24 * 3600_000;
const EARLIEST = Date.UTC(1900, 0, 1);

/** An interaction ready to insert, but for its contact, which is still a reference. */
export interface InteractionRow {
  type: string;
  occurredAt: Date;
  offeringId: string | null;
  offeringName: string | null;
  discipline: string | null;
  venue: string | null;
  amountCents: number | null;
  currency: string | null;
  quantity: number | null;
  channel: string | null;
  campaign: string | null;
  source: string | null;
  externalId: string | null;
  attributes: Record<string, unknown>;
}

/** How an item names its contact, in the order they are tried. */
export interface ContactReference {
  id: string | null;
  externalId: { source: string; externalId: string } | null;
  email: string | null;
}

export type CheckedInteraction =
  { ok: true; row: InteractionRow; contact: ContactReference } | { ok: false; field: string; reason: string };

export interface Vocabularies {
  types: Vocabulary;
  disciplines: Vocabulary;
}

/** Checks and normalizes one input item; `path` names it in errors (`input.3`). Pure: the contact is resolved later. */
export function checkInteraction(
  input: InteractionInput,
  path: string,
  vocabularies: Vocabularies,
  now = Date.now(),
): CheckedInteraction {
  const bad = (field: string, reason: string): CheckedInteraction => ({ ok: false, field: `${path}.${field}`, reason });

  const contact = checkContactReference(input.contact);
  if (typeof contact === 'string') return bad('contact', contact);

  const type = vocabularies.types.keyOf(input.type ?? '');
  // reasons name the field, never its value: an import reports them in errors that other roles read
  if (!type) return bad('type', 'not an interaction type (built in or defined with defineInteractionTerm)');

  const occurredAt = input.occurredAt instanceof Date ? input.occurredAt : new Date(Number.NaN);
  if (Number.isNaN(occurredAt.getTime())) return bad('occurredAt', 'occurredAt is not a date-time');
  if (occurredAt.getTime() > now + MAX_FUTURE_MS)
    return bad('occurredAt', 'occurredAt is more than a day in the future');
  if (occurredAt.getTime() < EARLIEST) return bad('occurredAt', 'occurredAt is before 1900');

  let discipline: string | null = null;
  const disciplineText = trimToNull(input.discipline);
  if (disciplineText) {
    discipline = vocabularies.disciplines.keyOf(disciplineText);
    if (!discipline) return bad('discipline', 'not a discipline (built in or defined with defineInteractionTerm)');
  }

  const amountCents = input.amountCents ?? null;
  if (amountCents !== null && (!Number.isSafeInteger(amountCents) || amountCents < 0))
    return bad('amountCents', 'amountCents must be a whole number of cents, 0 or more');
  let currency = trimToNull(input.currency)?.toUpperCase() ?? null;
  if (currency !== null && amountCents === null) return bad('currency', 'currency needs amountCents');
  if (currency !== null && !/^[A-Z]{3}$/.test(currency))
    return bad('currency', 'currency must be an ISO 4217 code such as CAD');
  if (amountCents !== null) currency ??= 'CAD';

  const quantity = input.quantity ?? null;
  if (quantity !== null && (!Number.isSafeInteger(quantity) || quantity < 0))
    return bad('quantity', 'quantity must be a whole number, 0 or more');

  const texts: Record<string, string | null> = {};
  for (const [name, value] of [
    ['offering.id', input.offering?.id],
    ['offering.name', input.offering?.name],
    ['venue', input.venue],
    ['channel', input.channel],
    ['campaign', input.campaign],
    ['source', input.source],
    ['externalId', input.externalId],
  ] as const) {
    const text = trimToNull(value);
    if (text !== null && text.length > MAX_TEXT) return bad(name, `${name} is longer than ${MAX_TEXT} characters`);
    texts[name] = text;
  }
  if (texts.externalId !== null && texts.source === null) return bad('source', 'an externalId needs its source');

  const attributes = input.attributes ?? {};
  if (JSON.stringify(attributes).length > MAX_ATTRIBUTES_JSON)
    return bad('attributes', `attributes are larger than ${MAX_ATTRIBUTES_JSON} characters of JSON`);

  return {
    ok: true,
    contact,
    row: {
      type,
      occurredAt,
      offeringId: texts['offering.id'],
      offeringName: texts['offering.name'],
      discipline,
      venue: texts.venue,
      amountCents,
      currency,
      quantity,
      channel: texts.channel,
      campaign: texts.campaign,
      source: texts.source,
      externalId: texts.externalId,
      attributes,
    },
  };
}

/** The reference, or why it names nobody. */
function checkContactReference(input: InteractionInput['contact'] | null | undefined): ContactReference | string {
  if (!input) return 'contact is required';
  const id = trimToNull(input.id);
  if (id !== null && !isUuid(id)) return 'contact.id is not a contact id';
  const source = trimToNull(input.externalId?.source);
  const externalId = trimToNull(input.externalId?.externalId);
  if ((source === null) !== (externalId === null)) return 'contact.externalId needs both source and externalId';
  let email: string | null = null;
  if (trimToNull(input.email)) {
    const normalized = normalizeEmail(input.email);
    if (!normalized.ok) return `contact.email: ${normalized.reason}`;
    email = normalized.value;
  }
  if (id === null && source === null && email === null) return 'contact needs an id, an externalId or an email';
  return {
    id: id?.toLowerCase() ?? null,
    externalId: source !== null ? { source, externalId: externalId! } : null,
    email,
  };
}

/** The contact a reference names among those found: by id, else external id, else email. */
export function resolveContact(
  reference: ContactReference,
  found: { ids: ReadonlySet<string>; byExternalId: ReadonlyMap<string, string>; byEmail: ReadonlyMap<string, string> },
): string | null {
  if (reference.id && found.ids.has(reference.id)) return reference.id;
  const byExternalId =
    reference.externalId &&
    found.byExternalId.get(externalIdKey(reference.externalId.source, reference.externalId.externalId));
  if (byExternalId) return byExternalId;
  return (reference.email && found.byEmail.get(reference.email)) || null;
}
