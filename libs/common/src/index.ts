export * from './app-error.js';
export * from './config.js';
export * from './cursor.util.js';
export * from './logger.js';
export * from './input-validation.pipe.js';
export * from './public.decorator.js';
export * from './json-object.scalar.js';
export * from './page-info.model.js';
