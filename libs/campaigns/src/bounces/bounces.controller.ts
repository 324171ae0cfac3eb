import type { Readable } from 'node:stream';
import { Controller, Post, Req, Res } from '@nestjs/common';
import { Public } from '@app/common';
import { BOUNCE_MAX_BYTES } from '../campaign-body-parsers.js';
import { notFound, type TrackingReply } from '../tracking/tracking.controller.js';
import { BounceOutcome, BouncesService } from './bounces.service.js';

/**
 * `POST /campaigns/bounces`: a delivery-status notification as the raw message (message/rfc822, multipart/report,
 * text/plain or application/octet-stream), at most BOUNCE_MAX_BYTES (else 413). No API key: the original Message-ID's
 * signed token is the credential. 202 when accepted; 400 when it is not a notification; 404 when it names no message of
 * ours (the same neutral body whatever the reason).
 */
@Controller('campaigns/bounces')
@Public()
export class BouncesController {
  constructor(private readonly bounces: BouncesService) {}

  @Post()
  async receive(@Req() request: { body?: unknown }, @Res() reply: TrackingReply): Promise<unknown> {
    const raw = await rawBody(request.body);
    if (raw === 'too large')
      return reply.code(413).header('content-type', 'text/plain; charset=utf-8').send('Too large');
    const outcome = raw ? await this.bounces.receive(raw) : BounceOutcome.UNREADABLE;
    if (outcome === BounceOutcome.UNKNOWN) return notFound(reply);
    if (outcome === BounceOutcome.UNREADABLE)
      return reply
        .code(400)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('Not a delivery-status notification');
    return reply.code(202).send();
  }
}

/** The body as bytes, whichever parser read it (a stream for application/octet-stream), bounded. */
async function rawBody(body: unknown): Promise<Buffer | null | 'too large'> {
  const bytes =
    typeof body === 'string'
      ? Buffer.from(body, 'utf8')
      : Buffer.isBuffer(body)
        ? body
        : isStream(body)
          ? await readBounded(body)
          : null;
  return bytes !== 'too large' && bytes && bytes.length > BOUNCE_MAX_BYTES ? 'too large' : bytes;
}

function isStream(value: unknown): value is Readable {
  return typeof (value as Readable | null)?.[Symbol.asyncIterator] === 'function';
}

async function readBounded(stream: Readable): Promise<Buffer | 'too large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > BOUNCE_MAX_BYTES) {
      stream.destroy();
      return 'too large';
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
