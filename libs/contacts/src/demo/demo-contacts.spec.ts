import { describe, expect, it } from '@jest/globals';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { normalizeEmail } from '../normalization/normalize-email.util.js';
import { normalizePhone } from '../normalization/normalize-phone.util.js';
import { normalizePostalCode } from '../normalization/normalize-postal-code.util.js';
import { quebecRegionFromPostalCode } from '../normalization/quebec-region.util.js';
import { DEMO_REFERENCE_DATE } from '@app/fixtures';
import { DEMO_ORGANIZATIONS, generateDemoContacts, type DemoContact } from './demo-contacts.js';

const COUNT = 1000;
const [theatre, festival, museum] = DEMO_ORGANIZATIONS;
const all = DEMO_ORGANIZATIONS.map((org) => generateDemoContacts(org, COUNT, 42));
const contacts = all.flat();
const CANADIAN_POSTAL_CODE = /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$/;
const FRENCH_ACCENTED = /[àâçéèêëîïôûùüÿ]/i;

function share(list: DemoContact[], predicate: (c: DemoContact) => boolean): number {
  return list.filter(predicate).length / list.length;
}

describe('DEMO_ORGANIZATIONS', () => {
  it('has three organizations with distinct owners, sources and tags', () => {
    expect(DEMO_ORGANIZATIONS).toHaveLength(3);
    expect(new Set(DEMO_ORGANIZATIONS.map((o) => o.externalSource)).size).toBe(3);
    for (const org of DEMO_ORGANIZATIONS) {
      expect(org.ownerEmail).toMatch(/^owner@[a-z0-9-]+\.example$/);
      expect(org.tags.length).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('generateDemoContacts', () => {
  it('is deterministic for the same organization, count and seed', () => {
    expect(generateDemoContacts(theatre, 200, 7)).toEqual(generateDemoContacts(theatre, 200, 7));
  });

  it('gives a prefix of the same list for a smaller count', () => {
    expect(generateDemoContacts(festival, 50, 7)).toEqual(generateDemoContacts(festival, 300, 7).slice(0, 50));
  });

  it('differs between seeds and between organizations', () => {
    const names = (list: DemoContact[]) => list.map((c) => `${c.firstName} ${c.lastName} ${c.email}`);
    expect(names(generateDemoContacts(theatre, 50, 1))).not.toEqual(names(generateDemoContacts(theatre, 50, 2)));
    expect(names(generateDemoContacts(theatre, 50, 1))).not.toEqual(names(generateDemoContacts(museum, 50, 1)));
  });

  it('returns the requested count and rejects a bad one', () => {
    expect(generateDemoContacts(museum, 0, 1)).toEqual([]);
    expect(all.map((list) => list.length)).toEqual([COUNT, COUNT, COUNT]);
    expect(() => generateDemoContacts(museum, -1, 1)).toThrow(RangeError);
    expect(() => generateDemoContacts(museum, 2.5, 1)).toThrow(RangeError);
  });

  it('has about 75% French names with accents, plenty of Tremblay and several Hélène Côté', () => {
    expect(share(contacts, (c) => FRENCH_ACCENTED.test(c.firstName + c.lastName))).toBeGreaterThan(0.3);
    for (const list of all) {
      expect(list.filter((c) => c.firstName === 'Hélène' && c.lastName === 'Côté').length).toBeGreaterThanOrEqual(3);
      expect(list.filter((c) => c.lastName === 'Tremblay').length).toBeGreaterThanOrEqual(30);
    }
    expect(generateDemoContacts(theatre, 10, 99).some((c) => c.firstName === 'Hélène' && c.lastName === 'Côté')).toBe(
      true,
    );
    const french = share(contacts, (c) => c.preferredLanguage === 'fr');
    expect(french).toBeGreaterThan(0.65);
    expect(french).toBeLessThan(0.85);
  });

  it('derives lower-case ASCII emails from the name, ~10% missing', () => {
    const missing = share(contacts, (c) => c.email === null);
    expect(missing).toBeGreaterThan(0.06);
    expect(missing).toBeLessThan(0.14);
    for (const c of contacts) {
      if (c.email === null) continue;
      expect(c.email).toMatch(
        /^[a-z0-9._-]+@(videotron\.ca|gmail\.com|hotmail\.com|outlook\.com|sympatico\.ca|example\.org)$/,
      );
      expect(normalizeEmail(c.email)).toEqual({ ok: true, value: c.email });
    }
    const heleneEmails = contacts.filter((c) => c.firstName === 'Hélène' && c.lastName === 'Côté').map((c) => c.email);
    for (const email of heleneEmails) if (email !== null) expect(email).toMatch(/^(helene|h\.?cote|cote)/);
    expect(heleneEmails).toContain('helene.cote@gmail.com');
  });

  it('writes valid Quebec phone numbers in varied formats, ~20% missing', () => {
    const missing = share(contacts, (c) => c.phone === null);
    expect(missing).toBeGreaterThan(0.15);
    expect(missing).toBeLessThan(0.25);
    const phones = contacts.flatMap((c) => (c.phone === null ? [] : [c.phone]));
    for (const phone of phones) {
      const parsed = parsePhoneNumberFromString(phone, 'CA');
      expect({ phone, valid: parsed?.isValid() }).toEqual({ phone, valid: true });
      expect(parsed!.nationalNumber).toMatch(/^(514|438|450|418|581|819|873)[2-9]\d{6}$/);
      expect(normalizePhone(phone).ok).toBe(true);
    }
    expect(phones.some((p) => /^\(\d{3}\) \d{3}-\d{4}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^\d{3}\.\d{3}\.\d{4}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^\+1 \d{3} \d{3} \d{4}$/.test(p))).toBe(true);
  });

  it('gives contacts with SMS consent a fictional 555-01xx number', () => {
    for (const c of contacts.filter((c) => c.consents.some((k) => k.purpose === 'SMS'))) {
      expect(parsePhoneNumberFromString(c.phone!, 'CA')!.nationalNumber).toMatch(/^\d{3}55501\d{2}$/);
    }
  });

  it('uses Canadian postal codes matching the city, sometimes typed loosely', () => {
    for (const c of contacts) {
      const compact = c.postalCode.toUpperCase().replace(/\s/g, '');
      expect(compact).toMatch(CANADIAN_POSTAL_CODE);
      expect(normalizePostalCode(c.postalCode, c.country).ok).toBe(true);
      const expectedFirst =
        c.city === 'Montréal' || c.city === 'Laval'
          ? 'H'
          : ['Québec', 'Lévis', 'Trois-Rivières'].includes(c.city)
            ? 'G'
            : 'J';
      expect({ city: c.city, first: compact[0] }).toEqual({ city: c.city, first: expectedFirst });
      expect(quebecRegionFromPostalCode(c.postalCode)).not.toBeNull();
    }
    expect(contacts.some((c) => c.postalCode !== c.postalCode.toUpperCase())).toBe(true);
    expect(contacts.some((c) => !c.postalCode.includes(' '))).toBe(true);
    expect(share(all[0], (c) => c.city === 'Montréal')).toBeGreaterThan(0.5);
    expect(share(all[1], (c) => c.city === 'Québec')).toBeGreaterThan(0.5);
    expect(share(all[2], (c) => c.city === 'Sherbrooke')).toBeGreaterThan(0.5);
  });

  it('has plausible addresses and birth dates', () => {
    for (const c of contacts) {
      if (c.addressLine1 !== null) expect(c.addressLine1).toMatch(/^(\d+-)?\d+,? \S/);
      if (c.birthDate !== null) {
        expect(c.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(new Date(`${c.birthDate}T00:00:00Z`).toISOString().slice(0, 10)).toBe(c.birthDate);
      }
    }
    const withBirthDate = share(contacts, (c) => c.birthDate !== null);
    expect(withBirthDate).toBeGreaterThan(0.25);
    expect(withBirthDate).toBeLessThan(0.35);
  });

  it('gives each contact one external id, unique within the organization', () => {
    DEMO_ORGANIZATIONS.forEach((org, i) => {
      const ids = all[i].map((c) => {
        expect(c.externalIds).toHaveLength(1);
        expect(c.externalIds[0].source).toBe(org.externalSource);
        return c.externalIds[0].externalId;
      });
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids[0]).toBe('TIX-000001');
    });
  });

  it('tags contacts with 0 to 3 distinct tags of their organization', () => {
    DEMO_ORGANIZATIONS.forEach((org, i) => {
      for (const c of all[i]) {
        expect(c.tags.length).toBeLessThanOrEqual(3);
        expect(new Set(c.tags).size).toBe(c.tags.length);
        for (const tag of c.tags) expect(org.tags).toContain(tag);
      }
    });
  });

  it('records consents at the expected rates, consistent with the database checks', () => {
    const has = (purpose: string) => share(contacts, (c) => c.consents.some((k) => k.purpose === purpose));
    expect(has('EMAIL_MARKETING')).toBeGreaterThan(0.63);
    expect(has('EMAIL_MARKETING')).toBeLessThan(0.77);
    expect(has('PARTNER_SHARING')).toBeGreaterThan(0.2);
    expect(has('PARTNER_SHARING')).toBeLessThan(0.3);
    expect(has('SMS')).toBeGreaterThan(0.07);
    expect(has('SMS')).toBeLessThan(0.13);

    const records = contacts.flatMap((c) => c.consents);
    const oldest = DEMO_REFERENCE_DATE.getTime() - 3 * 366 * 24 * 3600 * 1000;
    for (const r of records) {
      expect(r.occurredAt.getTime()).toBeLessThan(DEMO_REFERENCE_DATE.getTime());
      expect(r.occurredAt.getTime()).toBeGreaterThan(oldest);
      expect(r.source.length).toBeGreaterThan(0);
      if (r.status === 'GRANTED') {
        expect(r.legalBasis).not.toBeNull();
        expect(r.legalBasis === 'IMPLIED').toBe(r.impliedReason !== null);
      } else {
        expect([r.legalBasis, r.impliedReason]).toEqual([null, null]);
      }
    }
    for (const reason of ['PURCHASE', 'DONATION', 'MEMBERSHIP', 'INQUIRY']) {
      expect(records.some((r) => r.impliedReason === reason)).toBe(true);
    }
    expect(records.some((r) => r.legalBasis === 'EXPRESS' && r.purpose === 'EMAIL_MARKETING')).toBe(true);
    expect(
      records
        .filter((r) => r.purpose === 'PARTNER_SHARING' && r.status === 'GRANTED')
        .every((r) => r.legalBasis === 'EXPRESS'),
    ).toBe(true);
  });

  it('only withdraws after a grant and only emails contacts with an email address', () => {
    for (const c of contacts) {
      if (c.consents.some((k) => k.purpose === 'EMAIL_MARKETING')) expect(c.email).not.toBeNull();
      if (c.consents.some((k) => k.purpose === 'SMS')) expect(c.phone).not.toBeNull();
      for (const w of c.consents.filter((k) => k.status === 'WITHDRAWN')) {
        const grants = c.consents.filter((k) => k.purpose === w.purpose && k.status === 'GRANTED');
        expect(grants.length).toBeGreaterThan(0);
        for (const g of grants) expect(g.occurredAt.getTime()).toBeLessThan(w.occurredAt.getTime());
      }
    }
    expect(
      contacts.some((c) => c.consents.some((k) => k.purpose === 'EMAIL_MARKETING' && k.status === 'WITHDRAWN')),
    ).toBe(true);
  });
});
