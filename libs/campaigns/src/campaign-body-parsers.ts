import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The largest delivery-status notification accepted (the original message is often returned whole). */
export const BOUNCE_MAX_BYTES = 1024 * 1024;

/**
 * The body parser of the bounces webhook: a raw message (a delivery-status notification), read as bytes, at most
 * BOUNCE_MAX_BYTES (else 413). (Forms, such as the RFC 8058 one-click unsubscribe, are Nest's own parser's.)
 */
export function registerCampaignBodyParsers(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser(
    ['message/rfc822', 'multipart/report'],
    { parseAs: 'buffer', bodyLimit: BOUNCE_MAX_BYTES },
    (_request, body, done) => done(null, body),
  );
}
