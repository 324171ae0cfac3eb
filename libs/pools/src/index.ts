export * from './pools.module.js';
export * from './pool.models.js';
export * from './pools.service.js';
export * from './shared-segment.models.js';
export * from './shared-segments.service.js';
export * from './pool-aggregates.models.js';
export * from './pool-aggregates.service.js';
