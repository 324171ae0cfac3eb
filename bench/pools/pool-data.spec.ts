import { describe, expect, it } from '@jest/globals';
import { ConsentStatus, LegalBasis, normalizeEmail, normalizePhone } from '@app/contacts';
import {
  assignAttendance,
  contactRow,
  organizationsOf,
  overlapStats,
  partnerSharing,
  personAt,
  poolContactId,
  storedIdentifiers,
  VENUES,
  VENUES_PER_PERSON,
} from './pool-data.js';
import { parseAutoExplain } from '../support/tenant.js';
import { executionMs } from '../support/timings.js';

const ORGS = 6;
const CONTACTS = 5_000;
const DAY_MS = 86_400_000;

describe('assignAttendance', () => {
  const attendance = assignAttendance(ORGS, CONTACTS);

  it('gives every organization exactly its contacts, each a distinct person', () => {
    expect(attendance.members).toHaveLength(ORGS);
    for (const members of attendance.members) {
      expect(members).toHaveLength(CONTACTS);
      expect(new Set(members).size).toBe(CONTACTS);
      expect(members.every((p) => p >= 0 && p < attendance.people)).toBe(true);
    }
  });

  it('agrees with each person’s organizations: one to five, distinct, home venue first', () => {
    const seats = new Map<string, number>();
    attendance.members.forEach((members, o) => members.forEach((p) => seats.set(`${o}:${p}`, 1)));
    let slots = 0;
    for (let p = 0; p < attendance.people; p++) {
      const orgs = organizationsOf(attendance, p);
      expect(orgs.length).toBeGreaterThanOrEqual(1);
      expect(orgs.length).toBeLessThanOrEqual(5);
      expect(new Set(orgs).size).toBe(orgs.length);
      for (const o of orgs) expect(seats.has(`${o}:${p}`)).toBe(true);
      slots += orgs.length;
    }
    expect(slots).toBe(ORGS * CONTACTS);
  });

  it('is heavy-tailed: one venue mostly, each further count rarer', () => {
    const { venuesPerPerson, alsoElsewhere } = overlapStats(attendance, CONTACTS);
    const counts = VENUES_PER_PERSON.map(([k]) => venuesPerPerson[k] ?? 0);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThan(counts[i - 1]);
    expect(counts[0] / attendance.people).toBeGreaterThan(0.75);
    // about a third of each organization's contacts attend another venue
    expect(alsoElsewhere.mean).toBeGreaterThan(0.3);
    expect(alsoElsewhere.mean).toBeLessThan(0.45);
    expect(alsoElsewhere.min).toBeGreaterThan(0.2);
  });

  it('shares more public between venues of one city than between distant ones', () => {
    // VENUES 0 and 2 are in Montréal, 1 in Québec
    const pair = (a: number, b: number) => {
      const inB = new Set(attendance.members[b]);
      return attendance.members[a].filter((p) => inB.has(p)).length;
    };
    expect(pair(0, 2)).toBeGreaterThan(2 * pair(0, 1));
  });

  it('is the same for the same seed', () => {
    const again = assignAttendance(ORGS, CONTACTS);
    expect(again.people).toBe(attendance.people);
    expect(again.members[3]).toEqual(attendance.members[3]);
  });
});

describe('people and their contacts', () => {
  const people = Array.from({ length: 3_000 }, (_, p) => personAt(p, VENUES[p % 3]));

  it('gives each person a unique email and phone, as the contacts library stores them', () => {
    const emails = people.flatMap((person) => (person.email ? [person.email] : []));
    const phones = people.flatMap((person) => (person.phoneDigits ? [person.phoneDigits] : []));
    expect(new Set(emails).size).toBe(emails.length);
    expect(new Set(phones).size).toBe(phones.length);
    expect(emails.length / people.length).toBeGreaterThan(0.9);
    expect(phones.length / people.length).toBeGreaterThan(0.7);
    for (const email of emails) expect(normalizeEmail(email)).toEqual({ ok: true, value: email });
    for (const digits of phones) expect(normalizePhone(digits)).toEqual({ ok: true, value: `+1${digits}` });
  });

  it('stores the same person with the same normalized email and phone in every organization that has them', () => {
    let typedDifferently = 0;
    people.forEach((person, p) => {
      for (const org of [0, 1, 2]) {
        const row = contactRow(person, p, org);
        const stored = storedIdentifiers(person, p, org);
        expect({ email: row.email, phone: row.phone }).toEqual(stored);
        if (row.email !== null) expect(row.email).toBe(person.email);
        if (row.phone !== null) expect(row.phone).toBe(`+1${person.phoneDigits}`);
        if (row.entered.email || row.entered.phone) typedDifferently++;
        expect(row.first_name).toBe(person.firstName);
        expect(row.city).toBe(person.place.city);
        expect(row.region).not.toBeNull();
      }
    });
    // the box offices typed them their way: the stored values are normalized, what was typed is kept
    expect(typedDifferently).toBeGreaterThan(1_000);
  });

  it('keeps phones only where the organization records them, and some contacts with one of the two only', () => {
    const rows = people.map((person, p) => [contactRow(person, p, 0), contactRow(person, p, 2)]);
    expect(VENUES[2].phones).toBe(false);
    expect(rows.every(([, museum]) => museum.phone === null)).toBe(true);
    const theatre = rows.map(([row]) => row);
    const share = (keep: (row: (typeof theatre)[number]) => boolean) => theatre.filter(keep).length / theatre.length;
    expect(share((r) => r.email !== null && r.phone !== null)).toBeGreaterThan(0.5);
    expect(share((r) => r.email !== null && r.phone === null)).toBeGreaterThan(0.1);
    expect(share((r) => r.email === null && r.phone !== null)).toBeGreaterThan(0.03);
    expect(share((r) => r.email === null && r.phone === null)).toBeLessThan(0.05);
  });

  it('records PARTNER_SHARING as people answer it: about a fifth granted, some withdrawn, most never asked', () => {
    const startMs = Date.UTC(2023, 10, 25);
    const endMs = Date.UTC(2026, 10, 25);
    const records = people.flatMap((person, p) =>
      [0, 1, 2].map((org) => partnerSharing(person, p, org, startMs, endMs)),
    );
    const last = records.map((r) => r.at(-1)?.status);
    const granted = last.filter((s) => s === ConsentStatus.GRANTED).length / last.length;
    const withdrawn = last.filter((s) => s === ConsentStatus.WITHDRAWN).length / last.length;
    expect(granted).toBeGreaterThan(0.18);
    expect(granted).toBeLessThan(0.27);
    expect(withdrawn).toBeGreaterThan(0.04);
    expect(withdrawn).toBeLessThan(0.09);
    for (const list of records) {
      for (const record of list) {
        expect(record.occurredAt.getTime()).toBeGreaterThanOrEqual(startMs);
        expect(record.occurredAt.getTime()).toBeLessThan(endMs);
        expect(record.occurredAt.getTime() % 60_000).toBe(0);
        if (record.status === ConsentStatus.GRANTED) expect(record.legalBasis).toBe(LegalBasis.EXPRESS);
      }
      if (list.length === 2) expect(list[1].occurredAt.getTime()).toBeGreaterThan(list[0].occurredAt.getTime());
    }
    // the same person tends to answer the same way everywhere
    const open = people.flatMap((person, p) => (person.sharing === 'OPEN' ? [p] : []));
    const grantedByOpen = open.filter((p) => partnerSharing(people[p], p, 0, startMs, endMs).length > 0).length;
    expect(grantedByOpen / open.length).toBeGreaterThan(0.6);
    expect(endMs - startMs).toBeGreaterThan(DAY_MS);
  });

  it('is the same for the same seed', () => {
    expect(personAt(42, VENUES[0])).toEqual(people[42]);
    expect(contactRow(people[7], 7, 1)).toEqual(contactRow(personAt(7, VENUES[1]), 7, 1));
  });
});

describe('overlapStats', () => {
  it('counts fewer matchable contacts than contacts of people attending elsewhere (one may lack what the other has)', () => {
    const { alsoElsewhere, matchable, people } = overlapStats(assignAttendance(3, 2_000), 2_000);
    expect(people).toBeGreaterThan(2_000);
    expect(matchable.mean).toBeGreaterThan(0.5 * alsoElsewhere.mean);
    expect(matchable.mean).toBeLessThan(alsoElsewhere.mean);
  });
});

describe('poolContactId', () => {
  it('gives distinct ids over the organizations', () => {
    const ids = new Set<string>();
    for (let o = 0; o < 3; o++) for (let i = 0; i < 1_000; i++) ids.add(poolContactId(1_764_000_000_000, o, i, 1_000));
    expect(ids.size).toBe(3_000);
  });
});

describe('parseAutoExplain', () => {
  const secret = 'a961820ae3fcba760e40e62ca6e6af88c8c9d23722517458a706604e1b01c2a6';
  const message = [
    'duration: 108.512 ms  plan:',
    'Query Text: WITH wanted AS (',
    '        SELECT DISTINCT c.id FROM contacts c',
    '      ) SELECT count(*) FROM wanted',
    'Aggregate  (cost=1782.61..1782.62 rows=1 width=8) (actual time=106.4..106.5 rows=1.00 loops=1)',
    `  ->  Seq Scan on contacts c  (cost=0.00..9.00 rows=300 width=16) (actual time=0.01..0.2 rows=300.00 loops=1)`,
    `        Filter: (hmac(email, '\\x${secret}'::bytea, 'sha256'::text) IS NOT NULL)`,
  ].join('\n');

  it('reads the duration, the query text on one line, and the plan with its execution time', () => {
    const parsed = parseAutoExplain(message);
    expect(parsed.ms).toBe(108.512);
    expect(parsed.query).toBe('WITH wanted AS ( SELECT DISTINCT c.id FROM contacts c ) SELECT count(*) FROM wanted');
    expect(parsed.plan[0]).toMatch(/^Aggregate/);
    expect(parsed.plan).toHaveLength(4);
    expect(executionMs(parsed.plan)).toBe(108.512);
  });

  it('never keeps a long bytea constant (a pool secret bound into a plan)', () => {
    const parsed = parseAutoExplain(message);
    expect(JSON.stringify(parsed)).not.toContain(secret.slice(0, 16));
    expect(parsed.plan[2]).toContain("'\\x…'::bytea");
  });
});
