import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { logger } from '@app/common';
import { TenantContexts, TenantDb, type Tx } from '@app/database';
import { QueueName } from '../job-name.enum.js';
import { JobsService } from '../jobs.service.js';
import { PeriodicTask } from '../periodic-task.js';
import { RETENTION_PURGE, type RetentionPolicy, type RetentionPurgeContract } from './retention-policy.js';

export const RETENTION_POLICY = Symbol('RETENTION_POLICY');

/** The first sweep waits for the process to settle; then one an hour (retention is counted in days). */
const FIRST_SWEEP_MS = 60_000;
const SWEEP_EVERY_MS = 3_600_000;

/**
 * Expires what outlived its purpose (RETENTION_DAYS_*), in the processes that run jobs: every @RetentionPurge provider
 * in each organization's tenant transaction, then the queue's finished jobs. Each such process sweeps on its own
 * timer; a sweep deletes only what has expired, so two at once remove it once.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private purges: RetentionPurgeContract[] = [];
  private readonly task = new PeriodicTask(
    () => this.sweep(),
    SWEEP_EVERY_MS,
    'retention sweep failed; retried at the next one',
  );

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    private readonly db: TenantDb,
    private readonly jobs: JobsService,
    @Inject(RETENTION_POLICY) private readonly policy: RetentionPolicy,
  ) {}

  onApplicationBootstrap(): void {
    this.purges = this.discovery
      .getProviders()
      .filter(
        (wrapper) =>
          typeof wrapper.metatype === 'function' &&
          wrapper.instance &&
          this.reflector.get<boolean | undefined>(RETENTION_PURGE, wrapper.metatype),
      )
      .map((wrapper) => wrapper.instance as RetentionPurgeContract);
    this.task.start(FIRST_SWEEP_MS);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Removes what has expired at `now` (a later time simulates waiting); returns how much, by kind. */
  async sweep(now = new Date()): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    const add = (counts: Record<string, number>) => {
      for (const [kind, n] of Object.entries(counts)) totals[kind] = (totals[kind] ?? 0) + n;
    };
    // the application role cannot list organizations: this function gives their ids, nothing else
    const organizations = (
      await this.dataSource.query<{ id: string }[]>('SELECT id FROM crm_organization_ids() AS id')
    ).map((row) => row.id);
    for (const orgId of organizations) {
      if (this.task.stopping) break;
      try {
        add(await TenantContexts.run({ orgId }, () => this.db.transaction((tx) => this.purgeTenant(tx, now))));
      } catch (error) {
        // one organization's failure (a lock timeout) must not keep the others' data
        logger.warn({ err: error, orgId }, 'retention purge failed for an organization; retried at the next sweep');
        add({ failedOrganizations: 1 });
      }
    }
    add(await this.expireQueueHistory(now));
    if (Object.values(totals).some((n) => n > 0)) logger.info({ retention: totals }, 'expired data removed');
    return totals;
  }

  private async purgeTenant(tx: Tx, now: Date): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const purge of this.purges) Object.assign(counts, await purge.purge(tx, now, this.policy));
    return counts;
  }

  /**
   * BullMQ trims finished jobs by age only when later jobs finish: an idle queue would keep its failed jobs (their
   * payloads, their errors) forever. Ages are counted from `now`.
   */
  private async expireQueueHistory(now: Date): Promise<Record<string, number>> {
    const graceMs = (days: number) => days * 86_400_000 - (now.getTime() - Date.now());
    let failedJobs = 0;
    let completedJobs = 0;
    for (const name of Object.values(QueueName)) {
      const queue = this.jobs.queue(name);
      failedJobs += (await queue.clean(graceMs(this.policy.queueDays), 0, 'failed')).length;
      completedJobs += (await queue.clean(graceMs(Math.min(1, this.policy.queueDays)), 0, 'completed')).length;
    }
    return { failedJobs, completedJobs };
  }
}
