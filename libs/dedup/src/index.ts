export * from './dedup.module.js';
export * from './merge/contact-merge.model.js';
export * from './merge/merge.service.js';
export * from './matching/evaluation.js';
export * from './matching/match-record.js';
export * from './matching/matcher.js';
export * from './keys/match-keys.service.js';
export * from './keys/duplicate-finder.service.js';
