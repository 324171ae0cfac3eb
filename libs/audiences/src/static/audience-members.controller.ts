import { Controller, Param, Query, Req } from '@nestjs/common';
import { UuidPipe } from '@app/common';
import { TenantDb } from '@app/database';
import { ImportUploadRoute, ImportUploads, type StartedImport, type UploadRequest } from '@app/imports';
import { JobName } from '@app/jobs';
import { RequireRole, Role } from '@app/tenancy';
import { AudiencesService } from '../audiences.service.js';
import { parseImportMembersOptions } from './import-members.job.js';

/**
 * `POST /audiences/:id/members` (EDITOR): a CSV of contacts to add to a static audience, sent as to `POST /imports`
 * (text/csv, or the `file` field of a form); columns: contact id, customer number (with `source=`) or email. The answer
 * is 202 with the job run; the rows naming no contact are at `GET /imports/:jobRunId/rejected-rows`.
 */
@Controller('audiences')
export class AudienceMembersController {
  constructor(
    private readonly db: TenantDb,
    private readonly uploads: ImportUploads,
    private readonly audiences: AudiencesService,
  ) {}

  @ImportUploadRoute(':id/members')
  @RequireRole(Role.EDITOR)
  async upload(
    @Param('id', UuidPipe) id: string,
    @Req() request: UploadRequest,
    @Query() query: Record<string, string>,
  ): Promise<StartedImport> {
    await this.db.transaction((tx) => this.audiences.requireStatic(tx, id));
    return this.uploads.start(JobName.IMPORT_AUDIENCE_MEMBERS, request, query, (fields) =>
      parseImportMembersOptions(id, fields),
    );
  }
}
