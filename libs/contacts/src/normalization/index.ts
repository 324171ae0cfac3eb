export * from './normalize-result.js';
export * from './normalize-email.util.js';
export * from './normalize-phone.util.js';
export * from './normalize-postal-code.util.js';
export * from './normalize-name.util.js';
export * from './quebec-region.util.js';
export * from './calendar-date.util.js';
