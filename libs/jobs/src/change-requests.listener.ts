import { type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import pg from 'pg';
import { logger } from '@app/common';
import { TenantContexts } from '@app/database';
import { JobName } from './job-name.enum.js';
import { JobRunsService } from './job-runs.service.js';
import { JobsService } from './jobs.service.js';

const RECONNECT_MS = 2_000;

/** What a listener serves: the triggers' channel and requests table, and the job that does the work. */
export interface ChangeRequestsOptions {
  /** The channel the triggers NOTIFY on commit, with the organization's id as payload. */
  channel: string;
  /** The table (`organization_id`) of the organizations with changes noted: read when (re)connecting. */
  requestsTable: string;
  /** The job queued per organization: it takes the noted changes itself (its handler deletes the request). */
  job: JobName;
  /**
   * Its params. Also what tells the runs this listener waits for from other runs of the same kind: one queued with
   * other params (a delayed one, say) does not count as "already waiting".
   */
  params?: Record<string, string>;
  /** Application-role URL of the database, for the listening connection. */
  url: string;
}

/**
 * Starts the work that changes noted by triggers call for (the audiences' incremental sync, the pools' segment sync).
 * The triggers note what changed and NOTIFY on commit; this listens (in the processes that run jobs) and queues one
 * job per organization, unless one is already waiting — that one will see the new changes too. When it (re)connects
 * it also serves the requests noted while nobody listened.
 */
export class ChangeRequestsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private client: pg.Client | null = null;
  private stopped = false;
  /** Organizations whose job is being queued: a burst of notifications queues one. */
  private readonly queueing = new Map<string, Promise<void>>();
  private again = new Set<string>();
  private readonly params: Record<string, string>;

  constructor(
    private readonly options: ChangeRequestsOptions,
    private readonly runs: JobRunsService,
    private readonly jobs: JobsService,
  ) {
    // both are written into SQL: identifiers only
    for (const name of [options.channel, options.requestsTable])
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Not an SQL identifier: ${name}`);
    this.params = options.params ?? {};
  }

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
    const { channel, requestsTable } = this.options;
    const client = new pg.Client({ connectionString: this.options.url });
    client.on('notification', (message) => message.payload && this.request(message.payload));
    client.on('error', (error) => {
      logger.warn({ err: error, channel }, 'change listener lost its connection');
      this.client = null;
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      this.client = client;
      const { rows } = await client.query<{ orgId: string }>(`SELECT organization_id AS "orgId" FROM ${requestsTable}`);
      for (const { orgId } of rows) this.request(orgId);
    } catch (error) {
      logger.warn({ err: error, channel }, 'change listener could not connect');
      await client.end().catch(() => undefined);
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    }
  }

  private request(orgId: string): void {
    if (this.stopped) return;
    if (this.queueing.has(orgId)) {
      this.again.add(orgId);
      return;
    }
    const done = this.queue(orgId)
      .catch((error: unknown) => logger.warn({ err: error, orgId, job: this.options.job }, 'could not queue a job'))
      .finally(() => {
        this.queueing.delete(orgId);
        if (this.again.delete(orgId)) this.request(orgId);
      });
    this.queueing.set(orgId, done);
  }

  private async queue(orgId: string): Promise<void> {
    const { job } = this.options;
    await TenantContexts.run({ orgId }, async () => {
      if (!(await this.runs.queued(job, this.params))) await this.jobs.startFollowUp(job, { ...this.params });
    });
  }
}

/** A ChangeRequestsListener as a provider (a token of its own: a process may run several). */
export function changeRequestsListener(options: ChangeRequestsOptions): Provider {
  return {
    provide: Symbol(`ChangeRequestsListener(${options.channel})`),
    useFactory: (runs: JobRunsService, jobs: JobsService) => new ChangeRequestsListener(options, runs, jobs),
    inject: [JobRunsService, JobsService],
  };
}
