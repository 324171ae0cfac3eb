import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { logger } from '@app/common';
import { TenantContexts } from '@app/database';
import { JobName, JobRunsService, JobsService } from '@app/jobs';

export const AUDIENCE_CHANGES_URL = Symbol('AUDIENCE_CHANGES_URL');
const CHANNEL = 'crm_audience_changes';
const RECONNECT_MS = 2_000;

/**
 * Starts the incremental sync of an organization's audiences when its contacts change. The triggers of the
 * audiences migration note the changed contacts and NOTIFY on commit; this listens (in the processes that run jobs)
 * and queues one sync per organization, unless one is already waiting — that one will see the new changes too.
 * When it (re)connects it also serves the requests noted while nobody listened.
 */
@Injectable()
export class AudienceChangesListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private client: pg.Client | null = null;
  private stopped = false;
  /** Organizations whose sync is being queued: a burst of notifications queues one. */
  private readonly queueing = new Map<string, Promise<void>>();
  private again = new Set<string>();

  constructor(
    @Inject(AUDIENCE_CHANGES_URL) private readonly url: string,
    private readonly runs: JobRunsService,
    private readonly jobs: JobsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
    await Promise.allSettled(this.queueing.values());
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => message.payload && this.requestSync(message.payload));
    client.on('error', (error) => {
      logger.warn({ err: error }, 'audience changes listener lost its connection');
      this.client = null;
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.client = client;
      const { rows } = await client.query<{ orgId: string }>(
        'SELECT organization_id AS "orgId" FROM audience_sync_requests',
      );
      for (const { orgId } of rows) this.requestSync(orgId);
    } catch (error) {
      logger.warn({ err: error }, 'audience changes listener could not connect');
      await client.end().catch(() => undefined);
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    }
  }

  private requestSync(orgId: string): void {
    if (this.stopped) return;
    if (this.queueing.has(orgId)) {
      this.again.add(orgId);
      return;
    }
    const done = this.queueSync(orgId)
      .catch((error: unknown) => logger.warn({ err: error, orgId }, 'could not queue an audience sync'))
      .finally(() => {
        this.queueing.delete(orgId);
        if (this.again.delete(orgId)) this.requestSync(orgId);
      });
    this.queueing.set(orgId, done);
  }

  private async queueSync(orgId: string): Promise<void> {
    await TenantContexts.run({ orgId }, async () => {
      if (!(await this.runs.queued(JobName.SYNC_AUDIENCES))) await this.jobs.startFollowUp(JobName.SYNC_AUDIENCES, {});
    });
  }
}
