import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobFilesService } from './job-files.service.js';
import { JobHandlersRegistry } from './job-handlers.registry.js';
import { QueueName } from './job-name.enum.js';
import { JobRunsResolver } from './job-runs.resolver.js';
import { JobRunsService } from './job-runs.service.js';
import { JobsService } from './jobs.service.js';
import { queueConnection } from './queue-connection.js';
import { ContactsQueueProcessor, WORKER_OPTIONS } from './queue.processor.js';

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
}

/** Queues (BullMQ on Redis or PostgreSQL), job runs, and — where asked — the processors. */
@Module({})
export class JobsModule {
  static forRoot(options: JobsModuleOptions): DynamicModule {
    const { connection } = queueConnection(options);
    // read by @Processor when the workers start, after this
    Object.assign(WORKER_OPTIONS, { lockDuration: options.lockMs, stalledInterval: options.lockMs });
    return {
      module: JobsModule,
      global: true,
      imports: [
        DiscoveryModule,
        BullModule.forRoot({ connection, prefix: options.prefix }),
        ...Object.values(QueueName).map((name) => BullModule.registerQueue({ name })),
      ],
      providers: [JobRunsService, JobsService, JobFilesService, JobRunsResolver, ...(options.processors ? [JobHandlersRegistry, ContactsQueueProcessor] : [])],
      exports: [JobRunsService, JobsService, JobFilesService],
    };
  }
}
