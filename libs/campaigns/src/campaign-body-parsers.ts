import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The largest delivery-status notification accepted (the original message is often returned whole). */
export const BOUNCE_MAX_BYTES = 1024 * 1024;
/** The largest form an unsubscribe POST sends (`List-Unsubscribe=One-Click`). */
const FORM_MAX_BYTES = 4 * 1024;

/**
 * Body parsers of campaigns' public routes: raw messages (a delivery-status notification, read as bytes, at most
 * BOUNCE_MAX_BYTES, else 413) and small forms (the RFC 8058 one-click unsubscribe; the route does not read it).
 */
export function registerCampaignBodyParsers(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser(
    ['message/rfc822', 'multipart/report'],
    { parseAs: 'buffer', bodyLimit: BOUNCE_MAX_BYTES },
    (_request, body, done) => done(null, body),
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_MAX_BYTES },
    (_request, body, done) => done(null, body),
  );
}
