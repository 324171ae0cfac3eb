import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxTransport, SmtpTransport } from '@app/campaigns';
import { CountingSmtpServer } from '../bench/support/counting-smtp-server.js';

const mail = (to: string, n: number) => ({
  campaignId: '00000000-0000-7000-8000-000000000001',
  messageId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  from: 'info@theatre.example',
  to,
  raw: Buffer.from(`Message-ID: <m${n}@crm.test>\r\nSubject: x\r\n\r\nbody\r\n.line starting with a dot\r\n`),
});

describe('SmtpTransport: the end of DATA waits for beforeEnd', () => {
  let smtp: CountingSmtpServer;
  let transport: SmtpTransport;
  beforeAll(async () => {
    smtp = await CountingSmtpServer.start();
    transport = new SmtpTransport(smtp.url);
  });
  afterAll(async () => {
    await transport.close();
    await smtp.close();
  });

  it('is received only once beforeEnd resolved, then delivered', async () => {
    let receivedAtBeforeEnd = -1;
    const outcome = await transport.send(mail('a@example.org', 1), async () => {
      receivedAtBeforeEnd = smtp.total();
      await new Promise((resolve) => setImmediate(resolve));
      expect(smtp.received.has('<m1@crm.test>')).toBe(false); // the server has the body, not its end
    });
    expect(receivedAtBeforeEnd).toBe(0);
    expect(outcome).toEqual({ kind: 'delivered' });
    expect(smtp.received.get('<m1@crm.test>')).toBe(1);
  });

  it('abandons the message when beforeEnd rejects: the server keeps nothing of it', async () => {
    const outcome = await transport.send(mail('a@example.org', 2), () => Promise.reject(new Error('commit failed')));
    expect(outcome).toMatchObject({ kind: 'failed', retryable: true });
    // the next message goes through (a new connection), and the abandoned one never arrived
    expect(await transport.send(mail('a@example.org', 3), () => Promise.resolve())).toEqual({ kind: 'delivered' });
    expect(smtp.received.has('<m2@crm.test>')).toBe(false);
  });

  it('reports a 550 at RCPT as a bounce, without calling beforeEnd', async () => {
    let called = false;
    const outcome = await transport.send(mail('bounce@example.org', 4), () => {
      called = true;
      return Promise.resolve();
    });
    expect(outcome).toEqual({ kind: 'bounced', failure: 'SMTP 550 5.1.1 at RCPT TO' });
    expect(called).toBe(false);
  });
});

describe('OutboxTransport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes <campaign>/<message>.eml once beforeEnd resolved; nothing when it rejects; a rewrite is harmless', async () => {
    const outbox = new OutboxTransport(dir);
    const message = mail('a@example.org', 5);
    const folder = join(dir, message.campaignId);
    expect(await outbox.send(message, () => Promise.reject(new Error('no')))).toMatchObject({ kind: 'failed' });
    expect(await readdir(folder)).toEqual([]);
    expect(
      await outbox.send(message, async () => expect(await readdir(folder)).not.toContain(`${message.messageId}.eml`)),
    ).toEqual({ kind: 'delivered' });
    expect(await outbox.send(message, () => Promise.resolve())).toEqual({ kind: 'delivered' });
    expect(await readdir(folder)).toEqual([`${message.messageId}.eml`]);
    expect(await readFile(join(folder, `${message.messageId}.eml`))).toEqual(message.raw);
  });
});
