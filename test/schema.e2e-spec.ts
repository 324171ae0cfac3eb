import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { TestApi } from './support/test-app.js';

const SCHEMA_FILE = new URL('../apps/api/schema.gql', import.meta.url);

/** The committed SDL must match the code-first schema; `npm run schema:update` rewrites it. */
describe('committed GraphQL schema', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api.close());

  it('apps/api/schema.gql is up to date', async () => {
    const current = `${printSchema(lexicographicSortSchema(api.app.get(GraphQLSchemaHost).schema))}\n`;
    if (process.env.UPDATE_SCHEMA) await writeFile(SCHEMA_FILE, current);
    const committed = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    expect(committed).toBe(current);
  });
});
