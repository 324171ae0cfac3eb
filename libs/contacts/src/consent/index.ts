export * from './consent-state.util.js';
export * from './consent.model.js';
export * from './consent.types.js';
export * from './consent-state.sql.js';
export * from './merged-consent.util.js';
