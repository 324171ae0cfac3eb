import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { isUuid } from '@app/common';
import { TenantDb } from '@app/database';
import {
  JobHandler,
  type JobHandlerContract,
  JobName,
  type JobPayload,
  type JobProgress,
  JobsService,
} from '@app/jobs';
import { cancelQueuedMessages } from '../campaigns.service.js';
import { MessageEvents, type MessageEventInput } from '../messages/message-events.js';
import { loadDispatchCampaign } from './dispatch-campaign.js';
import { MailTransport } from './mail-transport.js';
import { MessageSender } from './message-sender.js';
import { SendPace } from './send-pace.js';

export interface CampaignDispatchParams {
  campaignId: string;
}

/** A run stops taking messages after this long and queues the next run (other jobs get their turn in between). */
export const DISPATCH_RUN_MS = 60_000;
/** Deliveries are recorded this many at a time. */
const DELIVERED_BATCH = 200;
const REPORT_EVERY = 100;

type Counts = Record<'sent' | 'delivered' | 'bounced' | 'failed' | 'unknown', number>;

/**
 * Sends a SENDING campaign's QUEUED messages in id order, as many at once as the transport has connections, at the
 * campaign's rate (messages per minute), each exactly once (MessageSender). A run lasts at most DISPATCH_RUN_MS, then
 * queues the next; when no message is left, the campaign is SENT. A PAUSED or CANCELLED campaign: the run returns (a
 * resume queues a new one). Idempotent: a retried or second run only finds what is still QUEUED.
 */
@Injectable()
@JobHandler(JobName.CAMPAIGN_DISPATCH)
export class CampaignDispatchJob implements JobHandlerContract<CampaignDispatchParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly jobs: JobsService,
    private readonly transport: MailTransport,
    private readonly sender: MessageSender,
    private readonly events: MessageEvents,
  ) {}

  async run(
    { orgId, params }: JobPayload<CampaignDispatchParams>,
    progress: JobProgress,
  ): Promise<Record<string, number>> {
    const campaignId = params?.campaignId;
    if (!isUuid(campaignId)) throw new UnrecoverableError('The run names no campaign');
    const campaign = await this.db.transaction((tx) => loadDispatchCampaign(tx, campaignId));
    if (!campaign || campaign.status !== 'SENDING') return { skipped: 1 };
    if (!campaign.sender || campaign.variants.length === 0)
      throw new UnrecoverableError('The campaign has no sender or no content');
    const [{ queued }] = await this.db.transaction((tx) =>
      tx.query<{ queued: number }>(
        `SELECT count(*)::int AS queued FROM campaign_messages
          WHERE org_id = crm_current_org() AND campaign_id = $1 AND status = 'QUEUED'`,
        [campaignId],
      ),
    );

    const counts: Counts = { sent: 0, delivered: 0, bounced: 0, failed: 0, unknown: 0 };
    const delivered: MessageEventInput[] = [];
    const flush = async () => {
      const batch = delivered.splice(0);
      if (batch.length > 0) await this.db.transaction((tx) => this.events.record(tx, batch));
    };
    const deadline = Date.now() + DISPATCH_RUN_MS;
    const pace = new SendPace(campaign.sendRate);
    const halt: { error: Error | null } = { error: null };
    let handled = 0;
    // messages are taken in id order: the largest taken so far (every smaller one was taken, or held by another run,
    // whose messages a later run finds again if it lets them go)
    let taken: string | null = null;
    const slot = async () => {
      while (halt.error === null && Date.now() < deadline) {
        await pace.wait();
        const sent = await this.sender.sendNext(orgId, campaign, taken);
        if (!sent) return;
        if (taken === null || sent.messageId > taken) taken = sent.messageId;
        if (sent.committed) counts.sent++;
        const kind = sent.outcome.kind;
        counts[kind]++;
        if (kind === 'delivered') delivered.push({ messageId: sent.messageId, event: 'delivered', at: new Date() });
        if (delivered.length >= DELIVERED_BATCH) await flush();
        if (++handled % REPORT_EVERY === 0) await progress.report(handled, queued, { ...counts });
      }
    };
    await Promise.all(
      Array.from({ length: this.transport.concurrency }, () =>
        slot().catch((error: unknown) => {
          halt.error ??= error instanceof Error ? error : new Error('The dispatch stopped');
        }),
      ),
    );
    await flush();
    await progress.report(handled, queued, { ...counts });
    if (halt.error) throw halt.error; // the messages not marked SENT are QUEUED still: the retry sends them

    const finished = await this.db.transaction((tx) =>
      tx.execute(
        `UPDATE campaigns SET status = 'SENT', sent_at = now(), updated_at = now()
          WHERE org_id = crm_current_org() AND id = $1 AND status = 'SENDING'
            AND NOT EXISTS (SELECT 1 FROM campaign_messages
                             WHERE org_id = crm_current_org() AND campaign_id = $1 AND status = 'QUEUED')`,
        [campaignId],
      ),
    );
    if (finished > 0) return { ...counts, finished: 1 };
    const [now] = await this.db.transaction((tx) =>
      tx.query<{ status: string }>('SELECT status FROM campaigns WHERE org_id = crm_current_org() AND id = $1', [
        campaignId,
      ]),
    );
    if (now?.status === 'CANCELLED') await this.db.transaction((tx) => cancelQueuedMessages(tx, campaignId));
    if (now?.status !== 'SENDING') return { ...counts, stoppedByStatus: 1 };
    // nothing to take, yet messages are QUEUED: another run holds them (a resume while this one ran); it goes on
    if (handled === 0) return { ...counts, leftToAnotherRun: 1 };
    const next = await this.jobs.startFollowUp(JobName.CAMPAIGN_DISPATCH, { campaignId });
    // this worker is stopping: fail the run, so that its retry (on another worker) goes on with the campaign
    if (!next) throw new Error('The worker stopped before the campaign was sent: the retry continues');
    return { ...counts, nextRunQueued: 1 };
  }
}
