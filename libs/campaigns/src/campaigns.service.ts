import { Injectable } from '@nestjs/common';
import { AppError, type Connection, ErrorCode } from '@app/common';
import { Language } from '@app/contacts';
import {
  keysetConnection,
  type KeysetOrder,
  type KeysetRow,
  keysetSql,
  pgErrorCode,
  PgErrorCode,
  SqlParams,
  TenantContexts,
  TenantDb,
  type Tx,
  whereClause,
} from '@app/database';
import { parseDateTime } from '@app/engagement';
import { JobName, JobsService } from '@app/jobs';
import {
  type CampaignExclusionModel,
  type CampaignInput,
  CampaignModel,
  type CampaignProgressModel,
  type CampaignsArgs,
  type CampaignSettingsInput,
  type CampaignSettingsModel,
  CampaignStatus,
  type CampaignUpdateInput,
  type CampaignVariantInput,
  type CampaignAudienceModel,
  ExclusionReason,
  type SenderIdentityInput,
  type SenderIdentityModel,
} from './campaign.models.js';
import { extractLinks, MAX_LINKS } from './render/links.js';
import { parseTemplate } from './render/merge-fields.js';
import type { RecipientRules } from './recipients/recipients.sql.js';

export const CAMPAIGN_COLUMNS = `c.id, c.name, c.channel, c.status, c.sender_id AS "senderId", c.default_language AS "defaultLanguage",
  c.variants, c.send_rate AS "sendRate", c.attribution_days AS "attributionDays", c.scheduled_at AS "scheduledAt",
  c.recipients, c.exclusions, c.duplicated_from AS "duplicatedFrom", c.shared_segment_id AS "sharedSegmentId",
  c.relay_of_name AS "relayFor", c.version, c.created_at AS "createdAt",
  c.updated_at AS "updatedAt", c.sending_at AS "sendingAt", c.sent_at AS "sentAt", c.cancelled_at AS "cancelledAt"`;

const SENDER_COLUMNS = `id, from_name AS "fromName", from_email AS "fromEmail", reply_to AS "replyTo",
  mailing_address AS "mailingAddress", contact_line AS "contactLine", created_at AS "createdAt"`;

/** A campaign row: the model plus the version a queued snapshot must match. */
export type CampaignRow = Omit<CampaignModel, 'exclusions'> & {
  version: number;
  exclusions: Partial<Record<ExclusionReason, number>> | null;
};

/** Latest first. */
const LATEST_FIRST: KeysetOrder = {
  columns: [
    { column: 'c.created_at', type: 'timestamptz' },
    { column: 'c.id', type: 'uuid' },
  ],
  descending: true,
};

/** The longest a snapshot job is queued to wait for its campaign's time: 20 days. */
export const SNAPSHOT_MAX_DELAY_MS = 20 * 24 * 3600_000;

/** The cap when the organization set none: at most 3 campaigns per person in 7 days. */
export const DEFAULT_FREQUENCY_CAP = { frequencyCapCount: 3, frequencyCapDays: 7 };

/** The states a command may start from. */
const FROM: Record<'schedule' | 'unschedule' | 'pause' | 'resume' | 'cancel', readonly CampaignStatus[]> = {
  schedule: [CampaignStatus.DRAFT],
  unschedule: [CampaignStatus.SCHEDULED],
  pause: [CampaignStatus.SENDING],
  resume: [CampaignStatus.PAUSED],
  cancel: [CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.PAUSED],
};

/** Campaigns: drafts and their edits, sender identities and settings, and the commands of their lifecycle. */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly db: TenantDb,
    private readonly jobs: JobsService,
  ) {}

  async get(id: string): Promise<CampaignModel> {
    return this.db.transaction(async (tx) => toModel(await this.row(tx, id)));
  }

  /** The campaign's row, locked when asked (commands change it in the same transaction). */
  async row(tx: Tx, id: string, lock = false): Promise<CampaignRow> {
    const [row] = await tx.query<CampaignRow>(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns c WHERE c.id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!row) throw AppError.notFound('Campaign');
    return row;
  }

  async list(args: CampaignsArgs): Promise<Connection<CampaignModel>> {
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const where = args.status?.length ? [`c.status = ANY(${params.add(args.status, 'text[]')})`] : [];
      const page = keysetSql(LATEST_FIRST, args, params, where);
      const rows = await tx.query<CampaignRow & KeysetRow>(
        `SELECT ${CAMPAIGN_COLUMNS}, ${page.select} FROM campaigns c ${whereClause(where)} ${page.orderLimit}`,
        params.values,
      );
      return keysetConnection(rows, args, toModel);
    });
  }

  /** The audiences a campaign includes or excludes, for a list of campaigns at once. */
  async audiences(
    campaignIds: readonly string[],
  ): Promise<(CampaignAudienceModel & { campaignId: string; excluded: boolean })[]> {
    return this.db.transaction((tx) =>
      tx.query(
        `SELECT ca.campaign_id AS "campaignId", ca.excluded, a.id, a.name
           FROM campaign_audiences ca JOIN audiences a ON a.id = ca.audience_id
          WHERE ca.campaign_id = ANY($1::uuid[]) ORDER BY a.name, a.id`,
        [campaignIds],
      ),
    );
  }

  async progress(campaignIds: readonly string[]): Promise<Map<string, CampaignProgressModel>> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ campaignId: string; status: string; count: number }>(
        `SELECT campaign_id AS "campaignId", status, count(*)::int AS count FROM campaign_messages
          WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id, status`,
        [campaignIds],
      ),
    );
    const progress = new Map(
      campaignIds.map((id) => [id, { queued: 0, sent: 0, delivered: 0, bounced: 0, failed: 0, cancelled: 0 }]),
    );
    for (const row of rows) {
      const key = row.status.toLowerCase() as keyof CampaignProgressModel;
      progress.get(row.campaignId)![key] = row.count;
    }
    return progress;
  }

  async create(input: CampaignInput): Promise<CampaignModel> {
    const variants = checkVariants(input.variants ?? []);
    return this.db.transaction(async (tx) => {
      const [{ id }] = await this.mapped(() =>
        tx.query<{ id: string }>(
          `INSERT INTO campaigns (org_id, name, sender_id, default_language, variants, send_rate, attribution_days, created_by,
                                  shared_segment_id)
           VALUES (crm_current_org(), $1, $2, coalesce($3, 'fr'), $4, coalesce($5, 600), coalesce($6, 7), $7, $8) RETURNING id`,
          [
            input.name.trim(),
            input.senderId ?? null,
            input.defaultLanguage ?? null,
            JSON.stringify(variants),
            input.sendRate ?? null,
            input.attributionDays ?? null,
            TenantContexts.current()?.userId ?? null,
            input.sharedSegmentId?.toLowerCase() ?? null,
          ],
        ),
      );
      await this.setAudiences(tx, id, input);
      return toModel(await this.exclusiveTarget(tx, id));
    });
  }

  /** Edits a DRAFT: an absent field is kept. */
  async update(id: string, input: CampaignUpdateInput): Promise<CampaignModel> {
    const variants = input.variants ? checkVariants(input.variants) : null;
    return this.db.transaction(async (tx) => {
      await this.inState(tx, id, [CampaignStatus.DRAFT], 'edited');
      await this.mapped(() =>
        tx.execute(
          `UPDATE campaigns SET name = coalesce($2, name), sender_id = coalesce($3, sender_id),
                  default_language = coalesce($4, default_language), variants = coalesce($5, variants),
                  send_rate = coalesce($6, send_rate), attribution_days = coalesce($7, attribution_days),
                  shared_segment_id = CASE WHEN $8 THEN $9::uuid ELSE shared_segment_id END,
                  version = version + 1, updated_at = now()
            WHERE id = $1`,
          [
            id,
            input.name?.trim() ?? null,
            input.senderId ?? null,
            input.defaultLanguage ?? null,
            variants ? JSON.stringify(variants) : null,
            input.sendRate ?? null,
            input.attributionDays ?? null,
            // given as null: cleared (the campaign goes back to audiences)
            input.sharedSegmentId !== undefined,
            input.sharedSegmentId?.toLowerCase() ?? null,
          ],
        ),
      );
      await this.setAudiences(tx, id, input);
      return toModel(await this.exclusiveTarget(tx, id));
    });
  }

  /** A new DRAFT with the same content, audiences and settings. */
  async duplicate(id: string): Promise<CampaignModel> {
    return this.db.transaction(async (tx) => {
      const source = await this.row(tx, id);
      // a relay's content is the partner's: it is sent as they wrote it, never reused
      if (source.relayFor !== null)
        throw new AppError(ErrorCode.CONFLICT, "A relay of a pool partner's campaign cannot be duplicated", 'id');
      const [{ id: copy }] = await tx.query<{ id: string }>(
        `INSERT INTO campaigns (org_id, name, sender_id, default_language, variants, send_rate, attribution_days, duplicated_from, created_by,
                                shared_segment_id)
         SELECT org_id, left(name || $2, ${200}), sender_id, default_language, variants, send_rate, attribution_days, id, $3,
                shared_segment_id
           FROM campaigns WHERE id = $1 RETURNING id`,
        [id, source.defaultLanguage === Language.EN ? ' (copy)' : ' (copie)', TenantContexts.current()?.userId ?? null],
      );
      await tx.execute(
        `INSERT INTO campaign_audiences (org_id, campaign_id, audience_id, excluded)
         SELECT org_id, $2, audience_id, excluded FROM campaign_audiences WHERE campaign_id = $1`,
        [id, copy],
      );
      return toModel(await this.row(tx, copy));
    });
  }

  /**
   * DRAFT → SCHEDULED, for `at` (now when absent): checks that it can go out (a sender, a variant in its default
   * language, merge fields it knows, audiences to include), then queues its snapshot for that time.
   */
  async schedule(id: string, at: string | null): Promise<CampaignModel> {
    const parsed = at === null ? new Date() : parseDateTime(at.slice(0, 40));
    if (!(parsed instanceof Date)) throw AppError.badInput('at', `at is ${parsed ?? 'empty'}`);
    const when = parsed;
    if (when.getTime() > Date.now() + 366 * 24 * 3600_000) throw AppError.badInput('at', 'at is more than a year away');
    const { campaign, version } = await this.db.transaction(async (tx) => {
      const row = await this.inState(tx, id, FROM.schedule, 'scheduled');
      await this.checkReady(tx, row);
      const [{ version }] = await tx.query<{ version: number }>(
        `UPDATE campaigns SET status = 'SCHEDULED', scheduled_at = greatest($2::timestamptz, now()), version = version + 1,
                updated_at = now() WHERE id = $1 RETURNING version`,
        [id, when],
      );
      return { campaign: toModel(await this.row(tx, id)), version };
    });
    await this.startSnapshot(id, version, when);
    return campaign;
  }

  /**
   * Queues the snapshot of this version of the campaign for its time. A queued job waits at most SNAPSHOT_MAX_DELAY_MS
   * (a job run's delay is a 32-bit count of ms); one that wakes early queues itself again (CampaignSnapshotJob).
   */
  async startSnapshot(id: string, version: number, at: Date): Promise<void> {
    const delayMs = Math.min(SNAPSHOT_MAX_DELAY_MS, Math.max(0, at.getTime() - Date.now()));
    await this.jobs.start(JobName.CAMPAIGN_SNAPSHOT, { campaignId: id, version }, undefined, delayMs);
  }

  /** SCHEDULED → DRAFT: editable again; its queued snapshot will find a newer version and skip. */
  async unschedule(id: string): Promise<CampaignModel> {
    return this.transition(id, 'unschedule', `status = 'DRAFT', scheduled_at = NULL, version = version + 1`);
  }

  async pause(id: string): Promise<CampaignModel> {
    return this.transition(id, 'pause', `status = 'PAUSED'`);
  }

  async resume(id: string): Promise<CampaignModel> {
    const campaign = await this.transition(id, 'resume', `status = 'SENDING'`);
    await this.jobs.start(JobName.CAMPAIGN_DISPATCH, { campaignId: id });
    return campaign;
  }

  /**
   * Stops it for good: the messages not yet sent never will be. The campaign's state commits first (a dispatch takes
   * no message of a campaign that is not SENDING), then its QUEUED messages are marked, waiting only for those being
   * handed over right now; a dispatch run that finds it CANCELLED marks any left as well.
   */
  async cancel(id: string): Promise<CampaignModel> {
    const campaign = await this.db.transaction(async (tx) => {
      await this.inState(tx, id, FROM.cancel, 'cancelled');
      await tx.execute(
        `UPDATE campaigns SET status = 'CANCELLED', cancelled_at = now(), version = version + 1, updated_at = now() WHERE id = $1`,
        [id],
      );
      return toModel(await this.row(tx, id));
    });
    await this.db.transaction((tx) => cancelQueuedMessages(tx, id));
    return campaign;
  }

  /** The rules the recipients of a campaign are taken by, as they stand. */
  async recipientRules(tx: Tx, campaign: CampaignRow): Promise<RecipientRules> {
    // a relay: the audience my organization shared (its own table, read in its tenant), for people who agreed to
    // partner sharing; another campaign: its audiences
    const audiences =
      campaign.relayFor !== null
        ? await tx.query<{ audienceId: string; excluded: boolean }>(
            `SELECT audience_id AS "audienceId", false AS excluded FROM shared_segments WHERE id = $1`,
            [campaign.sharedSegmentId],
          )
        : await tx.query<{ audienceId: string; excluded: boolean }>(
            `SELECT audience_id AS "audienceId", excluded FROM campaign_audiences WHERE campaign_id = $1 ORDER BY audience_id`,
            [campaign.id],
          );
    const settings = await this.settingsIn(tx);
    return {
      campaignId: campaign.id,
      partnerSharing: campaign.relayFor !== null,
      include: audiences.filter((a) => !a.excluded).map((a) => a.audienceId),
      exclude: audiences.filter((a) => a.excluded).map((a) => a.audienceId),
      languages: campaign.variants.map((v) => v.language),
      defaultLanguage: campaign.defaultLanguage,
      cap:
        settings.frequencyCapCount === null
          ? null
          : { count: settings.frequencyCapCount, days: settings.frequencyCapDays },
    };
  }

  async senderIdentities(): Promise<SenderIdentityModel[]> {
    return this.db.transaction((tx) =>
      tx.query(`SELECT ${SENDER_COLUMNS} FROM sender_identities ORDER BY from_name, id`),
    );
  }

  async createSenderIdentity(input: SenderIdentityInput): Promise<SenderIdentityModel> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<SenderIdentityModel>(
        `INSERT INTO sender_identities (org_id, from_name, from_email, reply_to, mailing_address, contact_line)
         VALUES (crm_current_org(), $1, lower($2), lower($3), $4, $5) RETURNING ${SENDER_COLUMNS}`,
        [
          input.fromName.trim(),
          input.fromEmail.trim(),
          input.replyTo?.trim() ?? null,
          input.mailingAddress.trim(),
          input.contactLine.trim(),
        ],
      );
      return row;
    });
  }

  async settings(): Promise<CampaignSettingsModel> {
    return this.db.transaction((tx) => this.settingsIn(tx));
  }

  async setSettings(input: CampaignSettingsInput): Promise<CampaignSettingsModel> {
    return this.db.transaction(async (tx) => {
      await tx.execute(
        `INSERT INTO campaign_settings (org_id, frequency_cap_count, frequency_cap_days) VALUES (crm_current_org(), $1, $2)
         ON CONFLICT (org_id) DO UPDATE SET frequency_cap_count = EXCLUDED.frequency_cap_count, frequency_cap_days = EXCLUDED.frequency_cap_days`,
        [input.frequencyCapCount ?? null, input.frequencyCapDays],
      );
      return this.settingsIn(tx);
    });
  }

  private async settingsIn(tx: Tx): Promise<CampaignSettingsModel> {
    const [row] = await tx.query<CampaignSettingsModel>(
      `SELECT frequency_cap_count AS "frequencyCapCount", frequency_cap_days AS "frequencyCapDays" FROM campaign_settings`,
    );
    return row ?? DEFAULT_FREQUENCY_CAP;
  }

  private async transition(id: string, command: keyof typeof FROM, set: string): Promise<CampaignModel> {
    return this.db.transaction(async (tx) => {
      await this.inState(tx, id, FROM[command], `${command}d`);
      await tx.execute(`UPDATE campaigns SET ${set}, updated_at = now() WHERE id = $1`, [id]);
      return toModel(await this.row(tx, id));
    });
  }

  /**
   * The campaign, locked, when it is in one of `states`; CONFLICT naming its state otherwise. A relay (a pool partner's
   * campaign sent by my organization) is read-only: it can be paused, resumed or cancelled (my organization's people,
   * my organization's sending), never edited or scheduled again.
   */
  private async inState(tx: Tx, id: string, states: readonly CampaignStatus[], verb: string): Promise<CampaignRow> {
    const row = await this.row(tx, id, true);
    if (row.relayFor !== null && !['paused', 'resumed', 'cancelled'].includes(verb))
      throw new AppError(ErrorCode.CONFLICT, `A relay of a pool partner's campaign cannot be ${verb}`, 'id');
    if (!states.includes(row.status))
      throw new AppError(ErrorCode.CONFLICT, `A ${row.status} campaign cannot be ${verb}`, 'id');
    return row;
  }

  private async checkReady(tx: Tx, row: CampaignRow): Promise<void> {
    if (!row.senderId) throw AppError.badInput('input.senderId', 'The campaign has no sender identity');
    if (!row.variants.some((v) => v.language === row.defaultLanguage))
      throw AppError.badInput(
        'input.variants',
        `The campaign has no variant in its default language (${row.defaultLanguage})`,
      );
    if (row.sharedSegmentId) {
      // the pools' broker checks the share, both memberships and the purpose; its answer names no one's data
      const [{ why }] = await tx.query<{ why: string | null }>('SELECT crm_campaign_relay_target($1) AS why', [
        row.sharedSegmentId,
      ]);
      if (why) throw AppError.badInput('input.sharedSegmentId', why);
      return;
    }
    const [{ count }] = await tx.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM campaign_audiences WHERE campaign_id = $1 AND NOT excluded`,
      [row.id],
    );
    if (count === 0) throw AppError.badInput('input.includeAudienceIds', 'The campaign includes no audience');
  }

  /**
   * The campaign after an edit, when it addresses either audiences or a pool partner's shared segment, not both: a
   * share's people are the publisher's, and the organization's own audiences cannot be combined with or excluded from them.
   */
  private async exclusiveTarget(tx: Tx, id: string): Promise<CampaignRow> {
    const row = await this.row(tx, id);
    if (!row.sharedSegmentId) return row;
    const [{ count }] = await tx.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM campaign_audiences WHERE campaign_id = $1`,
      [id],
    );
    if (count > 0)
      throw AppError.badInput(
        'input.sharedSegmentId',
        'A campaign addresses either audiences or a shared segment: remove its audiences first',
      );
    return row;
  }

  /** Replaces the included and excluded audiences given (an absent list is kept); an audience in both is refused. */
  private async setAudiences(tx: Tx, id: string, input: CampaignUpdateInput): Promise<void> {
    const include = input.includeAudienceIds?.map((a) => a.toLowerCase());
    const exclude = input.excludeAudienceIds?.map((a) => a.toLowerCase());
    const other = async (excluded: boolean) =>
      (
        await tx.query<{ id: string }>(
          `SELECT audience_id AS id FROM campaign_audiences WHERE campaign_id = $1 AND excluded = $2`,
          [id, excluded],
        )
      ).map((r) => r.id);
    const included = include ?? (await other(false));
    const excluded = new Set(exclude ?? (await other(true)));
    if (included.some((a) => excluded.has(a)))
      throw AppError.badInput('input.excludeAudienceIds', 'An audience is both included and excluded');
    for (const [list, excluded] of [
      [include, false],
      [exclude, true],
    ] as const) {
      if (!list) continue;
      await tx.execute(`DELETE FROM campaign_audiences WHERE campaign_id = $1 AND excluded = $2`, [id, excluded]);
      await this.mapped(() =>
        tx.execute(
          `INSERT INTO campaign_audiences (org_id, campaign_id, audience_id, excluded)
           SELECT crm_current_org(), $1, a, $2 FROM unnest($3::uuid[]) AS a ON CONFLICT DO NOTHING`,
          [id, excluded, [...new Set(list)]],
        ),
      );
    }
  }

  /** A sender or audience that is not the organization's is a bad input naming its field. */
  private async mapped<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (pgErrorCode(error) !== PgErrorCode.FOREIGN_KEY_VIOLATION) throw error;
      const constraint = (error as { constraint?: unknown }).constraint;
      if (typeof constraint === 'string' && constraint.includes('sender'))
        throw AppError.badInput('input.senderId', 'No sender identity has this id');
      throw AppError.badInput('input.includeAudienceIds', 'No audience has one of these ids');
    }
  }
}

/** The campaign's messages not yet handed over, CANCELLED (never sent). */
export function cancelQueuedMessages(tx: Tx, campaignId: string): Promise<number> {
  return tx.execute(`UPDATE campaign_messages SET status = 'CANCELLED' WHERE campaign_id = $1 AND status = 'QUEUED'`, [
    campaignId,
  ]);
}

/** Each variant once per language, with merge fields the renderer knows. */
function checkVariants(variants: readonly CampaignVariantInput[]): CampaignVariantInput[] {
  const seen = new Set<string>();
  const checked = variants.map((variant, index) => {
    if (seen.has(variant.language))
      throw AppError.badInput(`input.variants.${index}.language`, 'One variant per language');
    seen.add(variant.language);
    for (const part of ['subject', 'html', 'text'] as const) {
      const text = variant[part];
      if (!text) continue;
      const [problem] = parseTemplate(text).problems;
      if (problem) throw AppError.badInput(`input.variants.${index}.${part}`, problem);
    }
    return { language: variant.language, subject: variant.subject, html: variant.html, text: variant.text ?? null };
  });
  if (new Set(checked.flatMap((variant) => extractLinks(variant.html))).size > MAX_LINKS)
    throw AppError.badInput('input.variants', `The content has more than ${MAX_LINKS} distinct links`);
  return checked;
}

export function toModel(row: CampaignRow): CampaignModel {
  const { version: _version, exclusions, ...rest } = row;
  return {
    ...rest,
    exclusions: exclusions ? exclusionList(exclusions) : null,
  };
}

/** Exclusion counts in the order of their reasons (those with none left out). */
export function exclusionList(counts: Partial<Record<ExclusionReason, number>>): CampaignExclusionModel[] {
  return Object.values(ExclusionReason).flatMap((reason) =>
    counts[reason] ? [{ reason, count: counts[reason] }] : [],
  );
}
