import { describe, expect, it } from '@jest/globals';
import { BUILT_IN_DISCIPLINES, BUILT_IN_TYPES, Vocabulary } from './engagement-terms.js';
import { checkInteraction, resolveContact } from './interaction-rows.js';
import type { InteractionInput } from './interaction.models.js';

const vocabularies = {
  types: new Vocabulary([
    ...BUILT_IN_TYPES,
    { key: 'WORKSHOP_SIGNUP', labelFr: 'Inscription à un atelier', labelEn: 'Inscription à un atelier' },
  ]),
  disciplines: new Vocabulary(BUILT_IN_DISCIPLINES),
};
const NOW = Date.UTC(2026, 0, 1);
const base: InteractionInput = {
  contact: { id: '0198a0b4-1c2d-7e3f-8a9b-0c1d2e3f4a5b' },
  type: 'DONATION',
  occurredAt: new Date('2025-06-01T12:00:00Z'),
};
const check = (input: Partial<InteractionInput>) =>
  checkInteraction({ ...base, ...input }, 'input.0', vocabularies, NOW);

describe('Vocabulary', () => {
  it('finds a term by key or either label, without accents, case or punctuation', () => {
    for (const text of ['THEATRE', 'théâtre', 'Theatre', ' THÉÂTRE '])
      expect(vocabularies.disciplines.keyOf(text)).toBe('THEATRE');
    for (const text of ['visual arts', 'Arts visuels', 'VISUAL_ARTS', 'arts-visuels'])
      expect(vocabularies.disciplines.keyOf(text)).toBe('VISUAL_ARTS');
    expect(vocabularies.types.keyOf('inscription a un atelier')).toBe('WORKSHOP_SIGNUP');
    expect(vocabularies.types.keyOf('Achat de billets')).toBe('TICKET_PURCHASE');
    expect(vocabularies.types.keyOf('juggling')).toBeNull();
  });
});

describe('checkInteraction', () => {
  it('normalizes a good item: keys, trimmed text, CAD by default', () => {
    const result = check({
      type: 'don',
      discipline: 'musique',
      amountCents: 2500,
      venue: '  Maison symphonique ',
      externalId: ' D-1 ',
      source: 'dons',
    });
    expect(result).toMatchObject({
      ok: true,
      row: {
        type: 'DONATION',
        discipline: 'MUSIC',
        amountCents: 2500,
        currency: 'CAD',
        venue: 'Maison symphonique',
        externalId: 'D-1',
      },
    });
  });

  it.each([
    [{ contact: {} }, 'input.0.contact'],
    [{ contact: { id: 'not-a-uuid' } }, 'input.0.contact'],
    [{ contact: { email: 'pas un courriel' } }, 'input.0.contact'],
    [{ contact: { externalId: { source: 'billetterie', externalId: ' ' } } }, 'input.0.contact'],
    [{ type: 'JUGGLING' }, 'input.0.type'],
    [{ occurredAt: new Date('x') }, 'input.0.occurredAt'],
    [{ occurredAt: new Date(NOW + 2 * 86_400_000) }, 'input.0.occurredAt'],
    [{ discipline: 'sculpture sur glace' }, 'input.0.discipline'],
    [{ amountCents: -1 }, 'input.0.amountCents'],
    [{ currency: 'CAD' }, 'input.0.currency'],
    [{ amountCents: 100, currency: 'dollars' }, 'input.0.currency'],
    [{ quantity: -2 }, 'input.0.quantity'],
    [{ externalId: 'T-1' }, 'input.0.source'],
    [{ venue: 'x'.repeat(501) }, 'input.0.venue'],
  ] as [Partial<InteractionInput>, string][])('rejects %j naming %s', (input, field) => {
    expect(check(input)).toMatchObject({ ok: false, field, reason: expect.any(String) });
  });

  it('names the contact by id, then external id, then email', () => {
    const found = {
      ids: new Set(['a']),
      byExternalId: new Map([['billetterie\u0000C1', 'b']]),
      byEmail: new Map([['c@example.org', 'c']]),
    };
    const reference = { id: 'z', externalId: { source: 'billetterie', externalId: 'C1' }, email: 'c@example.org' };
    expect(resolveContact(reference, found)).toBe('b');
    expect(resolveContact({ ...reference, id: 'a' }, found)).toBe('a');
    expect(resolveContact({ ...reference, externalId: null }, found)).toBe('c');
    expect(resolveContact({ id: null, externalId: null, email: 'd@example.org' }, found)).toBeNull();
  });
});
