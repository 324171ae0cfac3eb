import { describe, expect, it } from '@jest/globals';
import { AppError, ErrorCode } from '@app/common';
import { domainError } from './pg-errors.util.js';

/** A database error as node-postgres gives it: SQLSTATE on `code`, RAISE's COLUMN on `column`. */
const pgError = (code: string, message: string, column?: string) =>
  Object.assign(new Error(message), { code, ...(column ? { column } : {}) });

describe('domainError (the CP4xx SQLSTATEs of the database functions)', () => {
  it('maps each to its AppError code, with the field its COLUMN names', () => {
    const cases: [string, ErrorCode][] = [
      ['CP400', ErrorCode.BAD_USER_INPUT],
      ['CP403', ErrorCode.FORBIDDEN],
      ['CP404', ErrorCode.NOT_FOUND],
      ['CP409', ErrorCode.CONFLICT],
    ];
    for (const [sqlstate, code] of cases) {
      const error = domainError(pgError(sqlstate, 'Refused here', 'minGroupSize'), (c) => `input.${c}`);
      expect(error).toBeInstanceOf(AppError);
      expect({ code: error?.code, field: error?.field, message: error?.message }).toEqual({
        code,
        field: 'input.minGroupSize',
        message: 'Refused here',
      });
    }
    expect(domainError(pgError('CP403', 'No'))?.field).toBeUndefined();
  });

  it('leaves every other error alone (row-level security, a bad claim, a unique violation, a bug)', () => {
    for (const code of ['42501', '23505', 'P0001', 'XX000'])
      expect(domainError(pgError(code, 'internal detail'))).toBeUndefined();
    expect(domainError(new Error('plain'))).toBeUndefined();
    expect(domainError(undefined)).toBeUndefined();
  });
});
