import { pino, type Logger } from 'pino';

/** One structured (JSON) logger for every process; level from LOG_LEVEL. */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: process.env.SERVICE_NAME ?? 'crm' },
});
