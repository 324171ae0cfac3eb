import { Injectable } from '@nestjs/common';
import { ContactMergeStep, OwnedRowsMergeStep } from '@app/contacts';

/**
 * What a merge does to campaigns: the merged contacts' messages move to the survivor (their figures and attribution
 * stay whole; the survivor then has two messages of a campaign both were sent), and back on undo.
 */
@Injectable()
@ContactMergeStep()
export class CampaignMessagesMergeStep extends OwnedRowsMergeStep {
  constructor() {
    super('campaign_messages', ['id']);
  }
}
