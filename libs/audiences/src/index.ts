export * from './audiences.module.js';
export * from './audience.models.js';
export * from './audiences.service.js';
export * from './membership/audience-membership.js';
export * from './rules/audience-rule.input.js';
export * from './rules/rule-compiler.js';
export * from './static/static-lists-on-merge.js';
