export * from './dedup.module.js';
