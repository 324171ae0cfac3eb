import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseUuid, stringify as stringifyUuid } from 'uuid';

/** What a token lets its bearer do: each is its own credential, so an open token cannot unsubscribe. */
export enum TokenKind {
  OPEN = 1,
  CLICK = 2,
  UNSUBSCRIBE = 3,
  /** Names the message a delivery-status notification reports on (carried in the message's headers). */
  BOUNCE = 4,
}

/** What a tracking token names: a message of an organization, and for a click the link's number. */
export interface TrackingRef {
  kind: TokenKind;
  orgId: string;
  messageId: string;
  /** The link's number in campaign_links (clicks only; 0 otherwise). */
  link: number;
}

const PAYLOAD_BYTES = 1 + 16 + 16 + 2;
/** 128 bits of HMAC-SHA256: a forgery needs 2^128 tries. */
const MAC_BYTES = 16;
const TOKEN_BYTES = PAYLOAD_BYTES + MAC_BYTES;
const TOKEN_CHARS = Math.ceil((TOKEN_BYTES * 4) / 3);

/**
 * Signed tokens of the tracking endpoints (open pixel, click redirect, unsubscribe, bounce): base64url of the kind, the
 * organization, the message, the link and an HMAC of them. No expiry: an unsubscribe link must work for as long as
 * the message exists (CASL: at least 60 days), and a token names nothing but its message.
 */
export class TrackingTokens {
  private readonly key: Buffer;

  /** `secret`: the deployment's secret (the tenant claim key); the tokens' key is derived from it, for this use only. */
  constructor(secret: Buffer) {
    this.key = createHmac('sha256', secret).update('campaign-tracking-tokens/v1').digest();
  }

  sign(ref: TrackingRef): string {
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    payload.writeUInt8(ref.kind, 0);
    Buffer.from(parseUuid(ref.orgId)).copy(payload, 1);
    Buffer.from(parseUuid(ref.messageId)).copy(payload, 17);
    payload.writeUInt16BE(ref.link, 33);
    return Buffer.concat([payload, this.mac(payload)]).toString('base64url');
  }

  /** The token's reference when it is well formed, of the kind expected and signed by us; null otherwise. */
  verify(token: unknown, kind: TokenKind): TrackingRef | null {
    if (typeof token !== 'string' || token.length !== TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length !== TOKEN_BYTES) return null;
    const payload = bytes.subarray(0, PAYLOAD_BYTES);
    if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), this.mac(payload))) return null;
    if (payload.readUInt8(0) !== Number(kind)) return null;
    return {
      kind,
      orgId: stringifyUuid(payload.subarray(1, 17)),
      messageId: stringifyUuid(payload.subarray(17, 33)),
      link: payload.readUInt16BE(33),
    };
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
