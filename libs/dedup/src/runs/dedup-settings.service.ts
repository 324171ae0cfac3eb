import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { TenantDb, type Tx } from '@app/database';
import { fitComparisons, type MatchParameters } from '../matching/fellegi-sunter.js';
import type { DedupSettingsInput, DedupSettingsModel } from './dedup.models.js';

/** One configuration for every organization until it sets its own (see BENCHMARKS.md for what they give). */
export const DEFAULT_THRESHOLDS = { autoMerge: 0.99, review: 0.8 };

export interface DedupSettings extends DedupSettingsModel {
  parameters: MatchParameters | null;
}

@Injectable()
export class DedupSettingsService {
  constructor(private readonly db: TenantDb) {}

  async get(tx: Tx): Promise<DedupSettings> {
    const [row] = await tx.query<{
      autoMerge: number | null;
      review: number | null;
      parameters: MatchParameters | null;
      learnedAt: Date | null;
    }>(
      `SELECT auto_merge_threshold AS "autoMerge", review_threshold AS "review", parameters, parameters_learned_at AS "learnedAt" FROM dedup_settings`,
    );
    // parameters learned before a comparison changed its levels are as good as none: the defaults until relearned
    const learned = row?.parameters && fitComparisons(row.parameters) ? row : null;
    return {
      autoMergeThreshold: row?.autoMerge ?? DEFAULT_THRESHOLDS.autoMerge,
      reviewThreshold: row?.review ?? DEFAULT_THRESHOLDS.review,
      parameters: learned?.parameters ?? null,
      parametersLearnedAt: learned?.learnedAt ?? null,
    };
  }

  read(): Promise<DedupSettings> {
    return this.db.transaction((tx) => this.get(tx));
  }

  async update(input: DedupSettingsInput): Promise<DedupSettings> {
    return this.db.transaction(async (tx) => {
      const current = await this.get(tx);
      const autoMerge = input.autoMergeThreshold ?? current.autoMergeThreshold;
      const review = input.reviewThreshold ?? current.reviewThreshold;
      if (review > autoMerge)
        throw AppError.badInput('input.reviewThreshold', 'reviewThreshold must not be above autoMergeThreshold');
      await tx.execute(
        `INSERT INTO dedup_settings (org_id, auto_merge_threshold, review_threshold) VALUES (crm_current_org(), $1, $2)
           ON CONFLICT (org_id) DO UPDATE SET auto_merge_threshold = $1, review_threshold = $2, updated_at = now()`,
        [autoMerge, review],
      );
      return this.get(tx);
    });
  }

  async saveParameters(tx: Tx, parameters: MatchParameters): Promise<void> {
    await tx.execute(
      `INSERT INTO dedup_settings (org_id, parameters, parameters_learned_at) VALUES (crm_current_org(), $1, now())
         ON CONFLICT (org_id) DO UPDATE SET parameters = $1, parameters_learned_at = now(), updated_at = now()`,
      [JSON.stringify(parameters)],
    );
  }
}
