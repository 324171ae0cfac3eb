import { Injectable } from '@nestjs/common';
import { TenantContexts, TenantDb } from '@app/database';
import { MessageEvents } from '../messages/message-events.js';
import { TokenKind, type TrackingRef, TrackingTokens } from '../tracking/tracking-token.js';
import { readDeliveryReport } from './delivery-status.js';

/** What a posted notification did. */
export enum BounceOutcome {
  /** Recorded (or nothing to record: the report says delivered). */
  ACCEPTED = 'ACCEPTED',
  /** Not a delivery-status notification. */
  UNREADABLE = 'UNREADABLE',
  /** No Message-ID of ours, a forged one, or its message does not exist. */
  UNKNOWN = 'UNKNOWN',
}

/**
 * Delivery-status notifications (bounces) posted by the mail server: the original message's Message-ID
 * (`<BOUNCE-token@host>`) names the message, and its token is the credential. A hard bounce marks the message BOUNCED
 * and the contact's address undeliverable (MessageEvents); a soft one is recorded only.
 */
@Injectable()
export class BouncesService {
  constructor(
    private readonly tokens: TrackingTokens,
    private readonly db: TenantDb,
    private readonly events: MessageEvents,
  ) {}

  async receive(raw: Buffer): Promise<BounceOutcome> {
    const report = await readDeliveryReport(raw).catch(() => null);
    if (!report) return BounceOutcome.UNREADABLE;
    const ref = this.messageOf(report.originalMessageIds);
    if (!ref) return BounceOutcome.UNKNOWN;
    const bounceType = report.bounceType;
    const found = await TenantContexts.run({ orgId: ref.orgId }, () =>
      this.db.transaction(async (tx) => {
        const [message] = await tx.query(`SELECT 1 FROM campaign_messages WHERE id = $1`, [ref.messageId]);
        if (!message) return false;
        if (bounceType)
          await this.events.record(tx, [{ messageId: ref.messageId, event: 'bounced', at: new Date(), bounceType }]);
        return true;
      }),
    );
    return found ? BounceOutcome.ACCEPTED : BounceOutcome.UNKNOWN;
  }

  /** The first Message-ID whose local part is a valid BOUNCE token. */
  private messageOf(messageIds: readonly string[]): TrackingRef | null {
    for (const id of messageIds) {
      const ref = this.tokens.verify(id.slice(0, id.lastIndexOf('@')), TokenKind.BOUNCE);
      if (ref) return ref;
    }
    return null;
  }
}
