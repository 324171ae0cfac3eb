import { describe, expect, it } from '@jest/globals';
import { ConsentStatus, LegalBasis } from '@app/contacts';
import { mulberry32, Rng } from '@app/fixtures';
import {
  consentCopyLine,
  contactCopyLine,
  contactExtras,
  CONTACT_COLUMNS,
  CONSENT_COLUMNS,
  customerRow,
  periodStart,
  sequentialUuid,
  TAG_NAMES,
} from './audience-data.js';
import { executionMs, planGist, summarize } from '../support/timings.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY_MS = 86_400_000;

describe('sequentialUuid', () => {
  it('makes distinct version 7 UUIDs whose first 48 bits are the time', () => {
    const ms = Date.UTC(2026, 10, 26, 12);
    const ids = Array.from({ length: 10_000 }, (_, seq) => sequentialUuid(ms + Math.floor(seq / 100), seq));
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(parseInt(ids[0].replace('-', '').slice(0, 12), 16)).toBe(ms);
    expect(parseInt(ids[9_999].replace('-', '').slice(0, 12), 16)).toBe(ms + 99);
  });

  it('ascends with the time, as crm_uuidv7 ids made later do', () => {
    const earlier = sequentialUuid(1_000_000, 999);
    const later = sequentialUuid(1_000_001, 0);
    expect(earlier < later).toBe(true);
  });

  it('is the same for the same time and sequence number', () => {
    expect(sequentialUuid(1_764_000_000_000, 42)).toBe(sequentialUuid(1_764_000_000_000, 42));
  });
});

describe('periodStart', () => {
  it('starts the seasons so that they end the day before the run', () => {
    expect(periodStart(new Date('2026-11-26T23:18:00Z'))).toBe('2023-11-25');
    expect(periodStart(new Date('2026-03-01T00:30:00Z'), 1)).toBe('2025-02-28');
  });
});

describe('customerRow', () => {
  it('reads the row of a customer number', () => {
    expect(customerRow('C0000001')).toBe(1);
    expect(customerRow('C1000000')).toBe(1_000_000);
  });
});

describe('contactExtras', () => {
  const startMs = Date.UTC(2023, 10, 25);
  const endMs = Date.UTC(2026, 10, 25);
  const rng = new Rng(mulberry32(7));
  const extras = Array.from({ length: 20_000 }, (_, i) => contactExtras(rng, i % 10 !== 0, startMs, endMs));

  it('gives each contact up to three distinct tags of the theatre, about 1.15 on average', () => {
    expect(
      extras.every(
        ({ tags }) =>
          tags.length <= 3 && new Set(tags).size === tags.length && tags.every((tag) => TAG_NAMES.includes(tag)),
      ),
    ).toBe(true);
    const mean = extras.reduce((sum, { tags }) => sum + tags.length, 0) / extras.length;
    expect(mean).toBeGreaterThan(1.05);
    expect(mean).toBeLessThan(1.25);
  });

  it('records consent for contacts with an email only, about 78% of them, some withdrawn later', () => {
    expect(extras.filter((_, i) => i % 10 === 0).every(({ consents }) => consents.length === 0)).toBe(true);
    const withEmail = extras.filter((_, i) => i % 10 !== 0);
    const consenting = withEmail.filter(({ consents }) => consents.length > 0).length / withEmail.length;
    expect(consenting).toBeGreaterThan(0.75);
    expect(consenting).toBeLessThan(0.81);
    const withdrawn =
      withEmail.filter(({ consents }) => consents.at(-1)?.status === ConsentStatus.WITHDRAWN).length / withEmail.length;
    expect(withdrawn).toBeGreaterThan(0.08);
    expect(withdrawn).toBeLessThan(0.11);
  });

  it('keeps every record in the period, later ones after the first, implied ones expiring, express ones not', () => {
    for (const { consents } of extras) {
      for (const record of consents) {
        expect(record.occurredAt.getTime()).toBeGreaterThanOrEqual(startMs);
        expect(record.occurredAt.getTime()).toBeLessThan(endMs);
        expect(record.occurredAt.getTime() % 60_000).toBe(0);
        if (record.status === ConsentStatus.WITHDRAWN) expect(record.legalBasis).toBeNull();
        if (record.legalBasis === LegalBasis.EXPRESS) expect(record.expiresAt).toBeNull();
        if (record.legalBasis === LegalBasis.IMPLIED) {
          expect(record.impliedReason).not.toBeNull();
          expect(record.expiresAt!.getTime()).toBeGreaterThan(record.occurredAt.getTime());
        }
      }
      for (const later of consents.slice(1))
        expect(later.occurredAt.getTime()).toBeGreaterThan(consents[0].occurredAt.getTime());
    }
    // implied consent lasts 6 months to 2 years: over three years, some has expired by the end
    expect(
      extras.some(({ consents }) =>
        consents.some((r) => r.expiresAt !== null && r.expiresAt.getTime() < endMs - DAY_MS),
      ),
    ).toBe(true);
  });

  it('is the same for the same seed', () => {
    const again = new Rng(mulberry32(7));
    expect(contactExtras(again, false, startMs, endMs)).toEqual(extras[0]);
    expect(contactExtras(again, true, startMs, endMs)).toEqual(extras[1]);
  });
});

describe('COPY lines', () => {
  const orgId = '0193a0c0-0000-7000-8000-000000000001';
  const id = sequentialUuid(1_764_000_000_000, 1);

  it('writes a contact in CONTACT_COLUMNS order, escaping what COPY text needs, and a bare one as nulls', () => {
    const line = contactCopyLine(id, orgId, {
      first_name: 'Hélène',
      last_name: 'Côté',
      email: 'helene.cote@videotron.ca',
      phone: '+15145550123',
      address_line1: '12 rue Saint-Denis\\app. 3',
      city: 'Montréal',
      postal_code: 'H2X 1Y4',
      region: 'Montréal',
      country: null,
      preferred_language: 'fr',
      birth_date: '1980-02-29',
      entered: { phone: '514.555.0123' },
    });
    const cells = line.slice(0, -1).split('\t');
    expect(cells).toHaveLength(CONTACT_COLUMNS.length);
    expect(cells[CONTACT_COLUMNS.indexOf('city')]).toBe('Montréal');
    expect(cells[CONTACT_COLUMNS.indexOf('address_line1')]).toBe('12 rue Saint-Denis\\\\app. 3');
    expect(cells[CONTACT_COLUMNS.indexOf('country')]).toBe('\\N');
    expect(cells[CONTACT_COLUMNS.indexOf('entered')]).toBe('{"phone":"514.555.0123"}');
    const bare = contactCopyLine(id, orgId, null).slice(0, -1).split('\t');
    expect(bare).toHaveLength(CONTACT_COLUMNS.length);
    expect(bare.slice(2, -1).every((cell) => cell === '\\N')).toBe(true);
  });

  it('writes a consent record in CONSENT_COLUMNS order', () => {
    const cells = consentCopyLine(orgId, id, {
      status: ConsentStatus.WITHDRAWN,
      legalBasis: null,
      impliedReason: null,
      source: 'appel',
      occurredAt: new Date('2025-01-02T03:04:00Z'),
      expiresAt: null,
    })
      .slice(0, -1)
      .split('\t');
    expect(cells).toEqual([
      orgId,
      id,
      'EMAIL_MARKETING',
      'WITHDRAWN',
      '\\N',
      '\\N',
      'appel',
      '2025-01-02T03:04:00.000Z',
      '\\N',
    ]);
    expect(cells).toHaveLength(CONSENT_COLUMNS.length);
  });
});

describe('summarize', () => {
  it('gives nearest-rank percentiles, rounded', () => {
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ runs: 5, p50: 3, p95: 5, max: 5 });
    expect(summarize(Array.from({ length: 20 }, (_, i) => i + 0.4))).toEqual({ runs: 20, p50: 9, p95: 18, max: 19 });
    expect(summarize([7.6])).toEqual({ runs: 1, p50: 8, p95: 8, max: 8 });
  });

  it('refuses no values', () => {
    expect(() => summarize([])).toThrow();
  });
});

describe('planGist', () => {
  const plan = [
    'Aggregate  (cost=1.00..2.00 rows=1 width=4) (actual time=1000.0..1000.5 rows=1.00 loops=1)',
    '  ->  Seq Scan on contacts c  (cost=1.00..2.00 rows=10 width=0) (actual time=800.0..1000.1 rows=556.00 loops=1)',
    '        Rows Removed by Filter: 999444',
    '        SubPlan 1',
    '          ->  Index Scan using consents_contact_idx on consents  (cost=0.43..1.00 rows=10 width=40) (actual time=0.06..20.0 rows=10.00 loops=1)',
    '          ->  Nested Loop  (cost=0.43..1.00 rows=10 width=40) (actual time=0.01..0.5 rows=10.00 loops=400)',
    'Planning Time: 1.2 ms',
    'Execution Time: 1000.6 ms',
  ];

  it('keeps the root, the nodes over the share of the time (loops counted), what says why, and the execution time', () => {
    expect(planGist(plan)).toEqual([plan[0], plan[1], plan[2], plan[3], plan[5], plan[7]]);
  });

  it('keeps at most `limit` lines, the execution time last', () => {
    expect(planGist(plan, 0, 3)).toEqual([plan[0], plan[1], plan[7]]);
  });

  it('reads the execution time', () => {
    expect(executionMs(plan)).toBe(1000.6);
    expect(executionMs(['Result'])).toBeNull();
  });
});
