export * from './campaigns.module.js';
export * from './campaigns-options.js';
export * from './tracking/tracking-token.js';
export * from './messages/message-events.js';
export * from './stats/campaign-stats.models.js';
export * from './stats/campaign-stats.service.js';
export * from './demo/demo-campaigns.js';
