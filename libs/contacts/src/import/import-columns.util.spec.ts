import { describe, expect, it } from '@jest/globals';
import { AttributeType, type AttributeDefinitionModel } from '../attributes/attribute-definition.model.js';
import { CONTACT_IMPORT_FIELDS, type ImportField, parseImportField, planColumns } from './import-columns.util.js';

const define = (
  key: string,
  label: string,
  type = AttributeType.TEXT,
  choices: string[] | null = null,
): [string, AttributeDefinitionModel] => [
  key,
  { key, label, type, choices, createdAt: new Date('2024-01-01T00:00:00Z') },
];
const none = new Map<string, AttributeDefinitionModel>();
const attributes = new Map([
  define('season_pass', 'Abonnement saison', AttributeType.BOOLEAN),
  define('niveau', 'Niveau de don', AttributeType.CHOICE, ['or', 'argent']),
]);

/** header → field of the planned columns. */
const fieldsOf = (plan: ReturnType<typeof planColumns>) =>
  Object.fromEntries(plan.columns.map(({ header, field }) => [header, field]));

describe('parseImportField', () => {
  it.each([
    ...CONTACT_IMPORT_FIELDS,
    'ignore',
    'attributes.season_pass',
    'attributes.a',
    `attributes.a${'b'.repeat(62)}`,
  ])('accepts %j', (name) => {
    expect(parseImportField(name)).toBe(name);
  });

  it.each([
    '',
    'Email',
    'courriel',
    'e-mail',
    'attributes.',
    'attributes.Season',
    'attributes.1st',
    'attributes.season-pass',
    `attributes.a${'b'.repeat(63)}`,
    'attributes',
    ' email',
  ])('refuses %j', (name) => {
    expect(parseImportField(name)).toBeNull();
  });
});

describe('planColumns', () => {
  it('recognizes French headers, accents, case and punctuation aside', () => {
    const headers = [
      'No client',
      'Prénom',
      'NOM',
      'E-mail',
      'Téléphone cellulaire',
      'Adresse',
      'App.',
      'Ville',
      'Code postal',
      'Région',
      'Pays',
      'Langue préférée',
      'Date de naissance',
      'Étiquettes',
    ];
    const plan = planColumns(headers, null, none);
    expect(plan.problems).toEqual([]);
    expect(plan.ignored).toEqual([]);
    expect(plan.columns.map(({ index, header, field }) => [index, header, field])).toEqual([
      [0, 'No client', 'externalId'],
      [1, 'Prénom', 'firstName'],
      [2, 'NOM', 'lastName'],
      [3, 'E-mail', 'email'],
      [4, 'Téléphone cellulaire', 'phone'],
      [5, 'Adresse', 'addressLine1'],
      [6, 'App.', 'addressLine2'],
      [7, 'Ville', 'city'],
      [8, 'Code postal', 'postalCode'],
      [9, 'Région', 'region'],
      [10, 'Pays', 'country'],
      [11, 'Langue préférée', 'preferredLanguage'],
      [12, 'Date de naissance', 'birthDate'],
      [13, 'Étiquettes', 'tags'],
    ]);
  });

  it('recognizes English headers', () => {
    const headers = [
      'Customer ID',
      'First Name',
      'Last name',
      'Email Address',
      'Mobile phone',
      'Address line 1',
      'Address 2',
      'City',
      'ZIP code',
      'Country',
      'Preferred language',
      'Date of birth',
      'Tags',
    ];
    expect(Object.values(fieldsOf(planColumns(headers, null, none)))).toEqual([
      'externalId',
      'firstName',
      'lastName',
      'email',
      'phone',
      'addressLine1',
      'addressLine2',
      'city',
      'postalCode',
      'country',
      'preferredLanguage',
      'birthDate',
      'tags',
    ]);
  });

  it('lists unknown headers as ignored, ignores blank headers and the error column of a rejected-rows file silently', () => {
    const plan = planColumns(['Courriel', 'Notes internes', '', '  ', 'Erreur', 'error', 'Montant'], null, none);
    expect(plan).toEqual({
      columns: [{ index: 0, header: 'Courriel', field: 'email' }],
      ignored: ['Notes internes', 'Montant'],
      problems: [],
    });
  });

  it("lets the mapping override the known names, matching its headers like the file's", () => {
    const plan = planColumns(
      ['Courriel', 'Courriel travail', 'Nom'],
      { 'COURRIEL (travail)': 'email', Courriel: 'ignore', Nom: 'firstName' },
      none,
    );
    expect(plan).toEqual({
      columns: [
        { index: 1, header: 'Courriel travail', field: 'email' },
        { index: 2, header: 'Nom', field: 'firstName' },
      ],
      ignored: [],
      problems: [],
    });
  });

  it('maps an unknown header through the mapping', () => {
    const mapping: Record<string, ImportField> = { 'Code patron': 'externalId', Abonné: 'attributes.season_pass' };
    expect(fieldsOf(planColumns(['Code patron', 'Abonné'], mapping, attributes))).toEqual({
      'Code patron': 'externalId',
      Abonné: 'attributes.season_pass',
    });
  });

  it('reports two columns filling one field, keeping the first', () => {
    const plan = planColumns(['Courriel', 'E-mail', 'Nom'], null, none);
    expect(plan.columns.map(({ header }) => header)).toEqual(['Courriel', 'Nom']);
    expect(plan.problems).toEqual(['columns "Courriel" and "E-mail" both fill email: map one of them to "ignore"']);
  });

  it('reports two columns mapped to one attribute', () => {
    const plan = planColumns(['Abonnement saison', 'Abonné'], { Abonné: 'attributes.season_pass' }, attributes);
    expect(plan.problems).toEqual([
      'columns "Abonnement saison" and "Abonné" both fill attributes.season_pass: map one of them to "ignore"',
    ]);
  });

  it('reports a column mapped to an attribute that is not defined', () => {
    const plan = planColumns(['Courriel', 'Abonné'], { Abonné: 'attributes.abonne' }, attributes);
    expect(plan.columns).toEqual([{ index: 0, header: 'Courriel', field: 'email' }]);
    expect(plan.problems).toEqual(['column "Abonné" is mapped to attributes.abonne, which is not a defined attribute']);
  });

  it('reports a mapped header that the file does not have', () => {
    const plan = planColumns(['Courriel', 'Nom'], { 'Courriel travail': 'email', nom: 'lastName' }, none);
    expect(plan.columns.map(({ field }) => field)).toEqual(['email', 'lastName']);
    expect(plan.problems).toEqual(['the mapping names a column "Courriel travail" that the file does not have']);
  });

  it('matches custom attributes by key or by label, accents and punctuation aside', () => {
    expect(fieldsOf(planColumns(['SEASON_PASS', 'Niveau de don'], null, attributes))).toEqual({
      SEASON_PASS: 'attributes.season_pass',
      'Niveau de don': 'attributes.niveau',
    });
    expect(fieldsOf(planColumns(['Abonnement – saison', 'niveau'], null, attributes))).toEqual({
      'Abonnement – saison': 'attributes.season_pass',
      niveau: 'attributes.niveau',
    });
  });

  it('prefers a known header name to an attribute label', () => {
    const plan = planColumns(['Ville'], null, new Map([define('ville_natale', 'Ville')]));
    expect(plan.columns).toEqual([{ index: 0, header: 'Ville', field: 'city' }]);
  });

  it('ignores an attribute label when no attribute is defined', () => {
    expect(planColumns(['Abonnement saison'], null, none)).toEqual({
      columns: [],
      ignored: ['Abonnement saison'],
      problems: [],
    });
  });
});
