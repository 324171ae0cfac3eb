import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AppError, ErrorCode } from '@app/common';
import { CONTACT_FIELD_COLUMNS } from '@app/contacts';
import {
  chooseSurvivorValues,
  type ContactSnapshot,
  type FieldChoice,
  isEmpty,
  survivorAfterUndo,
} from './survivorship.util.js';

const FIELDS = Object.entries(CONTACT_FIELD_COLUMNS);
const COLUMNS = Object.values(CONTACT_FIELD_COLUMNS);
const ENTERED_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'postalCode'];

function contact(id: string, updatedAt: string, values: Record<string, unknown> = {}): ContactSnapshot {
  return {
    id,
    updated_at: updatedAt,
    created_at: '2024-01-01T00:00:00+00:00',
    ...Object.fromEntries(COLUMNS.map((c) => [c, null])),
    attributes: {},
    entered: {},
    ...values,
  };
}

/** What the merge wrote, as the survivor's row then reads. */
function afterMerge(
  survivor: ContactSnapshot,
  values: Record<string, unknown>,
  updatedAt = '2030-01-01T00:00:00+00:00',
): ContactSnapshot {
  return { ...survivor, ...values, updated_at: updatedAt };
}

/** The values a merge writes, as they stand in a row. */
function written(row: ContactSnapshot): Record<string, unknown> {
  return {
    ...Object.fromEntries(COLUMNS.map((c) => [c, row[c] ?? null])),
    attributes: row.attributes,
    entered: row.entered,
  };
}

// Few distinct values and times, so that equal values and ties are frequent.
const value = fc.option(fc.constantFrom('Hélène', 'Côté', 'x@example.org', '', '  '), { nil: null });
const time = fc.integer({ min: 0, max: 3 }).map((n) => `2025-01-0${n + 1}T10:00:00.123456+00:00`);
const attributeValue = fc.oneof(
  fc.constantFrom('abonné', ''),
  fc.integer({ min: 0, max: 2 }),
  fc.boolean(),
  fc.constant(null),
);
const contactArb = (id: string) =>
  fc
    .record({
      updatedAt: time,
      values: fc.tuple(...COLUMNS.map(() => value)),
      attributes: fc.dictionary(fc.constantFrom('season', 'visits', 'vip'), attributeValue, { maxKeys: 3 }),
      entered: fc.dictionary(fc.constantFrom(...ENTERED_FIELDS), fc.constantFrom(' Hélène ', 'X@Example.org'), {
        maxKeys: 3,
      }),
    })
    .map(({ updatedAt, values, attributes, entered }) =>
      contact(id, updatedAt, { ...Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]])), attributes, entered }),
    );
/** A survivor (the first) and 1 to 3 merged contacts. */
const contactsArb = fc
  .integer({ min: 2, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => contactArb(`c${i}`))));
const withChoices = contactsArb.chain((contacts) => {
  const fields = [
    ...FIELDS.map(([field]) => field),
    ...new Set(contacts.flatMap((c) => Object.keys(c.attributes).map((k) => `attributes.${k}`))),
  ];
  const choice = fc.record({
    field: fc.constantFrom(...fields),
    contactId: fc.constantFrom(...contacts.map((c) => c.id)),
  });
  return fc.tuple(fc.constant(contacts), fc.uniqueArray(choice, { selector: (c) => c.field, maxLength: 5 }));
});

describe('chooseSurvivorValues', () => {
  it('takes the most recently updated non-empty value of each field, with its entered value', () => {
    const survivor = contact('s', '2025-01-01T00:00:00+00:00', {
      first_name: 'Helene',
      email: 'old@example.org',
      entered: { firstName: 'HELENE' },
    });
    const newer = contact('m', '2025-06-01T00:00:00+00:00', {
      first_name: 'Hélène',
      email: null,
      city: '  ',
      entered: { firstName: ' Hélène' },
    });
    const { values, sources } = chooseSurvivorValues([survivor, newer], 's');
    expect(values).toMatchObject({
      first_name: 'Hélène',
      email: 'old@example.org',
      city: null,
      entered: { firstName: ' Hélène' },
    });
    expect(sources).toMatchObject({ firstName: 'm', email: 's', city: 's' });
  });

  it('gives a tie to the survivor, then to the order given', () => {
    const at = '2025-01-01T00:00:00.5+00:00';
    const [a, s, b] = [
      contact('a', at, { city: 'Laval' }),
      contact('s', at, { city: 'Québec' }),
      contact('b', at, { city: 'Lévis', phone: '+1' }),
    ];
    const { sources } = chooseSurvivorValues([a, s, b], 's');
    expect(sources).toMatchObject({ city: 's', phone: 'b' });
    expect(chooseSurvivorValues([b, s, a], 'b').sources.city).toBe('b');
  });

  it('merges custom attributes key by key', () => {
    const s = contact('s', '2025-01-01T00:00:00+00:00', { attributes: { season: 'abonné', visits: 3 } });
    const m = contact('m', '2025-02-01T00:00:00+00:00', { attributes: { visits: 5, vip: false, season: '' } });
    const { values, sources } = chooseSurvivorValues([s, m], 's');
    expect(values.attributes).toEqual({ season: 'abonné', visits: 5, vip: false });
    expect(sources).toMatchObject({ 'attributes.season': 's', 'attributes.visits': 'm', 'attributes.vip': 'm' });
  });

  it('names the field of a bad choice', () => {
    const contacts = [
      contact('s', '2025-01-01T00:00:00+00:00'),
      contact('m', '2025-01-01T00:00:00+00:00', { attributes: { vip: true } }),
    ];
    const failure = (choices: FieldChoice[]) => {
      try {
        chooseSurvivorValues(contacts, 's', choices);
      } catch (error) {
        return error instanceof AppError ? { code: error.code, field: error.field } : error;
      }
      return null;
    };
    expect(failure([{ field: 'shoeSize', contactId: 'm' }])).toEqual({
      code: ErrorCode.BAD_USER_INPUT,
      field: 'fieldChoices.0.field',
    });
    expect(failure([{ field: 'attributes.season', contactId: 'm' }])).toEqual({
      code: ErrorCode.BAD_USER_INPUT,
      field: 'fieldChoices.0.field',
    });
    expect(
      failure([
        { field: 'attributes.vip', contactId: 's' },
        { field: 'email', contactId: 'x' },
      ]),
    ).toEqual({
      code: ErrorCode.BAD_USER_INPUT,
      field: 'fieldChoices.1.contactId',
    });
    expect(
      failure([
        { field: 'email', contactId: 's' },
        { field: 'email', contactId: 'm' },
      ]),
    ).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'fieldChoices.1.field' });
    expect(failure([{ field: 'attributes.vip', contactId: 'S' }])).toBeNull();
  });

  it('honours every choice', () => {
    fc.assert(
      fc.property(withChoices, ([contacts, choices]) => {
        const { values, sources } = chooseSurvivorValues(contacts, 'c0', choices);
        for (const { field, contactId } of choices) {
          const chosen = contacts.find((c) => c.id === contactId)!;
          expect(sources[field]).toBe(contactId);
          if (field.startsWith('attributes.')) {
            const key = field.slice('attributes.'.length);
            expect(values.attributes[key]).toEqual(
              isEmpty(chosen.attributes[key]) ? undefined : chosen.attributes[key],
            );
          } else {
            const column = CONTACT_FIELD_COLUMNS[field as keyof typeof CONTACT_FIELD_COLUMNS];
            expect(values[column]).toEqual(chosen[column]);
            expect(values.entered[field]).toEqual(chosen.entered[field]);
          }
        }
      }),
    );
  });

  it('invents nothing and drops no field some contact has, unless a choice says so', () => {
    fc.assert(
      fc.property(withChoices, ([contacts, choices]) => {
        const { values, sources } = chooseSurvivorValues(contacts, 'c0', choices);
        const chosen = new Set(choices.map((c) => c.field));
        for (const [field, column] of FIELDS) {
          const source = contacts.find((c) => c.id === sources[field])!;
          expect(values[column]).toEqual(source[column]);
          if (!chosen.has(field) && contacts.some((c) => !isEmpty(c[column])))
            expect(isEmpty(values[column])).toBe(false);
        }
        for (const key of new Set(contacts.flatMap((c) => Object.keys(c.attributes)))) {
          if (!chosen.has(`attributes.${key}`) && contacts.some((c) => !isEmpty(c.attributes[key])))
            expect(isEmpty(values.attributes[key])).toBe(false);
        }
      }),
    );
  });

  it('is idempotent: merging the result again, with the same contacts or alone, changes nothing', () => {
    fc.assert(
      fc.property(withChoices, ([[survivor, ...merged], choices]) => {
        const { values } = chooseSurvivorValues([survivor, ...merged], 'c0', choices);
        const result = afterMerge(survivor, values);
        // a choice that left an attribute empty on every contact no longer names one of theirs
        const again = choices.filter(
          ({ field }) =>
            !field.startsWith('attributes.') ||
            [result, ...merged].some((c) => field.slice('attributes.'.length) in c.attributes),
        );
        expect(chooseSurvivorValues([result, ...merged], 'c0', again).values).toEqual(values);
        expect(chooseSurvivorValues([result], 'c0').values).toEqual(values);
      }),
    );
  });
});

describe('survivorAfterUndo', () => {
  it('gives the survivor back exactly what it had: nothing is lost between the snapshot and the result', () => {
    fc.assert(
      fc.property(withChoices, ([contacts, choices]) => {
        const result = afterMerge(contacts[0], chooseSurvivorValues(contacts, 'c0', choices).values);
        expect(survivorAfterUndo(contacts[0], result, result)).toEqual(written(contacts[0]));
      }),
    );
  });

  it('keeps the fields and attributes edited since the merge', () => {
    const editable = [...COLUMNS, 'attributes.season', 'attributes.new'];
    fc.assert(
      fc.property(contactsArb, fc.uniqueArray(fc.constantFrom(...editable), { maxLength: 4 }), (contacts, edited) => {
        const result = afterMerge(contacts[0], chooseSurvivorValues(contacts, 'c0').values);
        const current = structuredClone(result);
        for (const target of edited) {
          if (target.startsWith('attributes.')) current.attributes[target.slice('attributes.'.length)] = 'edited';
          else current[target] = 'edited';
        }
        const undone = survivorAfterUndo(contacts[0], result, current);
        for (const column of COLUMNS) {
          const wasEdited = edited.includes(column) && result[column] !== 'edited';
          expect(undone[column]).toEqual(wasEdited ? 'edited' : (contacts[0][column] ?? null));
        }
        for (const key of ['season', 'new']) {
          const wasEdited = edited.includes(`attributes.${key}`) && result.attributes[key] !== 'edited';
          expect(undone.attributes[key]).toEqual(wasEdited ? 'edited' : contacts[0].attributes[key]);
        }
      }),
    );
  });
});
