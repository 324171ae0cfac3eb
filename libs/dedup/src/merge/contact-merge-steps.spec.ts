import { describe, expect, it } from '@jest/globals';
import type { ContactMergeStepContract } from '@app/contacts';
import { checkSteps } from './contact-merge-steps.js';

const step = (...snapshotPath: string[]): ContactMergeStepContract => ({
  snapshotPath,
  snapshot: () => Promise.resolve(null),
  merge: () => Promise.resolve(),
  undo: () => Promise.resolve(),
});

describe('checkSteps', () => {
  it('orders the steps by where their snapshots are kept', () => {
    const steps = [step('staticLists'), step('owned', 'interactions'), step('contactTags'), step('owned', 'consents')];
    expect(checkSteps(steps).map((s) => s.snapshotPath.join('.'))).toEqual([
      'contactTags',
      'owned.consents',
      'owned.interactions',
      'staticLists',
    ]);
  });

  it('refuses snapshots kept at the same place, inside another, or where the merge keeps the contacts', () => {
    expect(() => checkSteps([step('owned', 'consents'), step('owned', 'consents')])).toThrow('owned.consents');
    expect(() => checkSteps([step('owned'), step('owned', 'consents')])).toThrow('owned');
    expect(() => checkSteps([step('contacts')])).toThrow('contacts');
    expect(() => checkSteps([step()])).toThrow();
  });
});
