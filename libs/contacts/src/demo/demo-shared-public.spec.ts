import { describe, expect, it } from '@jest/globals';
import { normalizeEmail } from '../normalization/normalize-email.util.js';
import { DEMO_ORGANIZATIONS, generateDemoContacts } from './demo-contacts.js';
import { SHARED_PUBLIC_SHARE, sharedPublicAttendance, withSharedPublic } from './demo-shared-public.js';

const COUNT = 2000;
const SEED = 2026;
const lists = DEMO_ORGANIZATIONS.map((org, i) => withSharedPublic(i, generateDemoContacts(org, COUNT, i + 1), SEED));
const stored = (email: string | null) => {
  const result = normalizeEmail(email);
  return result.ok && result.value ? [result.value] : [];
};
const emails = lists.map((list) => new Set(list.flatMap((c) => stored(c.email))));

describe('withSharedPublic', () => {
  it('is deterministic, and keeps each organization its own tags, consents and ids', () => {
    const again = withSharedPublic(1, generateDemoContacts(DEMO_ORGANIZATIONS[1], COUNT, 2), SEED);
    expect(again).toEqual(lists[1]);
    const own = generateDemoContacts(DEMO_ORGANIZATIONS[1], COUNT, 2);
    expect(lists[1].map((c) => [c.tags, c.consents, c.externalIds])).toEqual(
      own.map((c) => [c.tags, c.consents, c.externalIds]),
    );
  });

  it('makes about a third of the indexes regional people, each in two or three organizations', () => {
    const attendance = Array.from({ length: COUNT }, (_, i) => sharedPublicAttendance(i, SEED));
    const shared = attendance.filter((orgs) => orgs.length > 0).length / COUNT;
    expect(shared).toBeGreaterThan(SHARED_PUBLIC_SHARE - 0.05);
    expect(shared).toBeLessThan(SHARED_PUBLIC_SHARE + 0.05);
    expect(attendance.every((orgs) => orgs.length === 0 || orgs.length >= 2)).toBe(true);
  });

  it('gives every pair of organizations hundreds of people in common, matched by their normalized email', () => {
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      const common = [...emails[a]].filter((email) => emails[b].has(email)).length;
      expect(common).toBeGreaterThan(200);
      expect(common).toBeLessThan(600);
    }
  });

  it('keeps the Hélène Côté of each organization its own', () => {
    for (const list of lists)
      expect(list.filter((c, i) => i % 40 === 3).every((c) => c.firstName === 'Hélène' && c.lastName === 'Côté')).toBe(
        true,
      );
  });
});
