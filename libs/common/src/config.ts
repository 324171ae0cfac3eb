import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

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
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Health port of `apps/worker` (default PORT + 1). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_PORT?: number;

  /** Owner connection (runs migrations). Unset: embedded PostgreSQL in EMBEDDED_PG_DIR. (secret) */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Application connection (role crm_app). Unset: DATABASE_URL with user crm_app. (secret) */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_APP_URL must be a postgres:// URL' })
  DATABASE_APP_URL?: string;

  /**
   * Password given to the crm_app role by `npm run migrate`; required with DATABASE_URL unless DATABASE_APP_URL is set.
   * Unset on the embedded database: a random one, kept in the data folder. (secret)
   */
  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'DATABASE_APP_PASSWORD must be at least 12 characters' })
  DATABASE_APP_PASSWORD?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** How long a unit of work waits for a free connection before it fails (SERVICE_UNAVAILABLE), in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DATABASE_ACQUIRE_TIMEOUT_MS = 10_000;

  /** statement_timeout (and idle-in-transaction timeout) of a request's transactions, in ms: past it, TIMEOUT. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 60_000;

  /** The same for jobs (imports, refreshes, exports of a million rows), in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  JOB_STATEMENT_TIMEOUT_MS = 1_800_000;

  /** Queue backend: Redis when set, else BullMQ's PostgreSQL backend on the application database. (secret) */
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  /** Prefix of the queues' keys on Redis (lets several deployments or test runs share one Redis). */
  @Matches(/^[a-z][a-z0-9_-]{0,30}$/, { message: 'QUEUE_PREFIX must be lowercase letters, digits, _ or -' })
  QUEUE_PREFIX = 'crm';

  /** Queue dashboard (bull-board) at /admin/queues behind HTTP Basic auth; off when unset. (secret) */
  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'QUEUE_DASHBOARD_PASSWORD must be at least 12 characters' })
  QUEUE_DASHBOARD_PASSWORD?: string;

  /** User name of the queue dashboard's Basic auth. */
  @Matches(/^[^:\s]{1,64}$/, { message: 'QUEUE_DASHBOARD_USER must be 1 to 64 characters, without spaces or ":"' })
  QUEUE_DASHBOARD_USER = 'admin';

  /** How long a job's lock lasts unrenewed, in ms: a job whose worker died is retried after about this long. */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  JOB_LOCK_MS = 30_000;

  /**
   * How often the processes that run jobs reconcile job runs with the queue, in ms (also the grace before a run
   * counts as stale): a run whose job was never queued is queued, one whose job is gone or failed for good is FAILED.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  JOB_REAPER_INTERVAL_MS = 60_000;

  /** Days the files of finished job runs (exports, import uploads, rejected rows) are kept; 0: purged at the next sweep. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3650)
  RETENTION_DAYS_FILES = 30;

  /** Days the errors (with the rows' values they quote) of finished job runs are kept. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3650)
  RETENTION_DAYS_JOB_ERRORS = 30;

  /** Days failed jobs (their data and failure) stay in the queue; completed ones stay at most a day. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3650)
  RETENTION_DAYS_QUEUE = 30;

  /** Days a merge can be undone: then its snapshot of the contacts before the merge is erased. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3650)
  RETENTION_DAYS_MERGE_UNDO = 365;

  /** Run the job processors inside the API process (default: only on the embedded database). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  RUN_JOBS_IN_API?: boolean;

  /** Data folder of the embedded PostgreSQL. */
  @IsString()
  EMBEDDED_PG_DIR = '.data/pg';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  /** Run migrations when the API starts (default: only on the embedded database). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  MIGRATE_ON_START?: boolean;

  /** Seed the demo organizations on an empty database (default: only on the embedded database). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  SEED_DEMO?: boolean;

  /**
   * Threads a full dedup run compares on: the job's own and DEDUP_THREADS − 1 worker threads. They share one table of
   * the organization's match records; each worker copies the values it compares by spelling (names, phones...).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  DEDUP_THREADS = 2;

  /** The largest file `POST /imports` accepts, in bytes (default 500 MB). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  IMPORT_MAX_BYTES = 500 * 1024 * 1024;

  /**
   * How long a client may take to send a request, in ms: its headers, then its body (any route but the uploads).
   * A client slower than this gets 408 and its connection is closed (slow-client attacks hold connections open).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 30_000;

  /** The same for the body of an upload (`POST /imports`...): 500 MB in the default hour needs about 1.2 Mbit/s. */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  UPLOAD_TIMEOUT_MS = 3_600_000;

  /** Requests per minute per API key (per client address without one); 429 with Retry-After past it; 0 = no limit. Shared through Redis when REDIS_URL is set. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_MINUTE = 600;

  /**
   * Which proxies' X-Forwarded-For names the client (Fastify's trustProxy): `true`, `false`, or addresses, CIDR
   * ranges and proxy-addr names (loopback, linklocal, uniquelocal), comma-separated. The default trusts private
   * networks only, so a client on the internet cannot choose the address it is rate-limited and logged under.
   */
  @Matches(/^(true|false|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, {
    message: 'TRUST_PROXY must be true, false or a comma-separated list of addresses',
  })
  TRUST_PROXY = 'loopback,linklocal,uniquelocal';

  /** How long a verified API key is trusted without a database round trip, in ms (0 = never). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  AUTH_CACHE_MS = 5_000;

  /** GraphQL limits. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(50)
  GRAPHQL_MAX_DEPTH = 10;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  GRAPHQL_MAX_COST = 20_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  GRAPHQL_MAX_ALIASES = 15;

  /** Tokens a GraphQL document may hold; the parser stops at the first one past it (400 GRAPHQL_PARSE_FAILED). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(100_000)
  GRAPHQL_MAX_TOKENS = 5_000;

  @Transform(toBool)
  @IsBoolean()
  GRAPHQL_INTROSPECTION = true;

  /**
   * A GraphQL explorer (Apollo Sandbox) for a browser's GET /graphql (default: only on the embedded database).
   * The page loads Apollo's script from its CDN in the browser; POST requests still need a non-simple content type.
   */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  GRAPHQL_EXPLORER?: boolean;

  /**
   * Campaign email goes through this SMTP server (smtp:// or smtps://, credentials in the URL). Unset: messages are
   * written to MAIL_OUTBOX_DIR as .eml files, nothing leaves the machine. (secret)
   */
  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** Where campaign messages are written when SMTP_URL is unset. */
  @IsString()
  MAIL_OUTBOX_DIR = '.data/outbox';

  /** The address recipients reach the API at: tracking links, the open pixel and unsubscribe links start with it (default http://localhost:PORT). */
  @IsOptional()
  @Matches(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, {
    message: 'PUBLIC_URL must be an http:// or https:// URL without query',
  })
  PUBLIC_URL?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** `pretty`: readable lines (pino-pretty); `json`: one JSON object a line; `auto`: pretty when stdout is a terminal. */
  @IsIn(['auto', 'json', 'pretty'])
  LOG_FORMAT = 'auto';
}

export type Config = Readonly<AppConfig>;

/** The address recipients reach the API at, without a trailing slash. */
export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  const lines = [
    ...errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`),
    ...defaultSecrets(config),
  ];
  if (lines.length > 0) throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  return Object.freeze(config);
}

/** Well-known passwords are refused on a real database (the embedded one makes its own, at random). */
function defaultSecrets(config: AppConfig): string[] {
  if (!config.DATABASE_URL) return [];
  const problems: string[] = [];
  const passwordOf = (url: string) => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  };
  if (['postgres', 'crm_app'].includes(passwordOf(config.DATABASE_URL)))
    problems.push('DATABASE_URL: a default password is refused; set a secret one');
  if (config.DATABASE_APP_URL) {
    if (passwordOf(config.DATABASE_APP_URL) === 'crm_app')
      problems.push('DATABASE_APP_URL: the default password crm_app is refused; set a secret one');
  } else if (!config.DATABASE_APP_PASSWORD) {
    problems.push(
      'DATABASE_APP_PASSWORD: required with DATABASE_URL (the password npm run migrate gives the crm_app role)',
    );
  }
  return problems;
}

/** True when the processes run on the embedded PostgreSQL (no DATABASE_URL). */
export function usesEmbeddedDatabase(config: Config): boolean {
  return !config.DATABASE_URL;
}
