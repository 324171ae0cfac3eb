/** The queues; a worker process serves all of them (scale by running more workers). `contacts` carries every job on people's data. */
export enum QueueName {
  CONTACTS = 'contacts',
}

/** Every kind of job; each has exactly one handler (the worker refuses to start otherwise). */
export enum JobName {
  EXPORT_CONTACTS = 'contacts.export',
  IMPORT_CONTACTS = 'contacts.import',
  DEDUP_CONTACTS = 'contacts.dedup',
  IMPORT_INTERACTIONS = 'interactions.import',
  REFRESH_AUDIENCE = 'audiences.refresh',
  SYNC_AUDIENCES = 'audiences.sync',
  IMPORT_AUDIENCE_MEMBERS = 'audiences.import-members',
  SYNC_POOL_SEGMENTS = 'pools.sync-segments',
  COPY_REVEAL = 'pools.copy-reveal',
  POOL_BENCHMARK_FIGURES = 'pools.benchmark-figures',
  CAMPAIGN_DISPATCH = 'campaigns.dispatch',
}

/** The imports: their run's file is its rejected rows, served by `GET /imports/:id/rejected-rows` (an export's by `GET /exports/:id`). */
export const IMPORT_JOBS: readonly JobName[] = [
  JobName.IMPORT_CONTACTS,
  JobName.IMPORT_INTERACTIONS,
  JobName.IMPORT_AUDIENCE_MEMBERS,
];

export const QUEUE_OF: Record<JobName, QueueName> = {
  [JobName.EXPORT_CONTACTS]: QueueName.CONTACTS,
  [JobName.IMPORT_CONTACTS]: QueueName.CONTACTS,
  [JobName.DEDUP_CONTACTS]: QueueName.CONTACTS,
  [JobName.IMPORT_INTERACTIONS]: QueueName.CONTACTS,
  [JobName.REFRESH_AUDIENCE]: QueueName.CONTACTS,
  [JobName.SYNC_AUDIENCES]: QueueName.CONTACTS,
  [JobName.IMPORT_AUDIENCE_MEMBERS]: QueueName.CONTACTS,
  [JobName.SYNC_POOL_SEGMENTS]: QueueName.CONTACTS,
  [JobName.COPY_REVEAL]: QueueName.CONTACTS,
  [JobName.POOL_BENCHMARK_FIGURES]: QueueName.CONTACTS,
  [JobName.CAMPAIGN_DISPATCH]: QueueName.CONTACTS,
};
