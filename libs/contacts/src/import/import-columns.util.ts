import { columnLabel, headerKey, shortName } from '@app/imports';
import type { AttributeDefinitionModel } from '../attributes/attribute-definition.model.js';

/** The contact fields a column can fill. */
export const CONTACT_IMPORT_FIELDS = [
  'externalId',
  'firstName',
  'lastName',
  'email',
  'phone',
  'addressLine1',
  'addressLine2',
  'city',
  'postalCode',
  'region',
  'country',
  'preferredLanguage',
  'birthDate',
  'tags',
] as const;
export type ContactImportField = (typeof CONTACT_IMPORT_FIELDS)[number];
/** A contact field, a custom attribute (`attributes.<key>`), or `ignore`. */
export type ImportField = ContactImportField | `attributes.${string}` | 'ignore';

/**
 * Headers that name a customer number (the box office's id of a person), compared as headerKey spells them: every
 * import that finds contacts by customer number reads these.
 */
export const CUSTOMER_NUMBER_HEADERS: readonly string[] = [
  'no client',
  'n client',
  'no de client',
  'numero client',
  'numero de client',
  'id client',
  'client id',
  'client no',
  'identifiant client',
  'customer id',
  'customer no',
  'customer number',
  'patron id',
  'patron no',
  'account id',
  'account number',
  'no compte',
  'numero de compte',
  'no membre',
  'member id',
];

/**
 * Header names as people write them, in French and English, compared after
 * removing accents, case and punctuation ("Prénom" = "prenom", "E-mail" = "e mail").
 */
const HEADER_ALIASES: Record<ContactImportField | 'ignore', string[]> = {
  externalId: [
    'external id',
    'externalid',
    'id externe',
    'id',
    'no',
    'numero',
    'identifiant',
    ...CUSTOMER_NUMBER_HEADERS,
  ],
  firstName: ['prenom', 'first name', 'firstname', 'first', 'given name', 'forename', 'prenom usuel'],
  lastName: ['nom', 'nom de famille', 'last name', 'lastname', 'last', 'surname', 'family name'],
  email: [
    'courriel',
    'adresse courriel',
    'courriel principal',
    'e mail',
    'email',
    'email address',
    'e mail address',
    'mail',
    'adresse electronique',
    'adresse e mail',
    'adresse email',
    'mel',
  ],
  phone: [
    'telephone',
    'tel',
    'no de telephone',
    'numero de telephone',
    'cellulaire',
    'cell',
    'tel cellulaire',
    'telephone cellulaire',
    'mobile',
    'portable',
    'phone',
    'phone number',
    'telephone number',
    'cell phone',
    'cellphone',
    'mobile phone',
  ],
  addressLine1: [
    'adresse',
    'adresse 1',
    'adresse ligne 1',
    'address',
    'address 1',
    'address line 1',
    'street',
    'street address',
    'rue',
  ],
  addressLine2: [
    'adresse 2',
    'adresse ligne 2',
    'address 2',
    'address line 2',
    'appartement',
    'app',
    'apt',
    'suite',
    'unit',
    'unite',
  ],
  city: ['ville', 'municipalite', 'localite', 'city', 'town'],
  postalCode: ['code postal', 'cp', 'postal code', 'postalcode', 'postcode', 'zip', 'zip code', 'zipcode'],
  region: ['region', 'region administrative'],
  country: ['pays', 'country'],
  preferredLanguage: [
    'langue',
    'langue preferee',
    'langue de correspondance',
    'langue de communication',
    'language',
    'preferred language',
    'lang',
  ],
  birthDate: ['date de naissance', 'naissance', 'ddn', 'birth date', 'birthdate', 'date of birth', 'dob', 'birthday'],
  tags: ['tags', 'tag', 'etiquettes', 'etiquette', 'mots cles', 'labels'],
  // the column a rejected-rows file adds: re-importing the fixed file ignores it
  ignore: ['error', 'erreur', 'errors', 'erreurs'],
};

const FIELD_OF_ALIAS = new Map<string, ContactImportField | 'ignore'>(
  Object.entries(HEADER_ALIASES).flatMap(([field, aliases]) =>
    aliases.map((alias) => [alias, field as ContactImportField | 'ignore']),
  ),
);

/** A field name as given in a mapping (`email`, `attributes.season_pass`, `ignore`), or null. */
export function parseImportField(name: string): ImportField | null {
  if ((CONTACT_IMPORT_FIELDS as readonly string[]).includes(name) || name === 'ignore') return name as ImportField;
  return /^attributes\.[a-z][a-z0-9_]{0,62}$/.test(name) ? (name as ImportField) : null;
}

export interface ColumnPlan {
  /** Position in the row. */
  index: number;
  /** As written in the file. */
  header: string;
  field: ContactImportField | `attributes.${string}`;
}

/**
 * Which column fills which field: the user's mapping first, then the known
 * header names, then custom attributes by key or label. Unrecognized columns
 * are listed, not fatal; a field claimed by two columns is an error.
 */
/** Fields that several columns may fill, joined by a space in column order (a street number column, then the street). */
export const JOINED_FIELDS: ReadonlySet<string> = new Set(['addressLine1', 'addressLine2']);

export function planColumns(
  headers: readonly string[],
  mapping: Readonly<Record<string, ImportField>> | null,
  definitions: ReadonlyMap<string, AttributeDefinitionModel>,
): { columns: ColumnPlan[]; ignored: string[]; problems: string[] } {
  const mapped = new Map(Object.entries(mapping ?? {}).map(([header, field]) => [headerKey(header), field]));
  const attributeOf = new Map<string, string>();
  for (const definition of definitions.values()) {
    attributeOf.set(headerKey(definition.key), definition.key);
    attributeOf.set(headerKey(definition.label), definition.key);
  }
  const columns: ColumnPlan[] = [];
  const ignored: string[] = [];
  const problems: string[] = [];
  const claimedBy = new Map<string, string>();
  // the file's header names appear in messages cut short (columnLabel): they may be a first row of personal data
  const keys = new Set<string>();
  for (const [index, header] of headers.entries()) {
    const key = headerKey(header);
    keys.add(key);
    const attribute = attributeOf.get(key);
    const field =
      mapped.get(key) ?? FIELD_OF_ALIAS.get(key) ?? (attribute ? (`attributes.${attribute}` as const) : undefined);
    if (!field || field === 'ignore') {
      if (header.trim() && field !== 'ignore') ignored.push(columnLabel(header, index));
      continue;
    }
    if (field.startsWith('attributes.') && !definitions.has(field.slice('attributes.'.length))) {
      problems.push(`column "${columnLabel(header, index)}" is mapped to ${field}, which is not a defined attribute`);
      continue;
    }
    const other = claimedBy.get(field);
    if (other !== undefined && !JOINED_FIELDS.has(field)) {
      problems.push(
        `columns "${other}" and "${columnLabel(header, index)}" both fill ${field}: map one of them to "ignore"`,
      );
      continue;
    }
    claimedBy.set(field, columnLabel(header, index));
    columns.push({ index, header, field });
  }
  for (const header of Object.keys(mapping ?? {})) {
    if (!keys.has(headerKey(header)))
      problems.push(`the mapping names a column "${shortName(header)}" that the file does not have`);
  }
  return { columns, ignored, problems };
}
