import { Readable } from 'node:stream';
import nodemailer, { type SendMailOptions, type SMTPPoolOptions, type Transporter } from 'nodemailer';
import { MailTransport, type OutgoingMail, type SendOutcome, smtpFailure } from './mail-transport.js';

const CONNECTIONS = 5;

/** What nodemailer's errors carry. */
interface SmtpError {
  code?: string;
  responseCode?: number;
  command?: string;
  response?: string;
}

/**
 * Campaign mail through an SMTP server: nodemailer's pool (5 connections). The end of each message's DATA is held
 * until the caller's `beforeEnd` resolves: a last stage of the message stream (nodemailer's processFunc, the hook its
 * DKIM signer uses), which the connection reads only after the server's 354 — checked against smtp-server: it is
 * first read after DATA, and a server keeps nothing of a DATA whose connection closes before its final dot.
 */
export class SmtpTransport extends MailTransport {
  readonly concurrency = CONNECTIONS;
  private readonly transporter: Transporter;

  constructor(url: string) {
    super();
    this.transporter = nodemailer.createTransport({
      url,
      pool: true,
      maxConnections: CONNECTIONS,
      maxMessages: 1_000,
      socketTimeout: 60_000,
      greetingTimeout: 30_000,
    } as SMTPPoolOptions & { pool: true });
    this.transporter.use('stream', (mail, done) => {
      const beforeEnd = (mail.data as { beforeEnd?: () => Promise<void> }).beforeEnd;
      if (beforeEnd)
        mail.message.processFunc((input) => Readable.from(heldEnd(input, beforeEnd), { objectMode: false }));
      done();
    });
  }

  async send(mail: OutgoingMail, beforeEnd: () => Promise<void>): Promise<SendOutcome> {
    let released = false;
    const hold = async () => {
      await beforeEnd();
      released = true;
    };
    try {
      await this.transporter.sendMail({
        envelope: { from: mail.from, to: [mail.to] },
        raw: mail.raw,
        beforeEnd: hold,
      } as SendMailOptions);
      return { kind: 'delivered' };
    } catch (caught) {
      const error = caught as SmtpError;
      const code = error.responseCode ?? 0;
      // a permanent refusal of the recipient or of the message; a refused sender is not the recipient's fault
      if (code >= 500 && (error.command === 'DATA' || error.command?.startsWith('RCPT') || released))
        return { kind: 'bounced', failure: smtpFailure(error) };
      if (code === 0 && released)
        return { kind: 'unknown', failure: `No reply after the end of DATA: ${smtpFailure(error)}` };
      return { kind: 'failed', failure: smtpFailure(error), retryable: code === 0 };
    }
  }

  close(): Promise<void> {
    this.transporter.close();
    return Promise.resolve();
  }
}

/** The message's chunks, then `beforeEnd`: its end (and so the final dot) waits for it. */
async function* heldEnd(input: Readable, beforeEnd: () => Promise<void>): AsyncGenerator<Buffer> {
  for await (const chunk of input) yield chunk as Buffer;
  await beforeEnd();
}
