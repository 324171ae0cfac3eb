import { Injectable } from '@nestjs/common';
import { ContactMergeStep, OwnedRowsMergeStep } from '@app/contacts';

/** What a merge does to engagement: the merged contacts' interactions move to the survivor, and back on undo. */
@Injectable()
@ContactMergeStep()
export class InteractionsMergeStep extends OwnedRowsMergeStep {
  constructor() {
    super('interactions', ['id']);
  }
}
