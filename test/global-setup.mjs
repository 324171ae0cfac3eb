// Gives the test run a fresh, migrated database of its own: on DATABASE_URL's
// server when it is set, else on an embedded PostgreSQL started for this run.
// Tests read TEST_DATABASE_URL (owner), TEST_DATABASE_APP_URL (crm_app) and TEST_TENANT_CLAIM_KEY.
// Plain ESM on the built code (`npm test` builds first): Jest loads global
// setup files without its module mapping.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { logger } from '../dist/libs/common/src/index.js';
import {
  appUrlFromOwnerUrl,
  migrate,
  readTenantClaimKey,
  startEmbeddedPostgres,
} from '../dist/libs/database/src/index.js';
import { freePort } from '../dist/bench/support/processes.js';

export default async function globalSetup() {
  // Test output is the runner's own lines: the logs of the code under test (hundreds of expected job failures) only
  // with TEST_LOGS=1 (or an explicit LOG_LEVEL). Child processes keep theirs for failure messages (support/child-process.ts).
  process.env.LOG_LEVEL ??= process.env.TEST_LOGS === '1' ? 'warn' : 'silent';
  // this file's logger was made when it was imported, before the line above
  logger.level = process.env.LOG_LEVEL;
  const name = `crm_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  let ownerUrl;
  const external = process.env.DATABASE_URL;
  if (external) {
    const admin = new pg.Client({ connectionString: external });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(external);
    url.pathname = `/${name}`;
    ownerUrl = url.toString();
    process.env.TEST_DATABASE_SERVER = 'external';
  } else {
    const server = await startEmbeddedPostgres({
      dataDir: path.join(os.tmpdir(), `crm-test-pg-${process.pid}-${randomBytes(3).toString('hex')}`, 'pg'),
      port: await freePort(),
      database: name,
      persistent: false,
      password: randomBytes(12).toString('hex'),
    });
    globalThis.__EMBEDDED_PG__ = server;
    ownerUrl = server.url;
    process.env.TEST_DATABASE_SERVER = 'embedded';
  }
  const appPassword = randomBytes(12).toString('hex');
  await migrate(ownerUrl, appPassword);
  process.env.TEST_DATABASE_NAME = name;
  process.env.TEST_DATABASE_URL = ownerUrl;
  process.env.TEST_DATABASE_APP_URL = appUrlFromOwnerUrl(ownerUrl, appPassword);
  // what the processes read at boot with the owner's connection: tests that open tenant transactions by hand need it
  process.env.TEST_TENANT_CLAIM_KEY = (await readTenantClaimKey(ownerUrl)).toString('hex');
}
