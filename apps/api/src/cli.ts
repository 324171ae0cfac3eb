import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppError, type Config, ConfigError, loadConfig, logger } from '@app/common';
import { DatabaseModule, type PreparedDatabase, prepareDatabase, TenantContexts, TenantDb } from '@app/database';
import { OrganizationsService, TenancyModule } from '@app/tenancy';

const USAGE = `Usage: npm run crm -- <command>
  migrate                                   apply pending migrations (as the owner role)
  org:create <name> --owner <email> [--owner-name <name>]
                                            create an organization and its OWNER; prints the owner's first API key
  engagement:rebuild --org <id>             rebuild an organization's rollups and activity tables from its interactions`;

@Module({})
class CliModule {
  static forRoot(config: Config, database: PreparedDatabase): DynamicModule {
    return {
      module: CliModule,
      imports: [
        DatabaseModule.forRoot({ ...config, DATABASE_POOL_SIZE: 2 }, database),
        TenancyModule.forRoot({ authCacheMs: 0 }),
      ],
    };
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { owner: { type: 'string' }, 'owner-name': { type: 'string' }, org: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  const config = loadConfig();

  switch (command) {
    case 'migrate': {
      await prepareDatabase({ ...config, MIGRATE_ON_START: true });
      process.stdout.write('Migrations are up to date.\n');
      return 0;
    }
    case 'org:create': {
      const name = rest.join(' ').trim();
      if (!name || !values.owner) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      const owner = values.owner;
      const created = await inContext(config, (context) =>
        context.get(OrganizationsService).create(name, owner, values['owner-name'] ?? null),
      );
      process.stdout.write(
        `Organization "${created.organization.name}" (${created.organization.id}) created.\n` +
          `Owner: ${created.owner.email}\nAPI key (shown once, keep it safe):\n${created.token}\n`,
      );
      return 0;
    }
    case 'engagement:rebuild': {
      const orgId = values.org;
      if (!orgId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orgId)) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      const started = performance.now();
      const counts = await inContext(config, (context) =>
        TenantContexts.run({ orgId, job: true }, () =>
          context.get(TenantDb).transaction(async (tx) => {
            const [organization] = await tx.query('SELECT 1 FROM organizations WHERE id = $1', [orgId]);
            if (!organization) throw AppError.notFound(`Organization ${orgId}`);
            // an operator's command over every interaction of the organization: no time limit
            await tx.query('SET LOCAL statement_timeout = 0');
            await tx.query('SELECT crm_engagement_rebuild($1)', [orgId]);
            const [row] = await tx.query<{ interactions: number; contacts: number }>(
              `SELECT (SELECT count(*) FROM interactions)::int AS interactions,
                      (SELECT count(*) FROM contact_activity WHERE series = 'ALL')::int AS contacts`,
            );
            return row;
          }),
        ),
      );
      process.stdout.write(
        `Rebuilt from ${counts.interactions} interactions (${counts.contacts} contacts with any) in ${Math.round(performance.now() - started)} ms.\n`,
      );
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

/** Runs `work` with the application's services (the database prepared, not migrated), then closes them. */
async function inContext<T>(config: Config, work: (context: INestApplicationContext) => Promise<T>): Promise<T> {
  const database = await prepareDatabase(config);
  const context = await NestFactory.createApplicationContext(CliModule.forRoot(config, database), {
    logger: ['error'],
  });
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof AppError) process.stderr.write(`${error.message}\n`);
    else logger.fatal({ err: error }, 'command failed');
    process.exit(1);
  },
);
