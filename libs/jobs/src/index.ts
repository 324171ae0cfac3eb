export * from './job-handler.js';
export * from './job-handlers.registry.js';
export * from './job-name.enum.js';
export * from './job-run.model.js';
export * from './job-runs.service.js';
export * from './jobs.module.js';
export * from './jobs.service.js';
export * from './queue-connection.js';
