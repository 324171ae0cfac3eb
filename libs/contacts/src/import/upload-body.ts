import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

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
