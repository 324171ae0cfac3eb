import { Injectable } from '@nestjs/common';
import type { Tx } from '@app/database';
import {
  expiredBefore,
  RetentionPurge,
  type RetentionPurgeContract,
  type RetentionPolicy,
} from './retention-policy.js';

const FINISHED = `('SUCCEEDED', 'FAILED', 'CANCELLED')`;

/**
 * Job runs outlive what they worked on; their files (an export's contacts, an upload, rejected rows) and errors
 * (which quote the rows they refused) do not: both go RETENTION_DAYS_* after the run finished. The run itself, with
 * its counts, stays. A run still queued or running keeps everything.
 */
@Injectable()
@RetentionPurge()
export class JobRunsRetention implements RetentionPurgeContract {
  async purge(tx: Tx, now: Date, policy: RetentionPolicy): Promise<Record<string, number>> {
    const [{ files }] = await tx.query<{ files: number }>(
      `WITH gone AS (
         DELETE FROM job_files f USING job_runs r
          WHERE r.org_id = f.org_id AND r.id = f.job_run_id AND r.status IN ${FINISHED} AND r.finished_at < $1
         RETURNING f.job_run_id, f.name)
       SELECT count(DISTINCT (job_run_id, name))::int AS files FROM gone`,
      [expiredBefore(now, policy.filesDays)],
    );
    const jobErrors = await tx.execute(
      `UPDATE job_runs SET errors = '[]' WHERE errors <> '[]'::jsonb AND status IN ${FINISHED} AND finished_at < $1`,
      [expiredBefore(now, policy.jobErrorsDays)],
    );
    return { files, jobErrors };
  }
}
