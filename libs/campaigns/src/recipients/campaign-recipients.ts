import { Injectable } from '@nestjs/common';
import { SqlParams, type Tx } from '@app/database';
import type { ExclusionReason } from '../campaign.models.js';
import { type CampaignRow, CampaignsService } from '../campaigns.service.js';
import { candidatesSql } from './recipients.sql.js';

/** Who a campaign reaches now: recipients per language, and those left out per reason. */
export interface RecipientCounts {
  byLanguage: Record<string, number>;
  excluded: Partial<Record<ExclusionReason, number>>;
}

/**
 * A campaign's recipients by its rules (candidatesSql): counted for a preview, or taken as its messages when it goes
 * out. Both in the caller's tenant transaction.
 */
@Injectable()
export class CampaignRecipients {
  constructor(private readonly campaigns: CampaignsService) {}

  async count(tx: Tx, campaign: CampaignRow): Promise<RecipientCounts> {
    const params = new SqlParams();
    const candidates = candidatesSql(await this.campaigns.recipientRules(tx, campaign), params);
    return tally(await tx.query(`SELECT ${TALLY} FROM (${candidates}) r GROUP BY 1, 2`, params.values));
  }

  /**
   * One QUEUED message per recipient; returns the counts, as count() gives them. Once per campaign: the snapshot job
   * calls it in the transaction that makes the campaign SENDING.
   */
  async take(tx: Tx, campaign: CampaignRow): Promise<RecipientCounts> {
    const params = new SqlParams();
    const candidates = candidatesSql(await this.campaigns.recipientRules(tx, campaign), params);
    await tx.execute(
      `CREATE TEMPORARY TABLE campaign_candidates (contact_id uuid, email text, audience_id uuid, region text, language text, reason text)
         ON COMMIT DROP`,
    );
    await tx.execute(
      `INSERT INTO campaign_candidates (contact_id, email, audience_id, region, language, reason) ${candidates}`,
      params.values,
    );
    await tx.execute(
      `INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language, audience_id, region)
       SELECT crm_current_org(), $1, contact_id, email, language, audience_id, region
         FROM campaign_candidates WHERE reason IS NULL ORDER BY contact_id`,
      [campaign.id],
    );
    const counts = tally(await tx.query(`SELECT ${TALLY} FROM campaign_candidates r GROUP BY 1, 2`));
    await tx.execute('DROP TABLE campaign_candidates');
    return counts;
  }
}

const TALLY = `r.reason, CASE WHEN r.reason IS NULL THEN r.language END AS language, count(*)::int AS count`;

function tally(rows: { reason: ExclusionReason | null; language: string | null; count: number }[]): RecipientCounts {
  const counts: RecipientCounts = { byLanguage: {}, excluded: {} };
  for (const row of rows) {
    if (row.reason) counts.excluded[row.reason] = row.count;
    else counts.byLanguage[row.language!] = row.count;
  }
  return counts;
}
