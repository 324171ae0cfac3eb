import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ImportUploads, type UploadRequest, UploadRoute } from '@app/contacts';
import { JobName, JobRunStatus, JobsService } from '@app/jobs';
import { RequireRole, Role } from '@app/tenancy';
import { type ImportInteractionsParams, parseImportInteractionsOptions } from './import-interactions.options.js';

/**
 * `POST /imports/interactions` (EDITOR): an interactions CSV, sent as to `POST /imports`; the answer is 202 with the
 * job run. Its rejected rows are at `GET /imports/:id/rejected-rows`.
 */
@Controller('imports/interactions')
export class InteractionImportsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly uploads: ImportUploads,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole(Role.EDITOR)
  @UploadRoute()
  async upload(@Req() request: UploadRequest, @Query() query: Record<string, string>): Promise<{ jobRunId: string; status: JobRunStatus }> {
    const { body, fields } = await this.uploads.receive(request, query);
    const params = parseImportInteractionsOptions(fields);
    const run = await this.jobs.start<ImportInteractionsParams>(JobName.IMPORT_INTERACTIONS, params, (runId) => this.uploads.store(runId, body));
    return { jobRunId: run.id, status: run.status };
  }
}
