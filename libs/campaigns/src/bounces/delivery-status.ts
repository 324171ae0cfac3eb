import { simpleParser } from 'mailparser';

/** What a delivery-status notification says of the message it reports on. */
export interface DeliveryReport {
  /** Message-IDs that may name the original message, most reliable first (without angle brackets). */
  originalMessageIds: string[];
  /** hard: a recipient failed for good (5.x.x); soft: a transient failure or a delay (4.x.x); null: neither. */
  bounceType: 'hard' | 'soft' | null;
}

/**
 * Reads a delivery-status notification (RFC 3464: multipart/report with a message/delivery-status part, and the
 * original message or its headers); null when it is not one. The original's Message-ID comes from the returned message
 * or headers, else from Original-Message-ID or In-Reply-To.
 */
export async function readDeliveryReport(raw: Buffer): Promise<DeliveryReport | null> {
  const mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true });
  const status = mail.attachments.find((a) => a.contentType === 'message/delivery-status');
  if (!status) return null;
  const [perMessage = new Map<string, string>(), ...recipients] = fieldBlocks(status.content.toString('utf8'));

  const original = mail.attachments.find(
    (a) => a.contentType === 'message/rfc822' || a.contentType === 'text/rfc822-headers',
  );
  const originalHeaders = (original && fieldBlocks(original.content.toString('utf8'))[0]) || new Map<string, string>();
  const top = (name: string) => {
    const value = mail.headers.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const candidates = [
    originalHeaders.get('message-id'),
    perMessage.get('original-message-id'),
    perMessage.get('x-original-message-id'),
    top('original-message-id'),
    top('x-original-message-id'),
    top('in-reply-to'),
  ];
  const originalMessageIds = candidates.flatMap((value) =>
    value ? [...value.matchAll(/<([^<>\s]{1,200})>/g)].map((match) => match[1]) : [],
  );
  return { originalMessageIds, bounceType: worstBounce(recipients) };
}

/** Hard if a recipient failed with 5.x.x; soft if one was delayed or got 4.x.x. */
function worstBounce(recipients: readonly Map<string, string>[]): DeliveryReport['bounceType'] {
  let worst: DeliveryReport['bounceType'] = null;
  for (const fields of recipients) {
    const action = fields.get('action')?.trim().toLowerCase();
    const status = /^\s*([245])\.\d{1,3}\.\d{1,3}\b/.exec(fields.get('status') ?? '')?.[1];
    if (action === 'failed' && status === '5') return 'hard';
    if (status === '4' || action === 'delayed') worst = 'soft';
  }
  return worst;
}

/** RFC 822-style field blocks (separated by blank lines; folded lines unfolded), names lowercased. */
function fieldBlocks(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) {
          const name = line.slice(0, colon).trim().toLowerCase();
          if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
        }
      }
      return fields;
    })
    .filter((fields) => fields.size > 0);
}
