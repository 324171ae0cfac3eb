import { Injectable } from '@nestjs/common';
import { ContactMergeStep, OwnedRowsMergeStep } from '@app/contacts';

/** What a merge does to provenance: the merged contacts' provenance moves to the survivor, and back on undo. */
@Injectable()
@ContactMergeStep()
export class ContactProvenanceMergeStep extends OwnedRowsMergeStep {
  constructor() {
    super('contact_provenance', ['id']);
  }
}
