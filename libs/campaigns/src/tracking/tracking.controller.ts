import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { logger, Public } from '@app/common';
import { TokenKind, TrackingTokens } from './tracking-token.js';
import { TrackingOverloadedError, TrackingRecorder } from './tracking-recorder.js';
import { confirmationPage, donePage, PAGE_HEADERS } from './unsubscribe-pages.js';
import { UnsubscribesService } from './unsubscribes.service.js';

/** What the routes need of Fastify's reply (without depending on its types here). */
export interface TrackingReply {
  code(status: number): TrackingReply;
  header(name: string, value: string): TrackingReply;
  headers(values: Record<string, string>): TrackingReply;
  redirect(url: string, status: number): TrackingReply;
  send(body?: unknown): unknown;
}

/** A transparent 1x1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Every refusal, whatever its reason (malformed, forged, of another kind, no such message): nothing to learn from it. */
export function notFound(reply: TrackingReply): unknown {
  return reply
    .code(404)
    .headers({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    .send('Not found');
}

function unavailable(reply: TrackingReply, error: unknown): unknown {
  if (!(error instanceof TrackingOverloadedError)) logger.error({ err: error }, 'campaign tracking failed');
  return reply
    .code(503)
    .headers({ 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' })
    .send('Unavailable');
}

/**
 * The public tracking routes of campaign messages; the signed token is the credential (no API key, and no per-client
 * rate limit: mail providers fetch images and links through a few shared proxies).
 * - `GET /t/o/:token`: the open pixel;
 * - `GET /t/c/:token`: a click: 302 to the link's URL as campaign_links holds it (never an open redirect), and an open;
 * - `GET /t/u/:token`: the unsubscribe page (a button; a GET never unsubscribes: mail scanners follow links);
 * - `POST /t/u/:token`: the unsubscribe, by RFC 8058 one-click (`List-Unsubscribe=One-Click`) or the page's button.
 */
@Controller('t')
@Public()
export class TrackingController {
  constructor(
    private readonly tokens: TrackingTokens,
    private readonly recorder: TrackingRecorder,
    private readonly unsubscribes: UnsubscribesService,
  ) {}

  @Get('o/:token')
  @RouteConfig({ rateLimit: false })
  async open(@Param('token') token: string, @Res() reply: TrackingReply): Promise<unknown> {
    const ref = this.tokens.verify(token, TokenKind.OPEN);
    if (!ref) return notFound(reply);
    try {
      const { found } = await this.recorder.opened(ref.orgId, ref.messageId);
      if (!found) return notFound(reply);
    } catch (error) {
      return unavailable(reply, error);
    }
    return reply.headers({ 'content-type': 'image/gif', 'cache-control': 'no-store, max-age=0' }).send(PIXEL);
  }

  @Get('c/:token')
  @RouteConfig({ rateLimit: false })
  async click(@Param('token') token: string, @Res() reply: TrackingReply): Promise<unknown> {
    const ref = this.tokens.verify(token, TokenKind.CLICK);
    if (!ref) return notFound(reply);
    try {
      const { url } = await this.recorder.clicked(ref.orgId, ref.messageId, ref.link);
      if (url === null) return notFound(reply);
      return reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).redirect(url, 302);
    } catch (error) {
      return unavailable(reply, error);
    }
  }

  @Get('u/:token')
  @RouteConfig({ rateLimit: false })
  async unsubscribePage(@Param('token') token: string, @Res() reply: TrackingReply): Promise<unknown> {
    const ref = this.tokens.verify(token, TokenKind.UNSUBSCRIBE);
    if (!ref) return notFound(reply);
    const target = await this.unsubscribes.target(ref.orgId, ref.messageId);
    if (!target) return notFound(reply);
    return reply.headers(PAGE_HEADERS).send(confirmationPage(target.language, target.unsubscribed));
  }

  /** The body (`List-Unsubscribe=One-Click`, form-encoded or multipart) is not read: the POST itself is the consent. */
  @Post('u/:token')
  @HttpCode(200)
  @RouteConfig({ rateLimit: false })
  async unsubscribe(@Param('token') token: string, @Res() reply: TrackingReply): Promise<unknown> {
    const ref = this.tokens.verify(token, TokenKind.UNSUBSCRIBE);
    if (!ref) return notFound(reply);
    const target = await this.unsubscribes.unsubscribe(ref.orgId, ref.messageId);
    if (!target) return notFound(reply);
    return reply.headers(PAGE_HEADERS).send(donePage(target.language));
  }
}
