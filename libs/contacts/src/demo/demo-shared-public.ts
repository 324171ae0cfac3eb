/*
 * The same people in several demo organizations, as in a real region: a theatre-goer also buys a festival pass and
 * is a museum member. Pure and deterministic, like demo-contacts.ts.
 */
import { mix32, mulberry32, Rng } from '@app/fixtures';
import { type DemoContact, type DemoOrganization, generateDemoContacts } from './demo-contacts.js';

/** Who shares a person, over the three demo organizations (by index): pairs mostly, some all three. */
const ATTENDANCE: readonly (readonly [readonly number[], number])[] = [
  [[0, 1], 30],
  [[0, 2], 20],
  [[1, 2], 25],
  [[0, 1, 2], 25],
];

/** The share of each organization's contacts (by index) that are regional culture-goers. */
export const SHARED_PUBLIC_SHARE = 0.3;

const REGIONAL: DemoOrganization = {
  name: 'Public régional',
  ownerEmail: 'owner@public-regional.example',
  ownerName: 'Public régional',
  tags: [],
  externalSource: 'public-regional',
};

/** The organizations (by index among the demo organizations) that hold regional person `index`; empty for most. */
export function sharedPublicAttendance(index: number, seed: number): readonly number[] {
  const rng = new Rng(mulberry32(mix32(seed ^ mix32(index + 1))));
  // every 40th from the 4th is a Hélène Côté of the organization's own (the dedup and search demos count on them)
  if (index % 40 === 3 || !rng.chance(SHARED_PUBLIC_SHARE)) return [];
  return rng.weighted(ATTENDANCE);
}

/**
 * `contacts` of the demo organization at `orgIndex` (as generateDemoContacts made them), where the regional people
 * it holds take their identity: name, email, phone, address, language, birth date. The organization keeps its own
 * tags, consents and ids, and its export's habits: an email may be typed with capitals (the stored email is
 * normalized, so the pools' fingerprints still match).
 */
export function withSharedPublic(orgIndex: number, contacts: readonly DemoContact[], seed: number): DemoContact[] {
  const regional = generateDemoContacts(REGIONAL, contacts.length, seed);
  return contacts.map((contact, index) => {
    if (!sharedPublicAttendance(index, seed).includes(orgIndex)) return contact;
    const person = regional[index];
    const rng = new Rng(mulberry32(mix32(seed ^ mix32(index + 1) ^ mix32(orgIndex + 101))));
    const email =
      person.email && rng.chance(0.2) ? person.email.charAt(0).toUpperCase() + person.email.slice(1) : person.email;
    return {
      ...contact,
      firstName: person.firstName,
      lastName: person.lastName,
      email,
      phone: person.phone,
      addressLine1: person.addressLine1,
      city: person.city,
      postalCode: person.postalCode,
      preferredLanguage: person.preferredLanguage,
      birthDate: person.birthDate,
    };
  });
}
