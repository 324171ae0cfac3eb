import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives typed defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATABASE_POOL_SIZE: 10, GRAPHQL_INTROSPECTION: true });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('converts and validates values', () => {
    expect(loadConfig({ PORT: '8080', GRAPHQL_INTROSPECTION: 'false' })).toMatchObject({
      PORT: 8080,
      GRAPHQL_INTROSPECTION: false,
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('keeps the queue dashboard off by default and wants a long password for it', () => {
    expect(loadConfig({}).QUEUE_DASHBOARD_PASSWORD).toBeUndefined();
    expect(loadConfig({ QUEUE_DASHBOARD_PASSWORD: '' }).QUEUE_DASHBOARD_PASSWORD).toBeUndefined();
    expect(loadConfig({}).QUEUE_DASHBOARD_USER).toBe('admin');
    expect(() => loadConfig({ QUEUE_DASHBOARD_PASSWORD: 'short' })).toThrow(
      /QUEUE_DASHBOARD_PASSWORD must be at least 12 characters/,
    );
    expect(() => loadConfig({ QUEUE_DASHBOARD_PASSWORD: 'long enough password', QUEUE_DASHBOARD_USER: 'a:b' })).toThrow(
      /QUEUE_DASHBOARD_USER/,
    );
    expect(loadConfig({ QUEUE_DASHBOARD_PASSWORD: 'long enough password', QUEUE_DASHBOARD_USER: 'ops' })).toMatchObject(
      { QUEUE_DASHBOARD_USER: 'ops' },
    );
  });

  it('leaves the GraphQL explorer to the database unless set, and validates the log format', () => {
    expect(loadConfig({}).GRAPHQL_EXPLORER).toBeUndefined();
    expect(loadConfig({ GRAPHQL_EXPLORER: 'true' }).GRAPHQL_EXPLORER).toBe(true);
    expect(loadConfig({ GRAPHQL_EXPLORER: 'false' }).GRAPHQL_EXPLORER).toBe(false);
    expect(loadConfig({}).LOG_FORMAT).toBe('auto');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });
});
