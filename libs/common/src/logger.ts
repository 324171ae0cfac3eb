import { pino, type Logger } from 'pino';

/** One structured (JSON) logger for every process; level from LOG_LEVEL. */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: process.env.SERVICE_NAME ?? 'crm' },
});

/**
 * A promise rejected where nobody awaits it (a library's background loop meeting a lost connection, say) is logged
 * and the process goes on: the unit of work it belonged to has already failed, and ending the process would end
 * every other one too (and, on `npm start`, the embedded PostgreSQL with it).
 */
export function logUnhandledRejections(): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
}
