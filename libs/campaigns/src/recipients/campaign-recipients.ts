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
    const campaignId = params.add(campaign.id, 'uuid');
    // one statement: the candidates once, the recipients' messages inserted, every candidate counted
    return tally(
      await tx.query(
        `WITH r AS MATERIALIZED (${candidates}),
              inserted AS (
                INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language, audience_id, region)
                SELECT crm_current_org(), ${campaignId}, contact_id, email, language, audience_id, region
                  FROM r WHERE reason IS NULL ORDER BY contact_id)
         SELECT ${TALLY} FROM r GROUP BY 1, 2`,
        params.values,
      ),
    );
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
