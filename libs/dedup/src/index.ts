export * from './dedup.module.js';
export * from './merge/contact-merge.model.js';
export * from './merge/merge.service.js';
