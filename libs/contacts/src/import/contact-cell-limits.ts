/**
 * The longest value of each contact field an import takes: those of CreateContactInput, so an import stores nothing
 * the API would refuse (and indexed values stay within a btree entry).
 */
export const CONTACT_CELL_MAX_CHARS = {
  externalId: 200,
  firstName: 200,
  lastName: 200,
  email: 320,
  phone: 50,
  addressLine1: 300,
  addressLine2: 300,
  city: 200,
  postalCode: 20,
  region: 100,
  country: 100,
} as const satisfies Record<string, number>;
