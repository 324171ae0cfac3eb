import { describe, expect, it } from '@jest/globals';
import { AttributeType, type AttributeDefinitionModel } from './attribute-definition.model.js';
import { checkAttributeValues } from './attribute-values.util.js';

const define = (
  key: string,
  type: AttributeType,
  choices: string[] | null = null,
): [string, AttributeDefinitionModel] => [key, { key, label: key, type, choices, createdAt: new Date() }];
const definitions = new Map([
  define('visits', AttributeType.NUMBER),
  define('since', AttributeType.DATE),
  define('member', AttributeType.BOOLEAN),
  define('level', AttributeType.CHOICE, ['or', 'argent']),
  define('note', AttributeType.TEXT),
]);

describe('checkAttributeValues', () => {
  it('stores typed values, accepting CSV-style strings, and removes nulls', () => {
    expect(
      checkAttributeValues(
        { visits: '3,5', since: '2024-09-01', member: 'oui', level: 'or', note: 'x', gone: undefined },
        new Map([...definitions, define('gone', AttributeType.TEXT)]),
        'input.attributes',
      ),
    ).toEqual({
      set: { visits: 3.5, since: '2024-09-01', member: true, level: 'or', note: 'x' },
      remove: ['gone'],
    });
  });

  it('refuses unknown keys and wrong types, naming the field', () => {
    expect(() => checkAttributeValues({ nope: 1 }, definitions, 'input.attributes')).toThrow(/input\.attributes\.nope/);
    expect(() => checkAttributeValues({ visits: 'many' }, definitions, 'input.attributes')).toThrow(
      /input\.attributes\.visits must be a number/,
    );
    expect(() => checkAttributeValues({ level: 'bronze' }, definitions, 'input.attributes')).toThrow(
      /one of: or, argent/,
    );
    expect(() => checkAttributeValues({ since: '01/09/2024' }, definitions, 'input.attributes')).toThrow(/YYYY-MM-DD/);
  });
});
