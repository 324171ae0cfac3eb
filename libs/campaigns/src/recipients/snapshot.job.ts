import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { isUuid } from '@app/common';
import { TenantDb } from '@app/database';
import { JobHandler, type JobHandlerContract, JobName, type JobPayload, JobRunsService, JobsService } from '@app/jobs';
import { CampaignStatus } from '../campaign.models.js';
import { CampaignsService } from '../campaigns.service.js';
import { loadCampaignLinks } from '../dispatch/campaign-links.js';
import { CampaignRecipients } from './campaign-recipients.js';

/** A run that wakes this much before its campaign's time (or less) takes the recipients. */
const EARLY_MS = 5_000;

export interface SnapshotParams {
  campaignId: string;
  /** The campaign's version when it was scheduled: an edit or a new schedule since makes this run skip. */
  version: number;
}

/**
 * A scheduled campaign goes out: one transaction takes its recipients (one QUEUED message each), numbers its links,
 * records who was left out and why, and makes it SENDING; then its dispatch starts. A crash before the commit leaves
 * nothing and the retry does it all; after it, the retry finds the outcome saved and only starts the dispatch again
 * (a second dispatch run finds the messages locked or sent: harmless).
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
    const outcome: Record<string, number> =
      (await this.runs.savedOutcome(jobRunId)) ??
      (await this.db.transaction(async (tx) => {
        const done = await this.runs.lockAndCheckOutcome(tx, jobRunId);
        if (done) return done;
        const campaign = await this.campaigns.row(tx, params.campaignId, true);
        if (campaign.status !== CampaignStatus.SCHEDULED || campaign.version !== params.version) {
          const skipped = { skipped: 1 };
          await this.runs.saveOutcome(tx, jobRunId, skipped, []);
          return skipped;
        }
        // queued for at most SNAPSHOT_MAX_DELAY_MS: a campaign further ahead waits again
        if (campaign.scheduledAt && campaign.scheduledAt.getTime() > Date.now() + EARLY_MS) {
          const waiting = { waiting: 1 };
          await this.runs.saveOutcome(tx, jobRunId, waiting, []);
          return waiting;
        }
        await loadCampaignLinks(tx, campaign.id, campaign.variants);
        const counts = await this.recipients.take(tx, campaign);
        const recipients = Object.values(counts.byLanguage).reduce((a, b) => a + b, 0);
        await tx.execute(
          `UPDATE campaigns SET status = 'SENDING', sending_at = now(), recipients = $2, exclusions = $3, updated_at = now()
            WHERE id = $1`,
          [campaign.id, recipients, JSON.stringify(counts.excluded)],
        );
        const excluded = Object.values(counts.excluded).reduce((a, b) => a + b, 0);
        const saved = { recipients, excluded };
        await this.runs.saveOutcome(tx, jobRunId, saved, []);
        return saved;
      }));
    if (outcome.skipped) return outcome;
    if (outcome.waiting) {
      const campaign = await this.campaigns.get(params.campaignId);
      await this.campaigns.startSnapshot(params.campaignId, params.version, campaign.scheduledAt!);
      return outcome;
    }
    const dispatch = await this.jobs.startFollowUp(JobName.CAMPAIGN_DISPATCH, { campaignId: params.campaignId });
    return { ...outcome, dispatchQueued: dispatch ? 1 : 0 };
  }
}
