import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key reads `crm_<org id, 32 hex>_<prefix, 12 hex>_<secret, 43 chars>`.
 * The org id and prefix are not secret: they find the key's row (inside the
 * organization's own tenant transaction); only a SHA-256 of the secret is
 * stored. The secret has 256 random bits, so a fast hash is enough.
 */
const TOKEN = /^crm_([0-9a-f]{32})_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  orgId: string;
  prefix: string;
  secret: string;
}

export function generateToken(orgId: string): { token: string; prefix: string; secretHash: Buffer } {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `crm_${orgId.replaceAll('-', '')}_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const hex = match[1];
  const orgId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { orgId, prefix: match[2], secret: match[3] };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const hash = hashSecret(secret);
  return hash.length === storedHash.length && timingSafeEqual(hash, storedHash);
}
