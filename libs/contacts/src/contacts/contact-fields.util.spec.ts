import { describe, expect, it } from '@jest/globals';
import { checkContactFields } from './contact-fields.util.js';

describe('checkContactFields', () => {
  it('reports an invalid field without writing it or an entered value (an import keeps what was typed itself)', () => {
    const { columns, entered, errors } = checkContactFields(
      { email: 'roy@', phone: '12', postalCode: 'Z9Z 9Z9', birthDate: '2999-01-01', lastName: 'Roy' },
      null,
    );
    expect(columns).toEqual({ last_name: 'Roy' });
    expect(entered).toEqual({});
    expect(errors.map(({ field }) => field)).toEqual(['email', 'phone', 'postalCode', 'birthDate']);
  });

  it('drops the entered birth date or language (a value an import could not read) when the field is set or cleared', () => {
    expect(checkContactFields({ birthDate: '1980-03-04' }, null).clearedEntered).toEqual(['birthDate']);
    expect(checkContactFields({ birthDate: null }, null).clearedEntered).toEqual(['birthDate']);
    expect(checkContactFields({ preferredLanguage: 'fr' }, null).clearedEntered).toEqual(['preferredLanguage']);
    expect(checkContactFields({ city: 'Laval' }, null).clearedEntered).toEqual([]);
  });
});
