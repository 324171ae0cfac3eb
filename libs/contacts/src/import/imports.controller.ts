import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { AppError, ErrorCode, UuidPipe } from '@app/common';
import { ImportUploadRoute, ImportUploads, type StartedImport, type UploadRequest } from '@app/imports';
import { type FileReply, IMPORT_JOBS, JobFileName, JobFilesService, JobName, JobRunsService } from '@app/jobs';
import { isCreatorOrAdmin, RequireRole, Role } from '@app/tenancy';
import { parseImportOptions } from './import-options.js';

/**
 * `POST /imports` (EDITOR): a contacts CSV (ImportUploads); the answer is 202 with the job run, which the worker then
 * imports. `GET /imports/:id/rejected-rows`: the rows an import (of contacts, interactions or audience members) refused, with an
 * `error` column.
 */
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly runs: JobRunsService,
    private readonly files: JobFilesService,
    private readonly uploads: ImportUploads,
  ) {}

  @ImportUploadRoute()
  @RequireRole(Role.EDITOR)
  upload(@Req() request: UploadRequest, @Query() query: Record<string, string>): Promise<StartedImport> {
    return this.uploads.start(JobName.IMPORT_CONTACTS, request, query, (fields) => parseImportOptions(fields));
  }

  @Get(':id/rejected-rows')
  @RequireRole(Role.EDITOR)
  async rejectedRows(@Param('id', UuidPipe) id: string, @Res() reply: FileReply): Promise<void> {
    const run = await this.runs.downloadable(id, IMPORT_JOBS, 'Import', isCreatorOrAdmin);
    if (!run.downloadPath)
      throw new AppError(ErrorCode.NOT_FOUND, 'The import rejected no rows, or its file has expired');
    this.files.send(reply, id, JobFileName.REJECTED, {
      contentType: 'text/csv; charset=utf-8',
      filename: `rejected-rows-${id}.csv`,
    });
  }
}
