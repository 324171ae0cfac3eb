import { Controller, Get, Param, Res } from '@nestjs/common';
import { AppError, ErrorCode, UuidPipe } from '@app/common';
import { type FileReply, JobFileName, JobFilesService, JobName, JobRunsService } from '@app/jobs';
import { isCreatorOrAdmin, RequireRole, Role } from '@app/tenancy';
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
  async download(@Param('id', UuidPipe) id: string, @Res() reply: FileReply): Promise<void> {
    const run = await this.runs.downloadable(id, [JobName.EXPORT_CONTACTS], 'Export', isCreatorOrAdmin);
    // a finished export always has its file until the retention purge removes it (RETENTION_DAYS_FILES)
    if (!run.downloadPath) throw new AppError(ErrorCode.NOT_FOUND, 'The export has expired: its file was deleted');
    const params = (await this.runs.payload(id)) as ExportContactsParams;
    const extension = params.format === ExportFormat.NDJSON ? 'ndjson' : 'csv';
    this.files.send(reply, id, JobFileName.RESULT, {
      contentType: exportContentType(params.format),
      filename: `contacts-${id}.${extension}`,
    });
  }
}
