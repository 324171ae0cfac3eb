import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Config } from '@app/common';
import { QUEUE_NAMES } from '@app/database';
import { JobFilesService } from './job-files.service.js';
import { JobHandlersRegistry } from './job-handlers.registry.js';
import { QueueName } from './job-name.enum.js';
import { JobQueues, QUEUE_PREFIX } from './job-queues.js';
import { JobRunsReaper, REAPER_INTERVAL_MS } from './job-runs.reaper.js';
import { JobRunsService, RUN_ROLE, type RunRole } from './job-runs.service.js';
import { JOB_OPTIONS, JobsService } from './jobs.service.js';
import { queueConnection } from './queue-connection.js';
import { ContactsQueueProcessor, WORKER_OPTIONS } from './queue.processor.js';
import { JobRunsRetention } from './retention/job-runs.retention.js';
import {
  DEFAULT_RETENTION,
  finishedJobsKept,
  retentionPolicy,
  type RetentionPolicy,
} from './retention/retention-policy.js';
import { RETENTION_POLICY, RetentionService } from './retention/retention.service.js';

export interface JobsModuleOptions {
  redisUrl?: string;
  /** Key prefix on Redis. */
  prefix: string;
  /** Application-role URL (the PostgreSQL backend's connection when there is no Redis). */
  appUrl: string;
  /** How long a job's lock lasts unrenewed: a dead worker's jobs are retried after about this long. */
  lockMs: number;
  /** Run the processors in this process (apps/worker; the API too on the embedded default). */
  processors: boolean;
  /** RETENTION_DAYS_*: the processes that run jobs also expire what outlived its purpose. */
  retention?: RetentionPolicy;
  /** JOB_REAPER_INTERVAL_MS: how often the processes that run jobs reconcile runs with the queue (default a minute). */
  reaperIntervalMs?: number;
  /** The role a run acts with: runRole, from libs/tenancy (libs/jobs knows no roles). */
  runRole: RunRole;
}

/** The options the configuration gives (an app adds `processors` and `runRole`). */
export function jobsOptions(config: Config, appUrl: string): Omit<JobsModuleOptions, 'processors' | 'runRole'> {
  return {
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    appUrl,
    lockMs: config.JOB_LOCK_MS,
    reaperIntervalMs: config.JOB_REAPER_INTERVAL_MS,
    retention: retentionPolicy(config),
  };
}

/** Queues (BullMQ on Redis or PostgreSQL), job runs, and — where asked — the processors. */
@Module({})
export class JobsModule {
  static forRoot(options: JobsModuleOptions): DynamicModule {
    const { connection } = queueConnection(options);
    // the PostgreSQL backend's per-queue objects are made by the migration, for the queues it knows
    const unknown = Object.values(QueueName).filter((name) => !QUEUE_NAMES.includes(name));
    if (unknown.length)
      throw new Error(`Queues missing from QUEUE_NAMES (libs/database/src/migrate.ts): ${unknown.join(', ')}`);
    // read by @Processor when the workers start, after this
    Object.assign(WORKER_OPTIONS, { lockDuration: options.lockMs, stalledInterval: options.lockMs });
    const retention = options.retention ?? DEFAULT_RETENTION;
    Object.assign(JOB_OPTIONS, finishedJobsKept(retention));
    return {
      module: JobsModule,
      global: true,
      imports: [
        DiscoveryModule,
        BullModule.forRoot({ connection, prefix: options.prefix }),
        ...Object.values(QueueName).map((name) => BullModule.registerQueue({ name })),
      ],
      providers: [
        JobRunsService,
        JobsService,
        JobFilesService,
        JobQueues,
        { provide: QUEUE_PREFIX, useValue: options.prefix },
        { provide: RUN_ROLE, useValue: options.runRole },
        ...(options.processors ? [JobHandlersRegistry, ContactsQueueProcessor] : []),
        ...(options.processors
          ? [{ provide: REAPER_INTERVAL_MS, useValue: options.reaperIntervalMs ?? 60_000 }, JobRunsReaper]
          : []),
        ...(options.processors
          ? [{ provide: RETENTION_POLICY, useValue: retention }, JobRunsRetention, RetentionService]
          : []),
      ],
      exports: [JobRunsService, JobsService, JobFilesService],
    };
  }
}
