import { type ContactToMatch, type MatchRecord, toMatchRecord } from '../matching/match-record.js';

/** A contact with these values and every other one missing (tests). */
export function contactWith(values: Partial<ContactToMatch>, id = 'contact'): ContactToMatch {
  return {
    id,
    firstName: null,
    lastName: null,
    email: null,
    phone: null,
    addressLine1: null,
    addressLine2: null,
    city: null,
    postalCode: null,
    birthDate: null,
    ...values,
  };
}

/** Its match record. */
export function recordWith(values: Partial<ContactToMatch>, id = 'contact'): MatchRecord {
  return toMatchRecord(contactWith(values, id));
}
