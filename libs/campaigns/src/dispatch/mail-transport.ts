import type { OnApplicationShutdown } from '@nestjs/common';

/** A composed message and its envelope. */
export interface OutgoingMail {
  campaignId: string;
  messageId: string;
  /** Envelope sender (MAIL FROM) and recipient (RCPT TO). */
  from: string;
  to: string;
  /** The RFC 5322 message (composeMail). */
  raw: Buffer;
}

/**
 * What became of a send. `delivered`: the server took it (250 after the end of DATA; the outbox wrote it).
 * `bounced`: refused for good (5xx at RCPT or after the end of DATA). `failed`: another refusal (4xx, 5xx at MAIL FROM)
 * or no answer before the end of DATA; `retryable` when the server never answered about this message (the connection
 * failed before the end: it may go again). `unknown`: the end was released but no reply came (the server may hold
 * it). `failure` is short and names the reply code, never the recipient.
 */
export type SendOutcome =
  | { kind: 'delivered' }
  | { kind: 'bounced'; failure: string }
  | { kind: 'failed'; failure: string; retryable: boolean }
  | { kind: 'unknown'; failure: string };

/**
 * Where campaign messages go: an SMTP server (SMTP_URL) or the outbox folder. `send` hands the message over and calls
 * `beforeEnd` once all of it but its end is with the receiver (in SMTP, after the server's 354 and the body, before
 * the final "\r\n.\r\n"): the caller commits the message's SENT mark there, and the end is released only once the
 * promise resolves; when it rejects the message is abandoned (the connection is dropped, the server discards it). When
 * the receiver refuses earlier (at RCPT), `beforeEnd` is never called. `send` never rejects.
 */
export abstract class MailTransport implements OnApplicationShutdown {
  /** How many messages may be in flight at once (the SMTP pool's connections). */
  abstract readonly concurrency: number;
  abstract send(mail: OutgoingMail, beforeEnd: () => Promise<void>): Promise<SendOutcome>;
  abstract close(): Promise<void>;

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** A short failure text from an SMTP error: the step, the reply code and the enhanced status, never the reply text. */
export function smtpFailure(error: {
  responseCode?: number;
  command?: string;
  response?: string;
  code?: string;
}): string {
  const enhanced = /\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(error.response ?? '')?.[0];
  const step = error.command ? ` at ${error.command.replace(/[^A-Z ]/g, '').slice(0, 20)}` : '';
  if (error.responseCode) return `SMTP ${error.responseCode}${enhanced ? ` ${enhanced}` : ''}${step}`;
  return `SMTP connection failed${step}${error.code ? ` (${error.code.replace(/[^A-Z_]/g, '').slice(0, 20)})` : ''}`;
}
