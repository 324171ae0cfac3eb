export * from './engagement.module.js';
export * from './analytics/engagement-stats.models.js';
export * from './analytics/engagement-stats.service.js';
export * from './interactions/contact-engagement.js';
export * from './interactions/engagement-terms.js';
export * from './interactions/interaction-rows.js';
export * from './interactions/interaction.models.js';
export * from './interactions/interactions.service.js';
