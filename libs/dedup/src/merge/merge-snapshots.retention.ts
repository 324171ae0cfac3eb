import { Injectable } from '@nestjs/common';
import type { Tx } from '@app/database';
import { expiredBefore, RetentionPurge, type RetentionPolicy, type RetentionPurgeContract } from '@app/jobs';

/**
 * A merge keeps whole copies of the contacts it merged (`before`) and of the values it wrote (`result`) so that it can
 * be undone. RETENTION_DAYS_MERGE_UNDO after the merge they are erased: the merge stays in the history (ids, field
 * sources, who and when) and can no longer be undone.
 */
@Injectable()
@RetentionPurge()
export class MergeSnapshotsRetention implements RetentionPurgeContract {
  async purge(tx: Tx, now: Date, policy: RetentionPolicy): Promise<Record<string, number>> {
    const mergeSnapshots = await tx.execute(
      'UPDATE contact_merges SET before = NULL, result = NULL WHERE before IS NOT NULL AND created_at < $1',
      [expiredBefore(now, policy.mergeUndoDays)],
    );
    return { mergeSnapshots };
  }
}
