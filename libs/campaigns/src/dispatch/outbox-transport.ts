import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MailTransport, type OutgoingMail, type SendOutcome } from './mail-transport.js';

/**
 * Campaign mail without SMTP_URL: each message becomes `<outboxDir>/<campaignId>/<messageId>.eml`, written to a
 * temporary file that is renamed once the caller's `beforeEnd` resolved (the rename is the end of DATA): a crash before
 * leaves no .eml, a second write of the same message replaces it.
 */
export class OutboxTransport extends MailTransport {
  readonly concurrency = 4;

  constructor(private readonly outboxDir: string) {
    super();
  }

  async send(mail: OutgoingMail, beforeEnd: () => Promise<void>): Promise<SendOutcome> {
    const dir = join(this.outboxDir, safeName(mail.campaignId));
    const file = join(dir, `${safeName(mail.messageId)}.eml`);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(tmp, mail.raw);
    } catch {
      return { kind: 'failed', failure: 'The outbox could not be written', retryable: true };
    }
    try {
      await beforeEnd();
    } catch {
      await rm(tmp, { force: true });
      return { kind: 'failed', failure: 'The message was not marked sent', retryable: true };
    }
    try {
      await rename(tmp, file);
      return { kind: 'delivered' };
    } catch {
      return { kind: 'failed', failure: 'The outbox could not be written', retryable: false };
    }
  }

  async close(): Promise<void> {}
}

/** Ids only (uuids): nothing else reaches a path. */
function safeName(id: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error('Not an id');
  return id;
}
