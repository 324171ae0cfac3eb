export * from './campaigns.module.js';
export * from './campaigns-options.js';
export * from './tracking/tracking-token.js';
export * from './messages/message-events.js';
export * from './campaign-body-parsers.js';
