export * from './pools.module.js';
export * from './pool.models.js';
export * from './pools.service.js';
