export * from './campaigns.module.js';
export * from './campaigns-options.js';
export * from './tracking/tracking-token.js';
export * from './messages/message-events.js';
export { parseTemplate, MERGE_FIELDS, TEMPLATE_LIMITS, type ParsedTemplate } from './render/merge-fields.js';
export { extractLinks } from './render/links.js';
export * from './render/render-message.js';
export type { SenderDetails } from './render/footer.js';
