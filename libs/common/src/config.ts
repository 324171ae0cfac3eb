import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

/**
 * Every environment variable the processes read, validated at boot: a bad
 * value stops the process with a message naming the variable.
 * Secrets are marked `(secret)` and never logged.
 */
export class AppConfig {
  /** HTTP port of the API. */
  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Health port of `apps/worker` (default PORT + 1). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  WORKER_PORT?: number;

  /** Owner connection (runs migrations). Unset: embedded PostgreSQL in EMBEDDED_PG_DIR. (secret) */
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Application connection (role crm_app). Unset: DATABASE_URL with user crm_app. (secret) */
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_APP_URL must be a postgres:// URL' })
  DATABASE_APP_URL?: string;

  /** Password given to the crm_app role by `npm run migrate`. (secret) */
  @IsString()
  DATABASE_APP_PASSWORD = 'crm_app';

  @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** Queue backend: Redis when set, else BullMQ's PostgreSQL backend on the application database. (secret) */
  @IsOptional() @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  /** Prefix of the queues' keys on Redis (lets several deployments or test runs share one Redis). */
  @Matches(/^[a-z][a-z0-9_-]{0,30}$/, { message: 'QUEUE_PREFIX must be lowercase letters, digits, _ or -' })
  QUEUE_PREFIX = 'crm';

  /** Queue dashboard (bull-board) at /admin/queues behind HTTP Basic auth; off when unset. (secret) */
  @IsOptional() @IsString() @MinLength(12, { message: 'QUEUE_DASHBOARD_PASSWORD must be at least 12 characters' })
  QUEUE_DASHBOARD_PASSWORD?: string;

  /** User name of the queue dashboard's Basic auth. */
  @Matches(/^[^:\s]{1,64}$/, { message: 'QUEUE_DASHBOARD_USER must be 1 to 64 characters, without spaces or ":"' })
  QUEUE_DASHBOARD_USER = 'admin';

  /** How long a job's lock lasts unrenewed, in ms: a job whose worker died is retried after about this long. */
  @Transform(toInt) @IsInt() @Min(1_000) @Max(600_000)
  JOB_LOCK_MS = 30_000;

  /** Run the job processors inside the API process (default: only on the embedded database). */
  @IsOptional() @Transform(toBool) @IsBoolean()
  RUN_JOBS_IN_API?: boolean;

  /** Data folder of the embedded PostgreSQL. */
  @IsString()
  EMBEDDED_PG_DIR = '.data/pg';

  @Transform(toInt) @IsInt() @Min(1024) @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  /** Run migrations when the API starts (default: only on the embedded database). */
  @IsOptional() @Transform(toBool) @IsBoolean()
  MIGRATE_ON_START?: boolean;

  /** Seed the demo organizations on an empty database (default: only on the embedded database). */
  @IsOptional() @Transform(toBool) @IsBoolean()
  SEED_DEMO?: boolean;

  /** The largest file `POST /imports` accepts, in bytes (default 500 MB). */
  @Transform(toInt) @IsInt() @Min(1024)
  IMPORT_MAX_BYTES = 500 * 1024 * 1024;

  /** How long a verified API key is trusted without a database round trip, in ms (0 = never). */
  @Transform(toInt) @IsInt() @Min(0) @Max(60_000)
  AUTH_CACHE_MS = 5_000;

  /** GraphQL limits. */
  @Transform(toInt) @IsInt() @Min(2) @Max(50)
  GRAPHQL_MAX_DEPTH = 10;

  @Transform(toInt) @IsInt() @Min(100)
  GRAPHQL_MAX_COST = 20_000;

  @Transform(toInt) @IsInt() @Min(1) @Max(100)
  GRAPHQL_MAX_ALIASES = 15;

  @Transform(toBool) @IsBoolean()
  GRAPHQL_INTROSPECTION = true;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}

export type Config = Readonly<AppConfig>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return Object.freeze(config);
}

/** True when the processes run on the embedded PostgreSQL (no DATABASE_URL). */
export function usesEmbeddedDatabase(config: Config): boolean {
  return !config.DATABASE_URL;
}
