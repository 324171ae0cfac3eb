/** The queues; a worker process serves all of them (scale by running more workers). */
export enum QueueName {
  CONTACTS = 'contacts',
}

/** Every kind of job; each has exactly one handler (the worker refuses to start otherwise). */
export enum JobName {
  EXPORT_CONTACTS = 'contacts.export',
  IMPORT_CONTACTS = 'contacts.import',
  DEDUP_CONTACTS = 'contacts.dedup',
}

export const QUEUE_OF: Record<JobName, QueueName> = {
  [JobName.EXPORT_CONTACTS]: QueueName.CONTACTS,
  [JobName.IMPORT_CONTACTS]: QueueName.CONTACTS,
  [JobName.DEDUP_CONTACTS]: QueueName.CONTACTS,
};
