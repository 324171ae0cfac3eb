import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { AppError, ErrorCode, UuidPipe } from '@app/common';
import { type FileReply, JobFileName, JobFilesService, JobName, JobRunsService, JobRunStatus } from '@app/jobs';
import { type AuthenticatedRequest, callerOf, hasRole, RequireRole, Role } from '@app/tenancy';
import { exportContentType } from './export-file.util.js';
import { type ExportContactsParams, ExportFormat } from './export.inputs.js';

/** `GET /exports/:id` with the API key: the export's file, streamed chunk by chunk. */
@Controller('exports')
export class ExportsController {
  constructor(
    private readonly files: JobFilesService,
    private readonly runs: JobRunsService,
  ) {}

  @Get(':id')
  @RequireRole(Role.ANALYST)
  async download(@Param('id', UuidPipe) id: string, @Req() request: AuthenticatedRequest, @Res() reply: FileReply): Promise<void> {
    const caller = callerOf(request);
    const run = await this.runs.get(id);
    if (run.kind !== JobName.EXPORT_CONTACTS) throw AppError.notFound('Export');
    if (run.status !== JobRunStatus.SUCCEEDED) throw new AppError(ErrorCode.CONFLICT, `The export is ${run.status}, not ready`);
    // what a file holds depends on who asked for it: others need ADMIN to read it
    if (run.createdBy !== caller.userId && !hasRole(caller.role as Role, Role.ADMIN)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Only who started an export, or an ADMIN, may download it');
    }
    const params = (await this.runs.payload(id)) as ExportContactsParams;
    const extension = params.format === ExportFormat.NDJSON ? 'ndjson' : 'csv';
    this.files.send(reply, id, JobFileName.RESULT, { contentType: exportContentType(params.format), filename: `contacts-${id}.${extension}` });
  }
}
