import type { TrackingUrls } from '../render/render-message.js';
import { TokenKind, type TrackingTokens } from '../tracking/tracking-token.js';

/** A message's tracking addresses under PUBLIC_URL, each with its signed token (core.md: /t/o, /t/c, /t/u). */
export function trackingUrls(
  tokens: TrackingTokens,
  publicUrl: string,
  orgId: string,
  messageId: string,
): TrackingUrls {
  const sign = (kind: TokenKind, link = 0) => tokens.sign({ kind, orgId, messageId, link });
  return {
    openUrl: `${publicUrl}/t/o/${sign(TokenKind.OPEN)}`,
    clickUrl: (idx) => `${publicUrl}/t/c/${sign(TokenKind.CLICK, idx)}`,
    unsubscribeUrl: `${publicUrl}/t/u/${sign(TokenKind.UNSUBSCRIBE)}`,
    messageIdHeader: `<${sign(TokenKind.BOUNCE)}@${new URL(publicUrl).hostname}>`,
  };
}
