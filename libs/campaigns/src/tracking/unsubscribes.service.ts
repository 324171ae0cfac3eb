import { Injectable } from '@nestjs/common';
import { TenantContexts, TenantDb } from '@app/database';
import { MessageEvents } from '../messages/message-events.js';

/** A message as its unsubscribe page needs it. */
export interface UnsubscribeTarget {
  language: 'fr' | 'en';
  unsubscribed: boolean;
}

/** The unsubscribe link of a message: what its page shows, and the unsubscribe itself (in the token's organization). */
@Injectable()
export class UnsubscribesService {
  constructor(
    private readonly db: TenantDb,
    private readonly events: MessageEvents,
  ) {}

  /** The message's language and whether it was unsubscribed already; null when there is no such message. */
  async target(orgId: string, messageId: string): Promise<UnsubscribeTarget | null> {
    return TenantContexts.run({ orgId }, () =>
      this.db.transaction(async (tx) => {
        const [row] = await tx.query<UnsubscribeTarget>(
          `SELECT language, unsubscribed_at IS NOT NULL AS unsubscribed FROM campaign_messages WHERE id = $1`,
          [messageId],
        );
        return row ?? null;
      }),
    );
  }

  /** Records the unsubscribe (which withdraws EMAIL_MARKETING consent); null when there is no such message. */
  async unsubscribe(orgId: string, messageId: string): Promise<UnsubscribeTarget | null> {
    return TenantContexts.run({ orgId }, () =>
      this.db.transaction(async (tx) => {
        const [row] = await tx.query<UnsubscribeTarget>(
          `SELECT language, true AS unsubscribed FROM campaign_messages WHERE id = $1`,
          [messageId],
        );
        if (!row) return null;
        await this.events.record(tx, [{ messageId, event: 'unsubscribed', at: new Date() }]);
        return row;
      }),
    );
  }
}
