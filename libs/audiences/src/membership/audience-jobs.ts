import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { AppError, logger } from '@app/common';
import { TenantContexts, TenantDb } from '@app/database';
import { JobHandler, type JobHandlerContract, JobName, type JobPayload, JobRunsService, JobsService } from '@app/jobs';
import { AudienceMembership, RefreshReason, type RefreshResult } from './audience-membership.js';

export interface RefreshAudienceParams {
  audienceId: string;
  reason: RefreshReason;
}

const DAY_MS = 86_400_000;

/** Above this many changed contacts, the sync re-evaluates every contact: one pass costs less than scoping to a huge list. */
export const FULL_SYNC_ABOVE = 200_000;

/**
 * A full refresh of one dynamic audience, then of those whose rules name it. One transaction: a retry after a crash
 * recomputes from the data and ends as one clean run. A time-relative audience then gets its next refresh a day later.
 */
@Injectable()
@JobHandler(JobName.REFRESH_AUDIENCE)
export class RefreshAudienceJob implements JobHandlerContract<RefreshAudienceParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly membership: AudienceMembership,
    private readonly jobs: JobsService,
    private readonly runs: JobRunsService,
  ) {}

  async run({ params }: JobPayload<RefreshAudienceParams>): Promise<Record<string, number>> {
    const { results, timeRelative } = await this.db.transaction(async (tx) => {
      await this.membership.lockAudiences(tx);
      const [audience] = await tx.query<{ kind: string }>('SELECT kind FROM audiences WHERE id = $1', [
        params.audienceId,
      ]);
      if (audience?.kind !== 'DYNAMIC') return { results: new Map<string, RefreshResult>(), timeRelative: false };
      const context = await this.membership.ruleContext(tx, new Date(), true);
      const results = await this.membership
        .refreshWithDependents(tx, [params.audienceId], context, params.reason)
        .catch((error: unknown) => {
          // a rule that no longer compiles (its attribute was deleted) fails the same way every time: no retry
          throw error instanceof AppError
            ? new UnrecoverableError(`An audience's rule no longer compiles: ${error.message} (${error.field})`)
            : error;
        });
      const [{ timeRelative }] = await tx.query<{ timeRelative: boolean }>(
        'SELECT time_relative AS "timeRelative" FROM audiences WHERE id = $1',
        [params.audienceId],
      );
      return { results, timeRelative };
    });
    if (timeRelative) await this.scheduleDaily(params.audienceId);
    const own = results.get(params.audienceId);
    return { audiences: results.size, size: own?.size ?? 0, entered: own?.entered ?? 0, left: own?.left ?? 0 };
  }

  /**
   * The next daily refresh, unless one is already waiting. The system's, not the member's whose refresh this was: a
   * run acts for its creator only while they are a member, and the schedule must outlive them.
   */
  private async scheduleDaily(audienceId: string): Promise<void> {
    const params: RefreshAudienceParams = { audienceId, reason: RefreshReason.DAILY };
    await TenantContexts.run({ orgId: TenantContexts.require().orgId, job: true }, async () => {
      if (!(await this.runs.queued(JobName.REFRESH_AUDIENCE, { ...params })))
        await this.jobs.start(JobName.REFRESH_AUDIENCE, params, undefined, DAY_MS);
    });
  }
}

/**
 * The incremental sync: takes the contacts whose data changed since the last sync (noted by triggers) and
 * re-evaluates every dynamic audience on them alone, dependencies first. One transaction, so a crash leaves the
 * changes pending and the retry does the same work.
 */
@Injectable()
@JobHandler(JobName.SYNC_AUDIENCES)
export class SyncAudiencesJob implements JobHandlerContract<object> {
  constructor(
    private readonly db: TenantDb,
    private readonly membership: AudienceMembership,
  ) {}

  async run(): Promise<Record<string, number>> {
    // the request only wakes a worker (the pending rows are the work): taken apart, so that writers never wait for the sync
    await this.db.transaction((tx) =>
      tx.execute('DELETE FROM audience_sync_requests WHERE organization_id = crm_current_org()'),
    );
    return this.db.transaction(async (tx) => {
      await this.membership.lockAudiences(tx);
      const changed = (
        await tx.query<{ id: string }>(
          'WITH taken AS (DELETE FROM audience_pending_contacts RETURNING contact_id) SELECT DISTINCT contact_id AS id FROM taken',
        )
      ).map((row) => row.id);
      const counts = { contacts: changed.length, audiences: 0, entered: 0, left: 0, invalidRules: 0 };
      if (changed.length === 0) return counts;
      const context = await this.membership.ruleContext(tx, new Date(), true);
      const scope = changed.length > FULL_SYNC_ABOVE ? undefined : changed;
      for (const audience of await this.membership.dynamicAudiences(tx)) {
        let result;
        try {
          result = await this.membership.refresh(tx, audience, context, RefreshReason.CHANGES, scope);
        } catch (error) {
          // a rule that no longer compiles (its attribute was deleted) must not hold back the others
          if (!(error instanceof AppError)) throw error;
          logger.warn(
            { audienceId: audience.id, reason: error.message },
            'audience rule no longer compiles; its members are left as they were',
          );
          counts.invalidRules++;
          continue;
        }
        counts.audiences++;
        counts.entered += result.entered;
        counts.left += result.left;
      }
      return counts;
    });
  }
}
