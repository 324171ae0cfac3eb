import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { AppError, ErrorCode, UuidPipe } from '@app/common';
import { type FileReply, IMPORT_JOBS, JobFileName, JobFilesService, JobName, JobRunsService, JobRunStatus, JobsService } from '@app/jobs';
import { isCreatorOrAdmin, RequireRole, Role } from '@app/tenancy';
import { ImportUploads, type UploadRequest } from './import-uploads.js';
import { UploadRoute } from './upload-body.js';
import { type ImportContactsParams, parseImportOptions } from './import-options.js';

/**
 * `POST /imports` (EDITOR): a contacts CSV (ImportUploads); the answer is 202 with the job run, which the worker then
 * imports. `GET /imports/:id/rejected-rows`: the rows an import (of contacts, interactions or audience members) refused, with an
 * `error` column.
 */
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly runs: JobRunsService,
    private readonly files: JobFilesService,
    private readonly uploads: ImportUploads,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole(Role.EDITOR)
  @UploadRoute()
  async upload(@Req() request: UploadRequest, @Query() query: Record<string, string>): Promise<{ jobRunId: string; status: JobRunStatus }> {
    const { body, fields } = await this.uploads.receive(request, query);
    const params = parseImportOptions(fields);
    const run = await this.jobs.start<ImportContactsParams>(JobName.IMPORT_CONTACTS, params, (runId) => this.uploads.store(runId, body));
    return { jobRunId: run.id, status: run.status };
  }

  @Get(':id/rejected-rows')
  @RequireRole(Role.EDITOR)
  async rejectedRows(@Param('id', UuidPipe) id: string, @Res() reply: FileReply): Promise<void> {
    const run = await this.runs.downloadable(id, IMPORT_JOBS, 'Import', isCreatorOrAdmin);
    if (!run.downloadPath) throw new AppError(ErrorCode.NOT_FOUND, 'The import rejected no rows, or its file has expired');
    this.files.send(reply, id, JobFileName.REJECTED, { contentType: 'text/csv; charset=utf-8', filename: `rejected-rows-${id}.csv` });
  }
}
