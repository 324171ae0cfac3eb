import { describe, expect, it } from '@jest/globals';
import { readDeliveryReport } from './delivery-status.js';

const report = (statusFields: string, extraHeaders = '', original = '') =>
  Buffer.from(
    [
      'From: MAILER-DAEMON@mx.example.net',
      'MIME-Version: 1.0',
      ...(extraHeaders ? [extraHeaders] : []),
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Delivery failed.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      statusFields,
      ...(original ? ['--B', 'Content-Type: message/rfc822', '', original] : []),
      '--B--',
      '',
    ].join('\r\n'),
  );

describe('readDeliveryReport', () => {
  it('reads a hard failure and the returned message ID', async () => {
    const parsed = await readDeliveryReport(
      report(
        'Final-Recipient: rfc822; a@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp;\r\n 550 5.1.1 unknown',
        '',
        'Message-ID: <tok@crm.example>\r\nSubject: x\r\n\r\nbody',
      ),
    );
    expect(parsed).toEqual({ originalMessageIds: ['tok@crm.example'], bounceType: 'hard' });
  });

  it('takes a delay or a 4.x.x failure as soft, and falls back on Original-Message-ID and In-Reply-To', async () => {
    expect(
      await readDeliveryReport(
        report('Final-Recipient: rfc822; a@example.com\r\nAction: delayed\r\nStatus: 4.4.7', 'In-Reply-To: <r@h>'),
      ),
    ).toEqual({ originalMessageIds: ['r@h'], bounceType: 'soft' });
    expect(
      await readDeliveryReport(
        report(
          'Final-Recipient: rfc822; a@example.com\r\nAction: failed\r\nStatus: 4.2.2',
          'Original-Message-ID: <o@h>',
        ),
      ),
    ).toEqual({ originalMessageIds: ['o@h'], bounceType: 'soft' });
  });

  it('is null for a message that is not a delivery-status notification', async () => {
    expect(await readDeliveryReport(Buffer.from('Subject: hi\r\n\r\nhello'))).toBeNull();
  });

  it('reports no bounce when the recipient was delivered', async () => {
    expect(
      await readDeliveryReport(report('Final-Recipient: rfc822; a@example.com\r\nAction: delivered\r\nStatus: 2.0.0')),
    ).toMatchObject({ bounceType: null });
  });
});
