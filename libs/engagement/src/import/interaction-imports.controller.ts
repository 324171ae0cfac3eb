import { Controller, Query, Req } from '@nestjs/common';
import { ImportUploadRoute, ImportUploads, type StartedImport, type UploadRequest } from '@app/imports';
import { JobName } from '@app/jobs';
import { RequireRole, Role } from '@app/tenancy';
import { parseImportInteractionsOptions } from './import-interactions.options.js';

/**
 * `POST /imports/interactions` (EDITOR): an interactions CSV, sent as to `POST /imports`; the answer is 202 with the
 * job run. Its rejected rows are at `GET /imports/:id/rejected-rows`.
 */
@Controller('imports/interactions')
export class InteractionImportsController {
  constructor(private readonly uploads: ImportUploads) {}

  @ImportUploadRoute()
  @RequireRole(Role.EDITOR)
  upload(@Req() request: UploadRequest, @Query() query: Record<string, string>): Promise<StartedImport> {
    return this.uploads.start(JobName.IMPORT_INTERACTIONS, request, query, parseImportInteractionsOptions);
  }
}
