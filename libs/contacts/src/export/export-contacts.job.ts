import { Injectable } from '@nestjs/common';
import { TenantDb } from '@app/database';
import { JobHandler, type JobHandlerContract, JobName, type JobPayload, type JobProgress } from '@app/jobs';
import type { ContactFilterInput } from '../contacts/contact.inputs.js';
import { ContactsService } from '../contacts/contacts.service.js';
import { exportHeader, exportLines } from './export-file.util.js';
import type { ExportContactsParams } from './export.inputs.js';

const BATCH = 1_000;
const CHUNK_BYTES = 1024 * 1024;

/**
 * Writes the contacts matching a filter to the run's file (job_files, in 1 MB
 * chunks), in id order. Idempotent: an attempt starts by removing what an
 * earlier, interrupted attempt wrote.
 */
@Injectable()
@JobHandler(JobName.EXPORT_CONTACTS)
export class ExportContactsJob implements JobHandlerContract<ExportContactsParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly contacts: ContactsService,
  ) {}

  async run({ jobRunId, params }: JobPayload<ExportContactsParams>, progress: JobProgress): Promise<Record<string, number>> {
    const filter = params.filter as ContactFilterInput | null;
    await this.db.transaction((tx) => tx.execute('DELETE FROM job_files WHERE job_run_id = $1', [jobRunId]));
    const total = await this.contacts.count(filter);

    let seq = 0;
    let pending = exportHeader(params.format, params.excel);
    const flush = async () => {
      const data = Buffer.from(pending, 'utf8');
      pending = '';
      await this.db.transaction((tx) =>
        tx.execute('INSERT INTO job_files (org_id, job_run_id, seq, data) VALUES (crm_current_org(), $1, $2, $3)', [jobRunId, seq++, data]),
      );
    };

    let exported = 0;
    for (let afterId: string | null = null; ; ) {
      const batch = await this.contacts.exportBatch(filter, afterId, BATCH);
      if (batch.length === 0) break;
      pending += exportLines(batch, params.format, params.excel);
      if (Buffer.byteLength(pending) >= CHUNK_BYTES) await flush();
      exported += batch.length;
      afterId = batch[batch.length - 1].id;
      await progress.report(exported, total, { exported });
    }
    await flush();
    return { exported };
  }
}
