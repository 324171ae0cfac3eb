export * from './pools.module.js';
export * from './pool.models.js';
export * from './pools.service.js';
export * from './shared-segment.models.js';
export * from './shared-segments.service.js';
export * from './reveals/pool-reveal.models.js';
export * from './reveals/pool-reveals.service.js';
export * from './reveals/copy-reveal.job.js';
