import { CUSTOMER_NUMBER_HEADERS } from '@app/contacts';
import { columnLabel, headerKey, shortName } from '@app/imports';

/** What a column of an interactions file can fill. */
export const INTERACTION_IMPORT_FIELDS = [
  'externalId',
  'contactExternalId',
  'email',
  'firstName',
  'lastName',
  'type',
  'occurredAt',
  'offeringId',
  'offeringName',
  'discipline',
  'venue',
  'amount',
  'currency',
  'quantity',
  'channel',
  'campaign',
  'source',
] as const;
export type InteractionImportField = (typeof INTERACTION_IMPORT_FIELDS)[number];

/**
 * Header names of box-office, donation and newsletter exports, in French and English, compared after removing
 * accents, case and punctuation (headerKey). The transaction's own number is the interaction's external id; the
 * customer number finds (or creates) the contact.
 */
const HEADER_ALIASES: Record<InteractionImportField | 'ignore', string[]> = {
  externalId: [
    'no transaction',
    'numero de transaction',
    'transaction',
    'transaction id',
    'id transaction',
    'no commande',
    'numero de commande',
    'commande',
    'order id',
    'order no',
    'order number',
    'no billet',
    'ticket id',
    'ticket no',
    'no don',
    'donation id',
    'event id',
    'id evenement',
    'interaction id',
    'no interaction',
    'no recu',
    'receipt no',
  ],
  contactExternalId: [...CUSTOMER_NUMBER_HEADERS, 'contact id', 'no contact', 'no donateur', 'donor id'],
  email: ['courriel', 'adresse courriel', 'e mail', 'email', 'email address', 'mail', 'adresse electronique'],
  firstName: ['prenom', 'first name', 'firstname'],
  lastName: ['nom', 'nom de famille', 'last name', 'lastname', 'surname'],
  type: [
    'type',
    'type d interaction',
    'type de transaction',
    'interaction type',
    'transaction type',
    'evenement type',
    'activite',
    'activity',
  ],
  occurredAt: [
    'date',
    'date et heure',
    'date heure',
    'horodatage',
    'date de transaction',
    'date de la transaction',
    'date d achat',
    'date du don',
    'occurred at',
    'timestamp',
    'date time',
    'datetime',
    'transaction date',
    'purchase date',
    'order date',
    'event date',
  ],
  offeringId: [
    'no spectacle',
    'numero de spectacle',
    'id spectacle',
    'no evenement',
    'id evenement spectacle',
    'no representation',
    'no offre',
    'offering id',
    'show id',
    'performance id',
    'production id',
    'no production',
    'no exposition',
    'exhibition id',
  ],
  offeringName: [
    'spectacle',
    'titre',
    'titre du spectacle',
    'evenement',
    'representation',
    'production',
    'offre',
    'exposition',
    'concert',
    'atelier',
    'offering',
    'show',
    'event',
    'event name',
    'performance',
    'title',
    'exhibition',
    'workshop',
  ],
  discipline: ['discipline', 'genre', 'categorie', 'category'],
  venue: ['salle', 'lieu', 'salle de spectacle', 'venue', 'hall', 'location'],
  amount: [
    'montant',
    'montant total',
    'total',
    'prix',
    'montant du don',
    'amount',
    'total amount',
    'price',
    'donation amount',
    'revenue',
  ],
  currency: ['devise', 'monnaie', 'currency'],
  quantity: [
    'quantite',
    'qte',
    'nombre',
    'nb billets',
    'nombre de billets',
    'billets',
    'quantity',
    'qty',
    'tickets',
    'number of tickets',
  ],
  channel: ['canal', 'canal de vente', 'point de vente', 'channel', 'sales channel'],
  campaign: ['campagne', 'code promo', 'code promotionnel', 'campaign', 'promo code', 'campaign id'],
  source: ['source', 'systeme', 'system', 'systeme source', 'source system'],
  ignore: ['error', 'erreur', 'errors', 'erreurs'],
};

const FIELD_OF_ALIAS = new Map<string, InteractionImportField | 'ignore'>(
  Object.entries(HEADER_ALIASES).flatMap(([field, aliases]) =>
    aliases.map((alias) => [alias, field as InteractionImportField | 'ignore']),
  ),
);

export interface InteractionColumns {
  /** Position of the column filling each field found. */
  index: Partial<Record<InteractionImportField, number>>;
  /** The column filling each field, as errors name it (its header cut short: columnLabel). */
  header: Partial<Record<InteractionImportField, string>>;
  /** The columns no field takes, as errors name them. */
  ignored: string[];
  problems: string[];
}

/** Which column fills which field: the mapping first, then the known header names; unknown columns are listed. */
export function planInteractionColumns(
  headers: readonly string[],
  mapping: Readonly<Record<string, string>> | null,
): InteractionColumns {
  const mapped = new Map(Object.entries(mapping ?? {}).map(([header, field]) => [headerKey(header), field]));
  const plan: InteractionColumns = { index: {}, header: {}, ignored: [], problems: [] };
  const keys = new Set<string>();
  for (const [index, header] of headers.entries()) {
    const key = headerKey(header);
    keys.add(key);
    const field = (mapped.get(key) ?? FIELD_OF_ALIAS.get(key)) as InteractionImportField | 'ignore' | undefined;
    if (!field || field === 'ignore') {
      if (header.trim() && field !== 'ignore') plan.ignored.push(columnLabel(header, index));
      continue;
    }
    const other = plan.header[field];
    if (other !== undefined) {
      plan.problems.push(
        `columns "${other}" and "${columnLabel(header, index)}" both fill ${field}: map one of them to "ignore"`,
      );
      continue;
    }
    plan.index[field] = index;
    plan.header[field] = columnLabel(header, index);
  }
  for (const header of Object.keys(mapping ?? {})) {
    if (!keys.has(headerKey(header)))
      plan.problems.push(`the mapping names a column "${shortName(header)}" that the file does not have`);
  }
  return plan;
}

/** Whether a mapping may name this field. */
export function isInteractionImportField(name: string): name is InteractionImportField | 'ignore' {
  return name === 'ignore' || (INTERACTION_IMPORT_FIELDS as readonly string[]).includes(name);
}
