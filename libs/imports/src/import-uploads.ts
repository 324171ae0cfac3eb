import { Inject, Injectable, type Provider } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { JobFileName, JobFilesService, type JobName, type JobRunStatus, JobsService } from '@app/jobs';
import { EncodingSniffer } from './csv-source.util.js';
import type { ImportFileParams } from './csv-import.js';
import type { ImportEncoding } from './import-file-options.js';

export const IMPORT_LIMITS = Symbol('IMPORT_LIMITS');
export interface ImportLimits {
  maxBytes: number;
}

/** What a module that serves an import endpoint provides: ImportUploads and its limits. */
export function importUploadProviders(limits: ImportLimits): Provider[] {
  return [ImportUploads, { provide: IMPORT_LIMITS, useValue: limits }];
}

/** The answer (202) to an upload: the job run that will import the file. */
export interface StartedImport {
  jobRunId: string;
  status: JobRunStatus;
}

/** The request as Fastify (with @fastify/multipart) gives it; the body of text/csv is left a stream (upload-body.ts). */
export interface UploadRequest {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  isMultipart(): boolean;
  file(): Promise<
    { file: AsyncIterable<Buffer> & { truncated: boolean }; fields: Record<string, unknown> } | undefined
  >;
}

/**
 * What every import endpoint does with its upload: a CSV as the body (`text/csv`) or as the `file` field of a
 * multipart form, options in the query string or in form fields before the file; the file streams into job_files
 * as it arrives (IMPORT_MAX_BYTES), never whole in memory.
 */
@Injectable()
export class ImportUploads {
  constructor(
    private readonly files: JobFilesService,
    private readonly jobs: JobsService,
    @Inject(IMPORT_LIMITS) private readonly limits: ImportLimits,
  ) {}

  /**
   * What an import endpoint does: receives the upload, reads its options with `parseOptions` (which refuses a bad
   * one), and starts the run of job `name` with the file stored in its job_files.
   */
  async start(
    name: JobName,
    request: UploadRequest,
    query: Record<string, string>,
    parseOptions: (fields: Record<string, string>) => ImportFileParams,
  ): Promise<StartedImport> {
    const { body, fields } = await this.receive(request, query);
    const params = parseOptions(fields);
    const run = await this.jobs.start<ImportFileParams & { bytes?: number }>(name, params, (runId) =>
      this.store(runId, body),
    );
    return { jobRunId: run.id, status: run.status };
  }

  /** The file's bytes and the options, from either kind of body. */
  async receive(
    request: UploadRequest,
    query: Record<string, string>,
  ): Promise<{ body: AsyncIterable<Buffer>; fields: Record<string, string> }> {
    const contentType = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (request.isMultipart()) {
      const part = await request.file();
      if (!part) throw AppError.badInput('file', 'The form has no file field');
      const fields = { ...query };
      for (const [name, field] of Object.entries(part.fields)) {
        const value = (field as { type?: string; value?: unknown } | undefined)?.value;
        if ((field as { type?: string }).type === 'field' && typeof value === 'string') fields[name] = value;
      }
      return { body: part.file, fields };
    }
    if (contentType === 'text/csv' || contentType === 'application/octet-stream')
      return { body: request.body as AsyncIterable<Buffer>, fields: query };
    throw AppError.badInput('content-type', 'Send the file as text/csv, or as the "file" field of multipart/form-data');
  }

  /** Streams the upload into the run's job_files, learning its size and encoding on the way. */
  async store(
    runId: string,
    body: AsyncIterable<Buffer>,
  ): Promise<{ bytes: number; detectedEncoding: ImportEncoding }> {
    const writer = this.files.writer(runId, JobFileName.UPLOAD);
    const sniffer = new EncodingSniffer();
    const tooLarge = () =>
      new AppError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `The file is larger than ${this.limits.maxBytes} bytes (IMPORT_MAX_BYTES)`,
        'file',
      );
    try {
      for await (const chunk of body) {
        if (writer.bytes + chunk.length > this.limits.maxBytes) throw tooLarge();
        sniffer.feed(chunk);
        await writer.write(chunk);
      }
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
      throw error;
    }
    if ((body as { truncated?: boolean }).truncated) throw tooLarge();
    if (writer.bytes === 0) throw AppError.badInput('file', 'The file is empty');
    await writer.close();
    return { bytes: writer.bytes, detectedEncoding: sniffer.encoding() };
  }
}
