import { describe, expect, it } from '@jest/globals';
import { AppError, ErrorCode } from '@app/common';
import { ConsentPurpose, ConsentStatus, ImpliedConsentReason, LegalBasis } from '../consent/consent.types.js';
import { IMPORT_OPTION_NAMES, ImportStrategy, InvalidFields, parseImportOptions } from './import-options.js';

const NOW = new Date('2025-06-15T12:00:00.000Z');

/** The AppError that parsing the options throws. */
function refusal(fields: Record<string, string | undefined>): AppError {
  try {
    parseImportOptions(fields, NOW);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(fields)}`);
}

const consent = { consentPurposes: 'EMAIL_MARKETING', consentLegalBasis: 'EXPRESS', consentSource: 'formulaire web' };

describe('parseImportOptions', () => {
  it('has defaults for everything', () => {
    expect(parseImportOptions({}, NOW)).toEqual({
      strategy: ImportStrategy.CREATE_ONLY,
      source: 'import',
      delimiter: null,
      encoding: null,
      mapping: null,
      tags: [],
      consent: null,
      dateOrder: 'YMD',
      invalidFields: InvalidFields.CLEAR,
      dedup: true,
      dryRun: false,
    });
  });

  it('reads dedup as true or false', () => {
    expect(parseImportOptions({ dedup: 'false' }, NOW)).toMatchObject({ dedup: false });
    expect(() => parseImportOptions({ dedup: 'no' }, NOW)).toThrow(expect.objectContaining({ field: 'dedup' }));
  });

  it('reads invalidFields as CLEAR (the default) or REJECT, any case, and refuses anything else naming it', () => {
    expect(parseImportOptions({ invalidFields: 'reject' }, NOW).invalidFields).toBe(InvalidFields.REJECT);
    expect(parseImportOptions({ invalidFields: 'CLEAR' }, NOW).invalidFields).toBe(InvalidFields.CLEAR);
    expect(parseImportOptions({ invalidFields: ' ' }, NOW).invalidFields).toBe(InvalidFields.CLEAR);
    expect(refusal({ invalidFields: 'KEEP' })).toMatchObject({
      field: 'invalidFields',
      message: 'invalidFields must be one of: CLEAR, REJECT',
    });
  });

  it('takes keepBadDates=true, the older name, as invalidFields=CLEAR; false changes nothing', () => {
    expect(parseImportOptions({ keepBadDates: 'true' }, NOW).invalidFields).toBe(InvalidFields.CLEAR);
    expect(parseImportOptions({ keepBadDates: 'true', invalidFields: 'CLEAR' }, NOW).invalidFields).toBe(
      InvalidFields.CLEAR,
    );
    expect(parseImportOptions({ keepBadDates: 'false' }, NOW).invalidFields).toBe(InvalidFields.CLEAR);
    expect(parseImportOptions({ keepBadDates: 'false', invalidFields: 'REJECT' }, NOW).invalidFields).toBe(
      InvalidFields.REJECT,
    );
    expect(parseImportOptions({ keepBadDates: 'true' }, NOW)).not.toHaveProperty('keepBadDates');
    expect(refusal({ keepBadDates: 'true', invalidFields: 'REJECT' })).toMatchObject({ field: 'keepBadDates' });
    expect(refusal({ keepBadDates: 'yes' })).toMatchObject({ field: 'keepBadDates' });
  });

  it('reads dryRun as true or false, and refuses anything else naming it', () => {
    expect(parseImportOptions({ dryRun: 'true' }, NOW).dryRun).toBe(true);
    expect(parseImportOptions({ dryRun: 'FALSE' }, NOW).dryRun).toBe(false);
    expect(() => parseImportOptions({ dryRun: 'yes' }, NOW)).toThrow(expect.objectContaining({ field: 'dryRun' }));
  });

  it('treats blank and missing values as not given', () => {
    const blank = Object.fromEntries(IMPORT_OPTION_NAMES.map((name) => [name, name === 'delimiter' ? '' : '  ']));
    expect(parseImportOptions(blank, NOW)).toEqual(parseImportOptions({}, NOW));
    expect(parseImportOptions({ strategy: undefined, source: undefined }, NOW)).toEqual(parseImportOptions({}, NOW));
  });

  it('refuses an unknown option, naming it', () => {
    const error = refusal({ delimeter: ';' });
    expect(error).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: 'delimeter' });
    expect(error.message).toMatch(/^Unknown option "delimeter"; options are: strategy, source, delimiter/);
  });

  describe('strategy and source', () => {
    it('accepts each strategy in any case', () => {
      expect(parseImportOptions({ strategy: 'upsert_by_email' }, NOW).strategy).toBe(ImportStrategy.UPSERT_BY_EMAIL);
      expect(parseImportOptions({ strategy: ' Create_Only ' }, NOW).strategy).toBe(ImportStrategy.CREATE_ONLY);
      expect(parseImportOptions({ strategy: 'UPSERT_BY_EXTERNAL_ID', source: ' billetterie ' }, NOW)).toMatchObject({
        strategy: ImportStrategy.UPSERT_BY_EXTERNAL_ID,
        source: 'billetterie',
      });
    });

    it('refuses an unknown strategy', () => {
      expect(refusal({ strategy: 'MERGE' })).toMatchObject({
        field: 'strategy',
        message: 'strategy must be one of: CREATE_ONLY, CREATE_ALL, UPSERT_BY_EXTERNAL_ID, UPSERT_BY_EMAIL',
      });
    });

    it('requires a source with UPSERT_BY_EXTERNAL_ID only', () => {
      expect(refusal({ strategy: 'UPSERT_BY_EXTERNAL_ID' }).field).toBe('source');
      expect(refusal({ strategy: 'UPSERT_BY_EXTERNAL_ID', source: '   ' }).field).toBe('source');
      expect(parseImportOptions({ strategy: 'UPSERT_BY_EMAIL' }, NOW).source).toBe('import');
    });
  });

  describe('delimiter and encoding', () => {
    it.each([
      [',', ','],
      [';', ';'],
      ['|', '|'],
      ['tab', '\t'],
      ['TAB', '\t'],
      ['\t', '\t'],
      ['', null],
    ])('reads delimiter %j as %j', (given, delimiter) => {
      expect(parseImportOptions({ delimiter: given }, NOW).delimiter).toBe(delimiter);
    });

    it.each([':', 'comma', ',;', 'space'])('refuses delimiter %j', (given) => {
      expect(refusal({ delimiter: given })).toMatchObject({
        field: 'delimiter',
        message: 'delimiter must be one of: , ; tab |',
      });
    });

    it.each([
      ['utf-8', 'utf-8'],
      ['UTF8', 'utf-8'],
      ['utf-16', 'utf-16le'],
      ['UTF-16LE', 'utf-16le'],
      ['utf-16be', 'utf-16be'],
      ['cp1252', 'windows-1252'],
      ['ISO-8859-1', 'windows-1252'],
      ['latin1', 'windows-1252'],
    ])('reads encoding %j as %j', (given, encoding) => {
      expect(parseImportOptions({ encoding: given }, NOW).encoding).toBe(encoding);
    });

    it.each(['ebcdic', 'utf-32', 'mac-roman'])('refuses encoding %j', (given) => {
      expect(refusal({ encoding: given }).field).toBe('encoding');
    });
  });

  describe('mapping', () => {
    it('reads JSON', () => {
      expect(
        parseImportOptions(
          { mapping: '{"Courriel travail": "email", "Abonné": "attributes.season_pass", "Notes": "ignore"}' },
          NOW,
        ).mapping,
      ).toEqual({
        'Courriel travail': 'email',
        Abonné: 'attributes.season_pass',
        Notes: 'ignore',
      });
    });

    it('reads header=field pairs, splitting each at its last "="', () => {
      expect(
        parseImportOptions({ mapping: 'Courriel travail=email, Abonné = attributes.season_pass,a=b=externalId' }, NOW)
          .mapping,
      ).toEqual({
        'Courriel travail': 'email',
        Abonné: 'attributes.season_pass',
        'a=b': 'externalId',
      });
    });

    it.each([
      ['{"Courriel": "email"', 'mapping is not valid JSON'],
      ['{"Courriel": "mail"}', 'mapping: "mail" (for "Courriel") is not a contact field'],
      ['{"Courriel": 1}', 'mapping: "1" (for "Courriel") is not a contact field'],
      ['Courriel=mail', 'mapping: "mail" (for "Courriel") is not a contact field'],
      ['Courriel=attributes.Season', 'mapping: "attributes.Season" (for "Courriel") is not a contact field'],
      ['Courriel', 'mapping: "Courriel" is not header=field'],
      ['=email', 'mapping: "=email" is not header=field'],
      ['Courriel=email,,Nom=lastName', 'mapping: "" is not header=field'],
    ])('refuses %j', (mapping, message) => {
      expect(refusal({ mapping })).toMatchObject({ field: 'mapping', message });
    });
  });

  it('reads tags as a comma-separated list', () => {
    expect(parseImportOptions({ tags: ' vip, ,abonnés 2025 ,' }, NOW).tags).toEqual(['vip', 'abonnés 2025']);
  });

  it('reads and checks dateOrder', () => {
    expect(parseImportOptions({ dateOrder: 'dmy' }, NOW).dateOrder).toBe('DMY');
    expect(parseImportOptions({ dateOrder: 'MDY' }, NOW).dateOrder).toBe('MDY');
    expect(refusal({ dateOrder: 'DD/MM/YYYY' })).toMatchObject({
      field: 'dateOrder',
      message: 'dateOrder must be one of: YMD, DMY, MDY',
    });
  });

  describe('consent', () => {
    it('records an express grant at the upload time by default', () => {
      expect(parseImportOptions({ ...consent, consentPurposes: 'email_marketing, SMS' }, NOW).consent).toEqual({
        purposes: [ConsentPurpose.EMAIL_MARKETING, ConsentPurpose.SMS],
        status: ConsentStatus.GRANTED,
        legalBasis: LegalBasis.EXPRESS,
        impliedReason: null,
        source: 'formulaire web',
        occurredAt: NOW.toISOString(),
      });
    });

    it('records an implied grant with its reason and date', () => {
      const options = {
        ...consent,
        consentLegalBasis: 'implied',
        consentImpliedReason: 'purchase',
        consentOccurredAt: '2024-05-01',
      };
      expect(parseImportOptions(options, NOW).consent).toMatchObject({
        legalBasis: LegalBasis.IMPLIED,
        impliedReason: ImpliedConsentReason.PURCHASE,
        occurredAt: '2024-05-01T00:00:00.000Z',
      });
    });

    it('records a withdrawal without a legal basis', () => {
      expect(
        parseImportOptions({ consentPurposes: 'SMS', consentStatus: 'withdrawn', consentSource: 'désabonnement' }, NOW)
          .consent,
      ).toMatchObject({
        status: ConsentStatus.WITHDRAWN,
        legalBasis: null,
        impliedReason: null,
      });
    });

    it.each(['consentStatus', 'consentLegalBasis', 'consentImpliedReason', 'consentSource', 'consentOccurredAt'])(
      'requires consentPurposes when %s is given',
      (name) => {
        expect(refusal({ [name]: 'x' })).toMatchObject({
          field: 'consentPurposes',
          message: 'consentPurposes is required with the other consent options',
        });
      },
    );

    it('refuses an unknown purpose', () => {
      expect(refusal({ ...consent, consentPurposes: 'EMAIL_MARKETING,NEWSLETTER' })).toMatchObject({
        field: 'consentPurposes',
        message: expect.stringContaining('"NEWSLETTER"'),
      });
    });

    it('refuses unknown status, legal basis and implied reason', () => {
      expect(refusal({ ...consent, consentStatus: 'MAYBE' }).field).toBe('consentStatus');
      expect(refusal({ ...consent, consentLegalBasis: 'VERBAL' }).field).toBe('consentLegalBasis');
      expect(refusal({ ...consent, consentLegalBasis: 'IMPLIED', consentImpliedReason: 'FRIENDSHIP' }).field).toBe(
        'consentImpliedReason',
      );
    });

    it('requires consentSource', () => {
      expect(refusal({ consentPurposes: 'SMS', consentLegalBasis: 'EXPRESS' }).field).toBe('consentSource');
      expect(refusal({ ...consent, consentSource: '  ' }).field).toBe('consentSource');
    });

    it('requires consentLegalBasis for a grant', () => {
      expect(refusal({ consentPurposes: 'SMS', consentSource: 'x' })).toMatchObject({
        field: 'consentLegalBasis',
        message: 'consentLegalBasis is required for a grant',
      });
      expect(refusal({ consentPurposes: 'SMS', consentSource: 'x', consentStatus: 'GRANTED' }).field).toBe(
        'consentLegalBasis',
      );
    });

    it('requires consentImpliedReason for implied consent, and refuses it otherwise', () => {
      expect(refusal({ ...consent, consentLegalBasis: 'IMPLIED' })).toMatchObject({
        field: 'consentImpliedReason',
        message: 'consentImpliedReason is required for implied consent',
      });
      expect(refusal({ ...consent, consentImpliedReason: 'PURCHASE' })).toMatchObject({
        field: 'consentImpliedReason',
        message: 'consentImpliedReason applies to implied consent only',
      });
    });

    it('refuses a date in the future or not a date, allowing a minute of clock skew', () => {
      expect(refusal({ ...consent, consentOccurredAt: '2025-06-16' }).field).toBe('consentOccurredAt');
      expect(refusal({ ...consent, consentOccurredAt: '2025-06-15T12:01:01Z' }).field).toBe('consentOccurredAt');
      expect(refusal({ ...consent, consentOccurredAt: 'hier' }).field).toBe('consentOccurredAt');
      expect(
        parseImportOptions({ ...consent, consentOccurredAt: '2025-06-15T12:00:59Z' }, NOW).consent?.occurredAt,
      ).toBe('2025-06-15T12:00:59.000Z');
    });
  });
});
