import { mayReadIdentifiers } from '@app/tenancy';
import type { ContactModel, EnteredValuesModel } from './contact.model.js';

/** Each field of ContactModel as SQL on a contact `c`. */
const CONTACT_FIELD_SQL: Readonly<Record<string, string>> = {
  id: 'c.id',
  firstName: 'c.first_name',
  lastName: 'c.last_name',
  email: 'c.email',
  phone: 'c.phone',
  addressLine1: 'c.address_line1',
  addressLine2: 'c.address_line2',
  city: 'c.city',
  postalCode: 'c.postal_code',
  region: 'c.region',
  country: 'c.country',
  preferredLanguage: 'c.preferred_language',
  birthDate: "to_char(c.birth_date, 'YYYY-MM-DD')",
  attributes: 'c.attributes',
  entered: 'c.entered',
  emailUndeliverable: 'c.bounced_email IS NOT NULL AND c.bounced_email = c.email',
  createdAt: 'c.created_at',
  updatedAt: 'c.updated_at',
};

/**
 * The columns of a contact `c` for these fields of ContactModel (the others are not read: a page asking for four
 * fields does not parse eighteen). The id always: DataLoaders and cursors key on it.
 */
export function contactColumns(fields: Iterable<string>): string {
  const wanted = new Set(fields).add('id');
  return Object.entries(CONTACT_FIELD_SQL)
    .filter(([field]) => wanted.has(field))
    .map(([field, sql]) => `${sql} AS "${field}"`)
    .join(', ');
}

/** The columns of a contact `c` as ContactModel has them, every field. */
export const CONTACT_COLUMNS = contactColumns(Object.keys(CONTACT_FIELD_SQL));

/** A contact row as read (before masking). */
export type ContactRow = Omit<ContactModel, 'entered'> & { entered: EnteredValuesModel };

/** A row as the caller may see it: ANALYST gets no direct identifiers. */
export function toModel<E extends object>(contact: ContactRow & E): ContactModel & E {
  if (mayReadIdentifiers()) return contact;
  return {
    ...contact,
    email: null,
    phone: null,
    addressLine1: null,
    addressLine2: null,
    birthDate: null,
    entered: null,
  };
}
