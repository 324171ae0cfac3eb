import MailComposer from 'nodemailer/lib/mail-composer';
import type { SenderDetails } from '../render/footer.js';
import type { RenderedMessage } from '../render/render-message.js';

/** The RFC 5322 message of a rendered campaign message (nodemailer's MailComposer: encodings, MIME structure). */
export async function composeMail(sender: SenderDetails, to: string, message: RenderedMessage): Promise<Buffer> {
  const { 'Message-ID': messageId, ...headers } = message.headers;
  const mail = new MailComposer({
    from: { name: sender.fromName, address: sender.fromEmail },
    to,
    ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId,
    headers,
  }).compile();
  return new Promise((resolve, reject) => mail.build((error, raw) => (error ? reject(error) : resolve(raw))));
}
