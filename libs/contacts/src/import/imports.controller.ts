import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { AppError, ErrorCode, UuidPipe } from '@app/common';
import { type FileReply, JobFileName, JobFilesService, JobName, JobRunsService, JobRunStatus, JobsService } from '@app/jobs';
import { type AuthenticatedRequest, RequireRole, Role } from '@app/tenancy';
import { EncodingSniffer } from './csv-source.util.js';
import { type ImportContactsParams, parseImportOptions } from './import-options.js';

export const IMPORT_LIMITS = Symbol('IMPORT_LIMITS');
export interface ImportLimits {
  maxBytes: number;
}

/** The request as Fastify (with @fastify/multipart) gives it; the body of text/csv is left a stream (upload-body.ts). */
interface UploadRequest extends AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  isMultipart(): boolean;
  file(): Promise<{ file: AsyncIterable<Buffer> & { truncated: boolean }; fields: Record<string, unknown> } | undefined>;
}

/**
 * `POST /imports` (EDITOR): a CSV as the body (`text/csv`) or as the `file`
 * field of a multipart form, options in the query string or in form fields
 * before the file. The file streams into job_files as it arrives; the answer
 * is 202 with the job run, which the worker then imports.
 * `GET /imports/:id/rejected-rows`: the rows it refused, with an `error` column.
 */
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly runs: JobRunsService,
    private readonly files: JobFilesService,
    @Inject(IMPORT_LIMITS) private readonly limits: ImportLimits,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole(Role.EDITOR)
  async upload(@Req() request: UploadRequest, @Query() query: Record<string, string>): Promise<{ jobRunId: string; status: JobRunStatus }> {
    const { body, fields } = await this.bodyOf(request, query);
    const params = parseImportOptions(fields);
    const run = await this.jobs.start(JobName.IMPORT_CONTACTS, params, (runId) => this.store(runId, body));
    return { jobRunId: run.id, status: run.status };
  }

  @Get(':id/rejected-rows')
  @RequireRole(Role.EDITOR)
  async rejectedRows(@Param('id', UuidPipe) id: string, @Res() reply: FileReply): Promise<void> {
    const run = await this.runs.downloadable(id, JobName.IMPORT_CONTACTS, 'Import');
    if (!run.downloadPath) throw new AppError(ErrorCode.NOT_FOUND, 'The import rejected no rows');
    this.files.send(reply, id, JobFileName.REJECTED, { contentType: 'text/csv; charset=utf-8', filename: `rejected-rows-${id}.csv` });
  }

  /** The file's bytes and the options, from either kind of body. */
  private async bodyOf(request: UploadRequest, query: Record<string, string>): Promise<{ body: AsyncIterable<Buffer>; fields: Record<string, string> }> {
    const contentType = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
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
    if (contentType === 'text/csv' || contentType === 'application/octet-stream') return { body: request.body as AsyncIterable<Buffer>, fields: query };
    throw AppError.badInput('content-type', 'Send the file as text/csv, or as the "file" field of multipart/form-data');
  }

  /** Streams the upload into job_files, learning its size and encoding on the way. */
  private async store(runId: string, body: AsyncIterable<Buffer>): Promise<Partial<ImportContactsParams>> {
    const writer = this.files.writer(runId, JobFileName.UPLOAD);
    const sniffer = new EncodingSniffer();
    const tooLarge = () => new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `The file is larger than ${this.limits.maxBytes} bytes (IMPORT_MAX_BYTES)`, 'file');
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
