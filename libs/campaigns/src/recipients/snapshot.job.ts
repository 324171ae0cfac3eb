import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { isUuid, logger } from '@app/common';
import { domainError, TenantDb, type Tx } from '@app/database';
import {
  JobHandler,
  type JobHandlerContract,
  JobName,
  type JobPayload,
  JobRunsService,
  JobsService,
  type QueuedJob,
} from '@app/jobs';
import { CampaignStatus } from '../campaign.models.js';
import { type CampaignRow, CampaignsService } from '../campaigns.service.js';
import { loadCampaignLinks } from '../dispatch/campaign-links.js';
import { CampaignRecipients } from './campaign-recipients.js';

export interface SnapshotParams {
  campaignId: string;
  /** The campaign's version when it was scheduled: an edit or a new schedule since makes this run skip. */
  version: number;
}

/** A run that wakes this much before its campaign's time (or less) takes the recipients. */
const EARLY_MS = 5_000;

/** What one snapshot transaction decided: its counts, why it could not go out, the publisher's run to queue. */
interface Snapshot {
  counts: Record<string, number>;
  failure?: string;
  relayRun?: QueuedJob;
}

/**
 * A scheduled campaign goes out: one transaction takes its recipients (one QUEUED message each), numbers its links,
 * records who was left out and why, and makes it SENDING; then its dispatch starts. A crash before the commit leaves
 * nothing and the retry does it all; after it, the retry finds the outcome saved and only starts the dispatch again
 * (a second dispatch run finds the messages locked or sent: harmless).
 *
 * A campaign to another pool member's shared segment (cross-promotion) takes no recipients here: the pools' broker
 * hands it off (crm_campaign_relay_handoff) to a relay in the publisher's tenant, with the publisher's snapshot run,
 * which this process then queues (the reaper does, if it dies first). The campaign is then SENT: handed over; what
 * the relay does, its sender reads as suppressed counts (campaignStats). The relay's own snapshot (the same job, in
 * the publisher's tenant) checks again that the share, the pool and both memberships still hold, then takes its
 * recipients by the publisher's rules and writes the send to the pool's ledger.
 */
@Injectable()
@JobHandler(JobName.CAMPAIGN_SNAPSHOT)
export class CampaignSnapshotJob implements JobHandlerContract<SnapshotParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly runs: JobRunsService,
    private readonly jobs: JobsService,
    private readonly campaigns: CampaignsService,
    private readonly recipients: CampaignRecipients,
  ) {}

  async run({ jobRunId, params }: JobPayload<SnapshotParams>): Promise<Record<string, number>> {
    if (!isUuid(params?.campaignId) || !Number.isInteger(params.version))
      throw new UnrecoverableError('The run names no campaign');
    const savedOutcome = await this.runs.savedOutcome(jobRunId);
    const snapshot: Snapshot = savedOutcome
      ? { counts: savedOutcome }
      : await this.db
          .transaction(async (tx): Promise<Snapshot> => {
            const done = await this.runs.lockAndCheckOutcome(tx, jobRunId);
            if (done) return { counts: done };
            const campaign = await this.campaigns.row(tx, params.campaignId, true);
            if (campaign.status !== CampaignStatus.SCHEDULED || campaign.version !== params.version)
              return this.save(tx, jobRunId, { counts: { skipped: 1 } });
            // queued for at most SNAPSHOT_MAX_DELAY_MS: a campaign further ahead waits again
            if (campaign.scheduledAt && campaign.scheduledAt.getTime() > Date.now() + EARLY_MS)
              return this.save(tx, jobRunId, { counts: { waiting: 1 } });
            if (campaign.sharedSegmentId && campaign.relayFor === null) return this.handOff(tx, jobRunId, campaign);
            if (campaign.relayFor !== null) {
              const [{ why }] = await tx.query<{ why: string | null }>('SELECT crm_campaign_relay_begin($1) AS why', [
                campaign.id,
              ]);
              if (why) return this.stop(tx, jobRunId, campaign, why);
            }
            await loadCampaignLinks(tx, campaign.id, campaign.variants);
            const counts = await this.recipients.take(tx, campaign);
            const recipients = Object.values(counts.byLanguage).reduce((a, b) => a + b, 0);
            await tx.execute(
              `UPDATE campaigns SET status = 'SENDING', sending_at = now(), recipients = $2, exclusions = $3, updated_at = now()
                WHERE id = $1`,
              [campaign.id, recipients, JSON.stringify(counts.excluded)],
            );
            if (campaign.relayFor !== null)
              await tx.query('SELECT crm_campaign_relay_taken($1, $2)', [campaign.id, recipients]);
            const excluded = Object.values(counts.excluded).reduce((a, b) => a + b, 0);
            return this.save(tx, jobRunId, { counts: { recipients, excluded } });
          })
          .catch((error: unknown) => {
            // the pools' functions refuse for good (the campaign is not the caller's, it has no sender): no retry
            const refused = domainError(error);
            throw refused ? new UnrecoverableError(`The campaign cannot go out: ${refused.message}`) : error;
          });
    if (snapshot.failure) throw new UnrecoverableError(snapshot.failure);
    const { counts } = snapshot;
    if (counts.skipped || counts.blocked) return counts;
    if (counts.waiting) {
      const campaign = await this.campaigns.get(params.campaignId);
      await this.campaigns.startSnapshot(params.campaignId, params.version, campaign.scheduledAt!);
      return counts;
    }
    if (counts.relayed) {
      if (!snapshot.relayRun) return counts; // a retry after the commit: the run was queued, or the reaper queues it
      const queued = await this.jobs.enqueue(JobName.CAMPAIGN_SNAPSHOT, snapshot.relayRun).then(
        () => 1,
        (error: unknown) => {
          logger.warn({ err: error, jobRunId }, "could not queue the relay's snapshot: the reaper will");
          return 0;
        },
      );
      return { ...counts, relayQueued: queued };
    }
    const dispatch = await this.jobs.startFollowUp(JobName.CAMPAIGN_DISPATCH, { campaignId: params.campaignId });
    return { ...counts, dispatchQueued: dispatch ? 1 : 0 };
  }

  /**
   * The sender's side of a cross-promotion: the broker writes the publisher's relay and its snapshot run (or says
   * why it cannot: the campaign is cancelled then, and the run fails with the reason). The campaign is SENT: handed over.
   */
  private async handOff(tx: Tx, jobRunId: string, campaign: CampaignRow): Promise<Snapshot> {
    const [handoff] = await tx.query<{
      blocked: string | null;
      publisherOrgId: string | null;
      jobRunId: string | null;
    }>(
      `SELECT blocked, publisher_org_id AS "publisherOrgId", job_run_id AS "jobRunId"
         FROM crm_campaign_relay_handoff($1, $2)`,
      [campaign.id, this.jobs.queuePrefix],
    );
    if (handoff.blocked || !handoff.publisherOrgId || !handoff.jobRunId)
      return this.stop(tx, jobRunId, campaign, handoff.blocked ?? 'The relay could not be created');
    await tx.execute(
      `UPDATE campaigns SET status = 'SENT', sending_at = now(), sent_at = now(), updated_at = now() WHERE id = $1`,
      [campaign.id],
    );
    const saved = await this.save(tx, jobRunId, { counts: { relayed: 1 } });
    return { ...saved, relayRun: { orgId: handoff.publisherOrgId, jobRunId: handoff.jobRunId } };
  }

  /** The campaign cannot go out (a cross-promotion whose share, pool or members no longer allow it): cancelled. */
  private async stop(tx: Tx, jobRunId: string, campaign: CampaignRow, why: string): Promise<Snapshot> {
    await tx.execute(
      `UPDATE campaigns SET status = 'CANCELLED', cancelled_at = now(), version = version + 1, updated_at = now()
        WHERE id = $1`,
      [campaign.id],
    );
    const saved = await this.save(tx, jobRunId, { counts: { blocked: 1 } });
    return { ...saved, failure: why };
  }

  private async save(tx: Tx, jobRunId: string, snapshot: Snapshot): Promise<Snapshot> {
    await this.runs.saveOutcome(tx, jobRunId, snapshot.counts, []);
    return snapshot;
  }
}
