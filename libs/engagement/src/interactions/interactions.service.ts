import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppError, ErrorCode } from '@app/common';
import { ConsentPurpose, ConsentsService, ConsentStatus, ContactLookupService, externalIdKey } from '@app/contacts';
import {
  keysetConnection,
  type KeysetOrder,
  type KeysetRow,
  keysetSql,
  SqlParams,
  TenantDb,
  type Tx,
  whereClause,
} from '@app/database';
import { ACCOUNT_CURRENCY, type TypeAggregate } from './contact-engagement.js';
import { BUILT_IN_TERMS, InteractionType, type Term, TermKind, Vocabulary } from './engagement-terms.js';
import {
  checkInteraction,
  type ContactReference,
  type InteractionRow,
  resolveContact,
  type Vocabularies,
} from './interaction-rows.js';
import {
  type InteractionConnectionModel,
  type InteractionFilterInput,
  type InteractionInput,
  type InteractionModel,
  type InteractionsArgs,
  type InteractionTermInput,
  type InteractionTermModel,
  MAX_INTERACTIONS_PER_CALL,
  type RecordedInteractionModel,
  type RecordInteractionsResultModel,
  RecordStatus,
} from './interaction.models.js';

const COLUMNS = `i.id, i.contact_id AS "contactId", i.type, i.occurred_at AS "occurredAt", i.offering_id AS "offeringId",
  i.offering_name AS "offeringName", i.discipline, i.venue, i.amount_cents::int AS "amountCents", i.currency, i.quantity, i.channel,
  i.campaign, i.source, i.external_id AS "externalId", i.attributes, i.created_at AS "createdAt"`;
/** A timeline's order: latest first. */
const LATEST_FIRST: KeysetOrder = {
  columns: [
    { column: 'i.occurred_at', type: 'timestamptz' },
    { column: 'i.id', type: 'uuid' },
  ],
  descending: true,
};

/** An interaction whose contact is known, ready to insert. */
export type ResolvedInteraction = InteractionRow & { contactId: string };

/** What inserting a batch did, item by item (same order). */
export interface InsertOutcome {
  id: string;
  inserted: boolean;
}

/**
 * Records interactions (idempotent by source + external id) with what they imply for the contact: an unsubscribe
 * withdraws email-marketing consent, a hard bounce makes the address undeliverable. Reads a contact's timeline.
 */
@Injectable()
export class InteractionsService {
  constructor(
    private readonly db: TenantDb,
    private readonly contacts: ContactLookupService,
    private readonly consents: ConsentsService,
  ) {}

  async record(inputs: readonly InteractionInput[]): Promise<RecordInteractionsResultModel> {
    if (inputs.length > MAX_INTERACTIONS_PER_CALL)
      throw AppError.badInput('input', `at most ${MAX_INTERACTIONS_PER_CALL} interactions per call`);
    return this.db.transaction(async (tx) => {
      const vocabularies = await this.vocabularies(tx);
      const items: RecordedInteractionModel[] = [];
      const checked: { index: number; row: InteractionRow; contact: ContactReference }[] = [];
      inputs.forEach((input, index) => {
        const result = checkInteraction(input, `input.${index}`, vocabularies);
        if (result.ok) checked.push({ index, row: result.row, contact: result.contact });
        items[index] = result.ok ? accepted(index, '') : rejected(index, result.field, result.reason);
      });

      const found = await this.contacts.lookUp(tx, {
        ids: unique(checked.map((c) => c.contact.id)),
        externalIds: checked.flatMap((c) => (c.contact.externalId ? [c.contact.externalId] : [])),
        emails: unique(checked.map((c) => c.contact.email)),
      });
      const resolved: { index: number; row: ResolvedInteraction }[] = [];
      for (const { index, row, contact } of checked) {
        const contactId = resolveContact(contact, found);
        if (contactId) resolved.push({ index, row: { ...row, contactId } });
        else items[index] = rejected(index, `input.${index}.contact`, 'no contact has this id, external id or email');
      }

      const outcomes = await this.insert(
        tx,
        resolved.map((r) => r.row),
      );
      resolved.forEach(({ index }, i) => {
        items[index] = outcomes[i].inserted
          ? accepted(index, outcomes[i].id)
          : { ...accepted(index, outcomes[i].id), status: RecordStatus.DUPLICATE };
      });
      const count = (status: RecordStatus) => items.filter((item) => item.status === status).length;
      return {
        accepted: count(RecordStatus.ACCEPTED),
        duplicates: count(RecordStatus.DUPLICATE),
        rejected: count(RecordStatus.REJECTED),
        items,
      };
    });
  }

  /**
   * Inserts resolved interactions in one statement, skipping those whose source + external id exist (also twice in
   * the batch: the first is kept), then applies what the new ones imply. Outcomes come back in the rows' order.
   */
  async insert(tx: Tx, rows: readonly ResolvedInteraction[]): Promise<InsertOutcome[]> {
    if (rows.length === 0) return [];
    const column = <K extends keyof ResolvedInteraction>(key: K) => rows.map((row) => row[key]);
    // ids drawn here (time-ordered, as crm_uuidv7 draws them) tell which rows the statement inserted
    const ids = rows.map(() => uuidv7());
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO interactions (org_id, id, contact_id, type, occurred_at, offering_id, offering_name, discipline, venue, amount_cents,
                                 currency, quantity, channel, campaign, source, external_id, attributes)
       SELECT (SELECT crm_current_org()), *
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[],
                     $10::text[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[])
       ON CONFLICT (org_id, source, external_id) DO NOTHING
       RETURNING id`,
      [
        ids,
        column('contactId'),
        column('type'),
        column('occurredAt'),
        column('offeringId'),
        column('offeringName'),
        column('discipline'),
        column('venue'),
        column('amountCents'),
        column('currency'),
        column('quantity'),
        column('channel'),
        column('campaign'),
        column('source'),
        column('externalId'),
        rows.map((row) => JSON.stringify(row.attributes)),
      ],
    );
    const insertedIds = new Set(inserted.map((row) => row.id));
    const outcomes: InsertOutcome[] = ids.map((id) => ({ id, inserted: insertedIds.has(id) }));
    await this.applyEffects(
      tx,
      rows.flatMap((row, i) => (outcomes[i].inserted ? [{ ...row, id: outcomes[i].id }] : [])),
    );

    // a duplicate answers with the interaction recorded before (or first in this batch)
    const duplicates = rows.filter((_, i) => !outcomes[i].inserted);
    if (duplicates.length > 0) {
      const existing = await tx.query<{ source: string; externalId: string; id: string }>(
        `SELECT i.source, i.external_id AS "externalId", i.id FROM interactions i
           JOIN unnest($1::text[], $2::text[]) AS d(source, external_id) ON i.source = d.source AND i.external_id = d.external_id`,
        [duplicates.map((row) => row.source), duplicates.map((row) => row.externalId)],
      );
      const existingIds = new Map(existing.map((row) => [externalIdKey(row.source, row.externalId), row.id]));
      rows.forEach((row, i) => {
        if (!outcomes[i].inserted) outcomes[i].id = existingIds.get(externalIdKey(row.source!, row.externalId!))!;
      });
    }
    return outcomes;
  }

  /** An unsubscribe withdraws email-marketing consent as of its time; a hard bounce marks the current address undeliverable. */
  private async applyEffects(tx: Tx, rows: readonly (ResolvedInteraction & { id: string })[]): Promise<void> {
    for (const row of rows.filter((r) => r.type === String(InteractionType.EMAIL_UNSUBSCRIBED))) {
      await this.consents.record(
        tx,
        row.contactId,
        {
          purpose: ConsentPurpose.EMAIL_MARKETING,
          status: ConsentStatus.WITHDRAWN,
          source: row.source ?? 'interactions',
          proof: `interaction ${row.id}${row.campaign ? ` (campaign ${row.campaign})` : ''}`,
          occurredAt: row.occurredAt,
        },
        'input',
      );
    }
    const soft = (attributes: Record<string, unknown>) =>
      typeof attributes.bounceType === 'string' && attributes.bounceType.toLowerCase() === 'soft';
    const hardBounces = rows.filter((r) => r.type === String(InteractionType.EMAIL_BOUNCED) && !soft(r.attributes));
    for (const row of hardBounces) await this.contacts.markEmailBounced(tx, [row.contactId], row.occurredAt);
  }

  /** A contact's interactions, latest first. */
  async timeline(contactId: string, args: InteractionsArgs): Promise<InteractionConnectionModel> {
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const where = [
        `i.contact_id = ${params.add(contactId, 'uuid')}`,
        ...interactionFilterSql(args.filter, params, await this.vocabularies(tx)),
      ];
      const page = keysetSql(LATEST_FIRST, args, params, where);
      const rows = await tx.query<InteractionModel & KeysetRow>(
        `SELECT ${COLUMNS}, ${page.select} FROM interactions i ${whereClause(where)} ${page.orderLimit}`,
        params.values,
      );
      return keysetConnection(rows, args);
    });
  }

  /** Each contact's interactions aggregated by type, for the engagement summary: one statement for a batch of contacts. */
  async typeAggregates(tx: Tx, contactIds: readonly string[]): Promise<(TypeAggregate & { contactId: string })[]> {
    return tx.query(
      `SELECT contact_id AS "contactId", type, count(*)::int AS count,
              count(*) FILTER (WHERE occurred_at >= now() - interval '12 months')::int AS "last12Months",
              coalesce(sum(amount_cents) FILTER (WHERE currency = $2), 0)::float8 AS "amountCents",
              coalesce(sum(amount_cents) FILTER (WHERE currency = $2 AND occurred_at >= now() - interval '12 months'), 0)::float8 AS "amount12MonthsCents",
              min(occurred_at) AS "firstAt", max(occurred_at) AS "lastAt"
         FROM interactions WHERE contact_id = ANY($1::uuid[]) GROUP BY contact_id, type`,
      [contactIds, ACCOUNT_CURRENCY],
    );
  }

  /** Built-in and organization-defined types and disciplines. */
  async terms(): Promise<InteractionTermModel[]> {
    return this.db.transaction(async (tx) => {
      const own = await this.ownTerms(tx);
      return Object.values(TermKind).flatMap((kind) => [
        ...BUILT_IN_TERMS[kind].map((term) => ({ kind, ...term, builtIn: true })),
        ...own
          .filter((term) => term.kind === kind)
          .map((term) => ({ kind, key: term.key, labelFr: term.labelFr, labelEn: term.labelEn, builtIn: false })),
      ]);
    });
  }

  async defineTerm(input: InteractionTermInput): Promise<InteractionTermModel> {
    return this.db.transaction(async (tx) => {
      const vocabulary = (await this.vocabularies(tx))[input.kind === TermKind.TYPE ? 'types' : 'disciplines'];
      const clash = vocabulary.keyOf(input.key) ?? vocabulary.keyOf(input.label);
      if (clash && BUILT_IN_TERMS[input.kind].some((term) => term.key === clash)) {
        throw new AppError(ErrorCode.CONFLICT, `${clash} is built in`, 'input.key');
      }
      if (clash && clash !== input.key)
        throw new AppError(ErrorCode.CONFLICT, `The label already names ${clash}`, 'input.label');
      const label = input.label.trim();
      await tx.execute(
        `INSERT INTO interaction_terms (org_id, kind, key, label) VALUES (crm_current_org(), $1, $2, $3)
         ON CONFLICT (org_id, kind, key) DO UPDATE SET label = EXCLUDED.label`,
        [input.kind, input.key, label],
      );
      return { kind: input.kind, key: input.key, labelFr: label, labelEn: label, builtIn: false };
    });
  }

  /** The organization's vocabularies: built-in terms and its own. */
  async vocabularies(tx: Tx): Promise<Vocabularies> {
    const own = await this.ownTerms(tx);
    const of = (kind: TermKind) =>
      new Vocabulary([...BUILT_IN_TERMS[kind], ...own.filter((term) => term.kind === kind)]);
    return { types: of(TermKind.TYPE), disciplines: of(TermKind.DISCIPLINE) };
  }

  private async ownTerms(tx: Tx): Promise<(Term & { kind: TermKind })[]> {
    return tx.query(
      `SELECT kind, key, label AS "labelFr", label AS "labelEn" FROM interaction_terms ORDER BY kind, key`,
    );
  }
}

/** The columns a filter's conditions read: those of the interactions `i`, or of their daily rollups. */
export interface FilterColumns {
  type: string;
  discipline: string;
  offering: string;
  venue: string;
  campaign: string;
  channel: string;
  /** The condition "at or after the time in `param`" (a timestamptz). */
  from(param: string): string;
  /** The condition "before the time in `param`". */
  to(param: string): string;
}

export const INTERACTION_COLUMNS: FilterColumns = {
  type: 'i.type',
  discipline: 'i.discipline',
  offering: 'coalesce(i.offering_id, i.offering_name)',
  venue: 'i.venue',
  campaign: 'i.campaign',
  channel: 'i.channel',
  from: (param) => `i.occurred_at >= ${param}`,
  to: (param) => `i.occurred_at < ${param}`,
};

/**
 * SQL conditions for a filter; every value goes through `params`. Types and disciplines are given by key or label:
 * one that names nothing is BAD_USER_INPUT naming it.
 */
export function interactionFilterSql(
  filter: InteractionFilterInput | null | undefined,
  params: SqlParams,
  vocabularies: Vocabularies,
  columns = INTERACTION_COLUMNS,
  path = 'filter',
): string[] {
  if (!filter) return [];
  const where: string[] = [];
  if (filter.from) where.push(columns.from(params.add(filter.from, 'timestamptz')));
  if (filter.to) where.push(columns.to(params.add(filter.to, 'timestamptz')));
  const keys = (texts: string[], vocabulary: Vocabulary, field: string) =>
    texts.map((text, i) => {
      const key = vocabulary.keyOf(text);
      if (!key)
        throw AppError.badInput(
          `${path}.${field}.${i}`,
          `"${text}" names no ${field === 'types' ? 'interaction type' : 'discipline'}`,
        );
      return key;
    });
  const anyOf = (column: string, values: string[]) => where.push(`${column} = ANY(${params.add(values, 'text[]')})`);
  if (filter.types?.length) anyOf(columns.type, keys(filter.types, vocabularies.types, 'types'));
  if (filter.disciplines?.length)
    anyOf(columns.discipline, keys(filter.disciplines, vocabularies.disciplines, 'disciplines'));
  if (filter.offerings?.length) anyOf(columns.offering, filter.offerings);
  if (filter.venues?.length) anyOf(columns.venue, filter.venues);
  if (filter.campaigns?.length) anyOf(columns.campaign, filter.campaigns);
  if (filter.channels?.length) anyOf(columns.channel, filter.channels);
  return where;
}

function accepted(index: number, interactionId: string): RecordedInteractionModel {
  return { index, status: RecordStatus.ACCEPTED, interactionId, field: null, reason: null };
}

function rejected(index: number, field: string, reason: string): RecordedInteractionModel {
  return { index, status: RecordStatus.REJECTED, interactionId: null, field, reason };
}

function unique(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== null))];
}
