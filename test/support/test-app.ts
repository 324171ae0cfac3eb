import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { loadConfig } from '@app/common';
import { OrganizationsService, type CreatedOrganization, MembersService, ApiKeysService, Role } from '@app/tenancy';
import { TenantContexts } from '@app/database';
import { createApiApp } from '../../apps/api/src/bootstrap.js';
import { finishedJobRun } from './wait.js';

export interface GraphqlResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string } }[];
}

/** The tenant claim key of the test run's database (global setup reads it with the owner's connection). */
export function testClaimKey(): Buffer {
  const hex = process.env.TEST_TENANT_CLAIM_KEY;
  if (!hex) throw new Error('TEST_TENANT_CLAIM_KEY is not set: run the tests through jest.config.js (global setup)');
  return Buffer.from(hex, 'hex');
}

/** The real API (Fastify, GraphQL, guards, RLS) on a random port, on the test run's database. */
export class TestApi {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<TestApi> {
    const appUrl = process.env.TEST_DATABASE_APP_URL;
    if (!appUrl)
      throw new Error('TEST_DATABASE_APP_URL is not set: run the tests through jest.config.js (global setup)');
    // the queue dashboard stays off in-process (bull-board cannot load in Jest's VM): see test/support/child-process.ts
    // its own queue names unless given: test files run in parallel, and one file's workers must not take another's jobs
    const queuePrefix = `test${process.pid}a${Date.now() % 100000}`;
    const config = loadConfig({
      ...process.env,
      DATABASE_APP_URL: appUrl,
      PORT: '0',
      AUTH_CACHE_MS: '0',
      QUEUE_DASHBOARD_PASSWORD: '',
      QUEUE_PREFIX: queuePrefix,
      // no request rate limit unless a test sets one: suites poll job runs far faster than a client would
      RATE_LIMIT_PER_MINUTE: '0',
      // campaign messages of a suite go to a folder of its own (a test that counts them sets its own, or SMTP_URL)
      MAIL_OUTBOX_DIR: join(tmpdir(), `crm-outbox-${queuePrefix}`),
      ...env,
    });
    // processors run in the API under test only when asked (RUN_JOBS_IN_API=true), as on the embedded default
    const app = await createApiApp(config, { appUrl, embedded: false, claimKey: testClaimKey() });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address() as { port: number };
    return new TestApi(app, `http://127.0.0.1:${address.port}`);
  }

  /** `start(env)` and a new organization: the API, its owner's key and the organization's id (most suites' first step). */
  static async withOrganization(
    name: string,
    env: Record<string, string> = {},
  ): Promise<{ api: TestApi; owner: string; orgId: string }> {
    const api = await TestApi.start(env);
    const org = await api.createOrganization(name);
    return { api, owner: org.token, orgId: org.organization.id };
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  /**
   * Calls `instrument` once for each connection of the application's pool, when it is first checked out (to count or
   * record what goes over it). The connection is node-postgres's client, internals and all.
   */
  instrumentConnections(instrument: (client: any, index: number) => void): void {
    const pool = (this.app.get(DataSource).driver as unknown as { master: { connect: () => Promise<any> } }).master;
    const connect = pool.connect.bind(pool);
    const seen = new WeakSet<object>();
    let count = 0;
    pool.connect = async () => {
      const client = await connect();
      if (!seen.has(client)) {
        seen.add(client);
        instrument(client, ++count);
      }
      return client;
    };
  }

  /** POST /graphql over real HTTP. */
  async gql<T = Record<string, any>>(
    token: string | null,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphqlResponse<T>> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlResponse<T>;
  }

  /** Like gql, but fails the test on any error. */
  async ok<T = Record<string, any>>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.gql<T>(token, query, variables);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data as T;
  }

  /** `POST /imports` (or `path`): a CSV as the body (text/csv) or a prepared multipart form, options in the query string. */
  async upload(
    token: string,
    body: Buffer | string | FormData,
    options: Record<string, string> = {},
    path = '/imports',
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.url}${path}?${new URLSearchParams(options).toString()}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body instanceof FormData ? {} : { 'content-type': 'text/csv' }),
      },
      body,
    });
    return { status: response.status, body: await response.json() };
  }

  /** The job run once it has finished (SUCCEEDED, FAILED or CANCELLED). */
  async finishedRun(token: string, id: string, timeoutMs = 60_000): Promise<any> {
    return finishedJobRun((query, variables) => this.ok<any>(token, query, variables), id, timeoutMs);
  }

  /** A new organization with its owner's key. */
  async createOrganization(name = `Org ${Math.random().toString(36).slice(2, 8)}`): Promise<CreatedOrganization> {
    return this.app
      .get(OrganizationsService)
      .create(name, `owner-${Math.random().toString(36).slice(2, 10)}@example.org`, 'Owner');
  }

  /** A member with `role` in the organization, and an API key for them. */
  async memberKey(orgId: string, role: Role): Promise<string> {
    return TenantContexts.run({ orgId }, async () => {
      const member = await this.app
        .get(MembersService)
        .add(`${role.toLowerCase()}-${Math.random().toString(36).slice(2, 10)}@example.org`, null, role);
      return (await this.app.get(ApiKeysService).create(member.userId, `${role} key`, null)).token;
    });
  }
}
