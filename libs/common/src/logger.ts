import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';

/**
 * How the logs are written: `json` (one object a line, for log collectors, CI and files) or `pretty` (pino-pretty's
 * readable lines, for a person at a terminal). LOG_FORMAT `json` or `pretty` chooses; `auto` (the default) is
 * `pretty` only when stdout is a terminal, and never under a test runner (NODE_ENV=test).
 */
export function logFormat(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return stdoutIsTty && env.NODE_ENV !== 'test' ? 'pretty' : 'json';
}

/** One structured logger for every process; level from LOG_LEVEL, format from LOG_FORMAT (see logFormat). */
export const logger: Logger = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: process.env.SERVICE_NAME ?? 'crm' },
  },
  logFormat(process.env, process.stdout.isTTY === true) === 'pretty'
    ? // synchronous, as pino's own stdout is: a fatal line is out before process.exit
      prettyStream({
        sync: true,
        colorize: process.stdout.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
      })
    : undefined,
);

/**
 * Nest's own messages (app.useLogger) through the same logger, so that a process writes one format. Its `log` level
 * only says which routes it mapped and that it started: debug, so that a start at LOG_LEVEL=info reads as the
 * application's own lines (the processes log through `logger`, never through Nest's Logger).
 */
export const nestLogger: LoggerService = {
  log: (message: unknown) => logger.debug(String(message)),
  error: (message: unknown, trace?: string) => logger.error({ trace }, String(message)),
  warn: (message: unknown) => logger.warn(String(message)),
  debug: (message: unknown) => logger.debug(String(message)),
  verbose: (message: unknown) => logger.trace(String(message)),
};

/**
 * A promise rejected where nobody awaits it (a library's background loop meeting a lost connection, say) is logged
 * and the process goes on: the unit of work it belonged to has already failed, and ending the process would end
 * every other one too (and, on `npm start`, the embedded PostgreSQL with it).
 */
export function logUnhandledRejections(): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
}
