import { Controller, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { UuidPipe } from '@app/common';
import { ImportUploads, type UploadRequest, UploadRoute } from '@app/contacts';
import { TenantDb } from '@app/database';
import { JobName, JobRunStatus, JobsService } from '@app/jobs';
import { RequireRole, Role } from '@app/tenancy';
import { AudiencesService } from '../audiences.service.js';
import { type ImportMembersParams, parseImportMembersOptions } from './import-members.job.js';

/**
 * `POST /audiences/:id/members` (EDITOR): a CSV of contacts to add to a static audience, sent as to `POST /imports`
 * (text/csv, or the `file` field of a form); columns: contact id, customer number (with `source=`) or email. The answer
 * is 202 with the job run; the rows naming no contact are at `GET /imports/:jobRunId/rejected-rows`.
 */
@Controller('audiences')
export class AudienceMembersController {
  constructor(
    private readonly db: TenantDb,
    private readonly jobs: JobsService,
    private readonly uploads: ImportUploads,
    private readonly audiences: AudiencesService,
  ) {}

  @Post(':id/members')
  @HttpCode(202)
  @RequireRole(Role.EDITOR)
  @UploadRoute()
  async upload(
    @Param('id', UuidPipe) id: string,
    @Req() request: UploadRequest,
    @Query() query: Record<string, string>,
  ): Promise<{ jobRunId: string; status: JobRunStatus }> {
    await this.db.transaction((tx) => this.audiences.requireStatic(tx, id));
    const { body, fields } = await this.uploads.receive(request, query);
    const params = parseImportMembersOptions(id, fields);
    const run = await this.jobs.start<ImportMembersParams>(JobName.IMPORT_AUDIENCE_MEMBERS, params, (runId) => this.uploads.store(runId, body));
    return { jobRunId: run.id, status: run.status };
  }
}
