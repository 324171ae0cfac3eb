import { Readable } from 'node:stream';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { AppError, ErrorCode, UuidPipe } from '@app/common';
import { TenantContexts, TenantDb } from '@app/database';
import { JobName, JobRunsService, JobRunStatus } from '@app/jobs';
import { type AuthenticatedRequest, callerOf, hasRole, RequireRole, Role } from '@app/tenancy';
import { exportContentType } from './export-file.util.js';
import { type ExportContactsParams, ExportFormat } from './export.inputs.js';

interface Reply {
  header(name: string, value: string): Reply;
  send(body: unknown): unknown;
}

/** `GET /exports/:id` with the API key: the export's file, streamed chunk by chunk. */
@Controller('exports')
export class ExportsController {
  constructor(
    private readonly db: TenantDb,
    private readonly runs: JobRunsService,
  ) {}

  @Get(':id')
  @RequireRole(Role.ANALYST)
  async download(@Param('id', UuidPipe) id: string, @Req() request: AuthenticatedRequest, @Res() reply: Reply): Promise<void> {
    const caller = callerOf(request);
    const run = await this.runs.get(id);
    if (run.kind !== JobName.EXPORT_CONTACTS) throw AppError.notFound('Export');
    if (run.status !== JobRunStatus.SUCCEEDED) throw new AppError(ErrorCode.CONFLICT, `The export is ${run.status}, not ready`);
    // what a file holds depends on who asked for it: others need ADMIN to read it
    if (run.createdBy !== caller.userId && !hasRole(caller.role as Role, Role.ADMIN)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Only who started an export, or an ADMIN, may download it');
    }
    const params = (await this.runs.payload(id)) as ExportContactsParams;
    const db = this.db;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; ; seq++) {
        const [chunk] = await TenantContexts.run(caller, () =>
          db.transaction((tx) => tx.query<{ data: Buffer }>('SELECT data FROM job_files WHERE job_run_id = $1 AND seq = $2', [id, seq])),
        );
        if (!chunk) return;
        yield chunk.data;
      }
    }
    const extension = params.format === ExportFormat.NDJSON ? 'ndjson' : 'csv';
    reply
      .header('content-type', exportContentType(params.format))
      .header('content-disposition', `attachment; filename="contacts-${id}.${extension}"`)
      .send(Readable.from(chunks()));
  }
}
