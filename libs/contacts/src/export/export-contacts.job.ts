import { Injectable } from '@nestjs/common';
import {
  JobFileName,
  JobFilesService,
  JobHandler,
  type JobHandlerContract,
  JobName,
  type JobPayload,
  type JobProgress,
} from '@app/jobs';
import type { ContactFilterInput } from '../contacts/contact.inputs.js';
import { ContactsService } from '../contacts/contacts.service.js';
import { ContactExportReader } from './contact-export.reader.js';
import { exportHeader, exportLines } from './export-file.util.js';
import type { ExportContactsParams } from './export.inputs.js';

const BATCH = 1_000;

/**
 * Writes the contacts matching a filter to the run's file, in id order. Idempotent: an attempt starts by removing what an
 * earlier, interrupted attempt wrote.
 */
@Injectable()
@JobHandler(JobName.EXPORT_CONTACTS)
export class ExportContactsJob implements JobHandlerContract<ExportContactsParams> {
  constructor(
    private readonly files: JobFilesService,
    private readonly contacts: ContactsService,
    private readonly reader: ContactExportReader,
  ) {}

  async run(
    { jobRunId, params }: JobPayload<ExportContactsParams>,
    progress: JobProgress,
  ): Promise<Record<string, number>> {
    const filter = params.filter as ContactFilterInput | null;
    await this.files.remove(jobRunId, JobFileName.RESULT);
    const total = await this.contacts.count(filter);
    const file = this.files.writer(jobRunId, JobFileName.RESULT);
    await file.write(exportHeader(params.format, params.excel));

    let exported = 0;
    for (let afterId: string | null = null; ;) {
      const batch = await this.reader.exportBatch(filter, afterId, BATCH);
      if (batch.length === 0) break;
      await file.write(exportLines(batch, params.format, params.excel));
      exported += batch.length;
      afterId = batch[batch.length - 1].id;
      await progress.report(exported, total, { exported });
    }
    await file.close();
    return { exported };
  }
}
