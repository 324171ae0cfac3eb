import { mayReadIdentifiers } from '@app/tenancy';
import type { ContactModel, EnteredValuesModel } from './contact.model.js';

/** The columns of a contact `c` as ContactModel has them. */
export const CONTACT_COLUMNS = `c.id, c.first_name AS "firstName", c.last_name AS "lastName", c.email, c.phone,
  c.address_line1 AS "addressLine1", c.address_line2 AS "addressLine2", c.city, c.postal_code AS "postalCode",
  c.region, c.country, c.preferred_language AS "preferredLanguage", to_char(c.birth_date, 'YYYY-MM-DD') AS "birthDate",
  c.attributes, c.entered, c.bounced_email IS NOT NULL AND c.bounced_email = c.email AS "emailUndeliverable",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

/** A contact row as read (before masking). */
export type ContactRow = Omit<ContactModel, 'entered'> & { entered: EnteredValuesModel };

/** A row as the caller may see it: ANALYST gets no direct identifiers. */
export function toModel(contact: ContactRow): ContactModel {
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
