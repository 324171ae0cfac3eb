import multipart from '@fastify/multipart';
import { applyDecorators, HttpCode, Post } from '@nestjs/common';
import { type NestFastifyApplication, RouteConfig } from '@nestjs/platform-fastify';

/** The route config key that marks an upload route (read by the API's HTTP limits). */
export const UPLOAD_ROUTE = 'upload';

/**
 * Marks a handler that takes a file upload: its body may be as large as IMPORT_MAX_BYTES (instead of the 2 MB every
 * other route allows) and as slow as UPLOAD_TIMEOUT_MS; a larger declared size is refused before the body is sent.
 */
export const UploadRoute = (): MethodDecorator => RouteConfig({ [UPLOAD_ROUTE]: true });

/** An import endpoint: `POST path`, an upload route (UploadRoute), answered 202 (the run imports the file later). */
export const ImportUploadRoute = (path?: string): MethodDecorator =>
  applyDecorators(Post(path), HttpCode(202), UploadRoute());

/**
 * Lets `POST /imports` stream its body: multipart forms through
 * @fastify/multipart (one file), and CSV bodies left as the raw request
 * stream (Fastify would otherwise refuse or buffer them). The size limit is
 * enforced while the file is stored.
 */
export async function registerUploadParsers(app: NestFastifyApplication, maxBytes: number): Promise<void> {
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 30 } });
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser(['text/csv', 'application/octet-stream'], (_request, payload, done) => done(null, payload));
}
