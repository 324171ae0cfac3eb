import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { generateToken, parseToken, secretMatches } from './api-key-token.util.js';

describe('API key tokens', () => {
  it('carry the organization and prefix, and only the secret hash is needed to verify them', () => {
    const orgId = randomUUID();
    const { token, prefix, secretHash } = generateToken(orgId);
    const parsed = parseToken(token);
    expect(parsed).toMatchObject({ orgId, prefix });
    expect(secretMatches(parsed!.secret, secretHash)).toBe(true);
    expect(secretMatches(parsed!.secret.slice(0, -1) + 'x', secretHash)).toBe(false);
  });

  it('refuses malformed tokens', () => {
    for (const bad of [
      '',
      'crm_',
      'Bearer x',
      `crm_${'g'.repeat(32)}_aaaaaaaaaaaa_${'a'.repeat(43)}`,
      `crm_${'a'.repeat(32)}_aaaaaaaaaaaa_short`,
    ]) {
      expect(parseToken(bad)).toBeNull();
    }
  });
});
