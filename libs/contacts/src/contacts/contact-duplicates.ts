import { Injectable } from '@nestjs/common';
import { registerEnumType } from '@nestjs/graphql';
import type { Tx } from '@app/database';

/** What a create does when the new contact looks like a contact that exists. */
export enum OnDuplicate {
  ALLOW = 'ALLOW',
  REJECT = 'REJECT',
}
registerEnumType(OnDuplicate, {
  name: 'OnDuplicate',
  description: 'What createContact does when the new contact looks like an existing one.',
  valuesMap: {
    ALLOW: { description: 'Create it anyway (its possibleDuplicates list the look-alikes).' },
    REJECT: {
      description: 'Refuse (CONFLICT, naming the existing contact) when one scores at or above the review threshold.',
    },
  },
});

/**
 * What deduplication does as contacts are written, in the writer's transaction (libs/dedup implements it: its
 * MatchKeysService). The contacts context cannot depend on dedup (dedup reads contacts), so dedup plugs itself in
 * at start-up through ContactDuplicates.
 */
export interface ContactDuplicatesContract {
  /** Recomputes the stored match keys of these contacts from their current values (deleted ones: nothing). */
  refresh(tx: Tx, contactIds: readonly string[]): Promise<void>;
  /**
   * For each of these contacts that looks like a contact created before this transaction (score at or above the
   * review threshold, the pair not dismissed), the id of the most likely one; they need no stored keys themselves.
   */
  likelyDuplicatesOf(tx: Tx, contactIds: readonly string[]): Promise<Map<string, string>>;
}

/** Where the writers of contacts find deduplication's part (see ContactDuplicatesContract). */
@Injectable()
export class ContactDuplicates {
  private implementation: ContactDuplicatesContract | null = null;

  /** Called once by dedup's provider. */
  provide(implementation: ContactDuplicatesContract): void {
    this.implementation = implementation;
  }

  /**
   * Without dedup in the application nothing is stored: the first dedup run catches up (it recomputes what is
   * missing or stale).
   */
  async refresh(tx: Tx, contactIds: readonly string[]): Promise<void> {
    if (contactIds.length > 0) await this.implementation?.refresh(tx, contactIds);
  }

  /** Null when dedup is not part of the application. */
  async likelyDuplicatesOf(tx: Tx, contactIds: readonly string[]): Promise<Map<string, string> | null> {
    if (!this.implementation) return null;
    return contactIds.length > 0 ? this.implementation.likelyDuplicatesOf(tx, contactIds) : new Map();
  }
}
