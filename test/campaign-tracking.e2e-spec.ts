import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TokenKind, TrackingTokens } from '@app/campaigns';
import { TenantContexts, TenantDb } from '@app/database';
import { TestApi } from './support/test-app.js';

const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const CONTACT = `query($id: ID!) { contact(id: $id) {
  emailUndeliverable consents { purpose state } consentHistory(purpose: EMAIL_MARKETING) { status source } } }`;
const URLS = ['https://theatre.example/saison?utm=1', 'https://theatre.example/billets'];

interface Sent {
  orgId: string;
  owner: string;
  campaignId: string;
  contactId: string;
  messageId: string;
}

/** A delivery-status notification as Postfix writes it, for the message whose Message-ID is `messageId`. */
function dsn(messageId: string, action: string, status: string, diagnostic: string): string {
  return [
    'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
    'To: bounces@crm.example.org',
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Mon, 1 Dec 2025 10:00:05 -0500',
    'Message-Id: <20251201150005.1A2B3C@mx.example.net>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="1A2B3C.1764601205/mx.example.net"',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--1A2B3C.1764601205/mx.example.net',
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.net.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    '--1A2B3C.1764601205/mx.example.net',
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    'X-Postfix-Queue-ID: 1A2B3C',
    'Arrival-Date: Mon, 1 Dec 2025 10:00:00 -0500',
    '',
    'Final-Recipient: rfc822; helene@example.com',
    'Original-Recipient: rfc822;helene@example.com',
    `Action: ${action}`,
    `Status: ${status}`,
    'Remote-MTA: dns; mail.example.com',
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    '--1A2B3C.1764601205/mx.example.net',
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    'From: =?utf-8?q?Th=C3=A9=C3=A2tre?= <nouvelles@theatre.example>',
    'To: helene@example.com',
    'Subject: =?utf-8?q?La_saison_arrive?=',
    `Message-ID: <${messageId}>`,
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    '',
    '--1A2B3C.1764601205/mx.example.net--',
    '',
  ].join('\r\n');
}

describe('campaign tracking (issue 16: opens, clicks, unsubscribes, bounces)', () => {
  let api: TestApi;
  let tokens: TrackingTokens;
  let a: { orgId: string; owner: string };
  let b: { orgId: string; owner: string };

  beforeAll(async () => {
    api = await TestApi.start();
    tokens = api.app.get(TrackingTokens);
    const orgA = await api.createOrganization('Théâtre du Lac');
    const orgB = await api.createOrganization('Salle Desjardins');
    a = { orgId: orgA.organization.id, owner: orgA.token };
    b = { orgId: orgB.organization.id, owner: orgB.token };
  });
  afterAll(async () => {
    await api.close();
  });

  /** A SENT message of a new campaign (with URLS as its links) to a new contact who gave EMAIL_MARKETING consent. */
  const sentMessage = async (org: { orgId: string; owner: string }, language: 'fr' | 'en' = 'fr'): Promise<Sent> => {
    const email = `helene-${randomBytes(4).toString('hex')}@example.com`;
    const contactId = (
      await api.ok<any>(org.owner, CREATE_CONTACT, {
        input: {
          firstName: 'Hélène',
          email,
          preferredLanguage: language.toUpperCase(),
          consents: [
            { purpose: 'EMAIL_MARKETING', status: 'GRANTED', legalBasis: 'EXPRESS', source: 'newsletter-form' },
          ],
        },
      })
    ).createContact.id as string;
    return TenantContexts.run({ orgId: org.orgId }, () =>
      api.app.get(TenantDb).transaction(async (tx) => {
        const [campaign] = await tx.query<{ id: string }>(
          `INSERT INTO campaigns (org_id, name, status, sent_at) VALUES (crm_current_org(), 'Saison 2026', 'SENT', now()) RETURNING id`,
        );
        await tx.execute(
          `INSERT INTO campaign_links (org_id, campaign_id, idx, url) SELECT crm_current_org(), $1, i - 1, u FROM unnest($2::text[]) WITH ORDINALITY AS l(u, i)`,
          [campaign.id, URLS],
        );
        const [message] = await tx.query<{ id: string }>(
          `INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language, status, sent_at)
           VALUES (crm_current_org(), $1, $2, $3, $4, 'SENT', now()) RETURNING id`,
          [campaign.id, contactId, email, language],
        );
        return { ...org, campaignId: campaign.id, contactId, messageId: message.id };
      }),
    );
  };

  const token = (kind: TokenKind, sent: Pick<Sent, 'orgId' | 'messageId'>, link = 0) =>
    tokens.sign({ kind, orgId: sent.orgId, messageId: sent.messageId, link });

  /** The message row and the contact's email interactions, read in the message's organization. */
  const stateOf = (sent: Sent) =>
    TenantContexts.run({ orgId: sent.orgId }, () =>
      api.app.get(TenantDb).transaction(async (tx) => {
        const [message] = await tx.query<{ status: string; openedAt: Date | null; clickedAt: Date | null }>(
          `SELECT status, opened_at AS "openedAt", clicked_at AS "clickedAt", unsubscribed_at AS "unsubscribedAt",
                  bounced_at AS "bouncedAt" FROM campaign_messages WHERE id = $1`,
          [sent.messageId],
        );
        const interactions = await tx.query<{ type: string; externalId: string; source: string; campaign: string }>(
          `SELECT type, external_id AS "externalId", source, campaign FROM interactions WHERE contact_id = $1 ORDER BY type, external_id`,
          [sent.contactId],
        );
        return { message, interactions };
      }),
    );

  const get = (path: string, init: RequestInit = {}) => fetch(`${api.url}${path}`, { redirect: 'manual', ...init });

  it('records an open once, however many times the pixel is fetched, and answers a transparent GIF', async () => {
    const sent = await sentMessage(a);
    const open = token(TokenKind.OPEN, sent);
    const [first, second] = await Promise.all([get(`/t/o/${open}`), get(`/t/o/${open}`)]);
    const third = await get(`/t/o/${open}`);
    for (const response of [first, second, third]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/gif');
      expect(response.headers.get('cache-control')).toContain('no-store');
      expect(
        Buffer.from(await response.arrayBuffer())
          .subarray(0, 6)
          .toString(),
      ).toBe('GIF89a');
    }
    const { message, interactions } = await stateOf(sent);
    expect(message.openedAt).not.toBeNull();
    expect(interactions).toEqual([
      {
        type: 'EMAIL_OPENED',
        externalId: `${sent.messageId}:opened`,
        source: `campaign:${sent.campaignId}`,
        campaign: sent.campaignId,
      },
    ]);
  });

  it('redirects a click to its link, records the click and an open; refuses links not in the campaign', async () => {
    const sent = await sentMessage(a);
    const click = await get(`/t/c/${token(TokenKind.CLICK, sent, 1)}`);
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(URLS[1]);
    expect((await get(`/t/c/${token(TokenKind.CLICK, sent, 0)}`)).headers.get('location')).toBe(URLS[0]);
    // a repeated click is answered from what is known, and records nothing new
    expect((await get(`/t/c/${token(TokenKind.CLICK, sent, 1)}`)).headers.get('location')).toBe(URLS[1]);

    const { message, interactions } = await stateOf(sent);
    expect(message.clickedAt).not.toBeNull();
    expect(message.openedAt).not.toBeNull();
    expect(interactions.map((i) => [i.type, i.externalId])).toEqual([
      ['EMAIL_CLICKED', `${sent.messageId}:clicked:0`],
      ['EMAIL_CLICKED', `${sent.messageId}:clicked:1`],
      ['EMAIL_OPENED', `${sent.messageId}:opened`],
    ]);
  });

  it('answers the same neutral 404 to every bad token, and records nothing', async () => {
    const sent = await sentMessage(a);
    const valid = token(TokenKind.CLICK, sent, 0);
    const tampered = `${valid.slice(0, 10)}${valid[10] === 'A' ? 'B' : 'A'}${valid.slice(11)}`;
    const forged = new TrackingTokens(randomBytes(32)).sign({
      kind: TokenKind.CLICK,
      orgId: sent.orgId,
      messageId: sent.messageId,
      link: 0,
    });
    const noSuchMessage = token(TokenKind.CLICK, {
      orgId: sent.orgId,
      messageId: '01900000-0000-7000-8000-000000000000',
    });
    const paths = [
      `/t/c/${token(TokenKind.CLICK, sent, 7)}`, // a link number the campaign does not have
      `/t/c/${tampered}`,
      `/t/c/${forged}`,
      `/t/c/${token(TokenKind.OPEN, sent)}`, // a token of another kind
      `/t/c/${noSuchMessage}`,
      `/t/c/not-a-token`,
      `/t/c/${'A'.repeat(90)}`, // longer still: Fastify's 414
      `/t/o/${token(TokenKind.CLICK, sent, 0)}`,
      `/t/o/${tampered}`,
      `/t/u/${token(TokenKind.OPEN, sent)}`,
    ];
    const bodies = new Set<string>();
    for (const path of paths) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 404]);
      bodies.add(await response.text());
    }
    const post = await get(`/t/u/${tampered}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(post.status).toBe(404);
    bodies.add(await post.text());
    expect([...bodies]).toEqual(['Not found']);
    expect((await stateOf(sent)).interactions).toEqual([]);
  });

  it('shows the unsubscribe page in the message language on GET, without unsubscribing', async () => {
    const fr = await sentMessage(a, 'fr');
    const en = await sentMessage(a, 'en');
    const page = await get(`/t/u/${token(TokenKind.UNSUBSCRIBE, fr)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Me désabonner');
    expect(html).toContain('method="post"');
    expect(html).not.toContain(token(TokenKind.UNSUBSCRIBE, fr));
    expect(await (await get(`/t/u/${token(TokenKind.UNSUBSCRIBE, en)}`)).text()).toContain('<html lang="en">');

    const { message, interactions } = await stateOf(fr);
    expect(message).toMatchObject({ unsubscribedAt: null });
    expect(interactions).toEqual([]);
    const contact = (await api.ok<any>(a.owner, CONTACT, { id: fr.contactId })).contact;
    expect(contact.consents).toContainEqual({ purpose: 'EMAIL_MARKETING', state: 'GRANTED' });
  });

  it('withdraws EMAIL_MARKETING consent on a one-click POST (RFC 8058), with the campaign as its source', async () => {
    const sent = await sentMessage(a, 'en');
    const response = await get(`/t/u/${token(TokenKind.UNSUBSCRIBE, sent)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You are unsubscribed');

    const contact = (await api.ok<any>(a.owner, CONTACT, { id: sent.contactId })).contact;
    expect(contact.consents).toContainEqual({ purpose: 'EMAIL_MARKETING', state: 'WITHDRAWN' });
    expect(contact.consentHistory).toContainEqual({ status: 'WITHDRAWN', source: `campaign:${sent.campaignId}` });
    const { message, interactions } = await stateOf(sent);
    expect(message).toMatchObject({ unsubscribedAt: expect.any(Date) });
    expect(interactions.map((i) => i.type)).toEqual(['EMAIL_UNSUBSCRIBED']);

    // the page's own form (multipart or not) and a repeat change nothing more; the page now says it is done
    const again = await get(`/t/u/${token(TokenKind.UNSUBSCRIBE, sent)}`, { method: 'POST', body: new FormData() });
    expect(again.status).toBe(200);
    expect(await (await get(`/t/u/${token(TokenKind.UNSUBSCRIBE, sent)}`)).text()).toContain('You are unsubscribed');
    expect((await stateOf(sent)).interactions).toHaveLength(1);
  });

  const postDsn = (body: string | Buffer, type = 'message/rfc822') =>
    fetch(`${api.url}/campaigns/bounces`, { method: 'POST', headers: { 'content-type': type }, body });

  it('marks the message BOUNCED and the address undeliverable on a hard bounce notification (550 5.1.1)', async () => {
    const sent = await sentMessage(a);
    const messageId = `${token(TokenKind.BOUNCE, sent)}@crm.example.org`;
    const response = await postDsn(
      dsn(messageId, 'failed', '5.1.1', '550 5.1.1 <helene@example.com>: Recipient address rejected: User unknown'),
    );
    expect(response.status).toBe(202);
    const { message, interactions } = await stateOf(sent);
    expect(message).toMatchObject({ status: 'BOUNCED', bouncedAt: expect.any(Date) });
    expect(interactions.map((i) => [i.type, i.externalId])).toEqual([['EMAIL_BOUNCED', `${sent.messageId}:bounced`]]);
    expect((await api.ok<any>(a.owner, CONTACT, { id: sent.contactId })).contact.emailUndeliverable).toBe(true);
  });

  it('records a soft bounce (4.x.x, delayed) without marking the message or the address', async () => {
    const sent = await sentMessage(a);
    const messageId = `${token(TokenKind.BOUNCE, sent)}@crm.example.org`;
    const response = await postDsn(dsn(messageId, 'delayed', '4.2.2', '452 4.2.2 Mailbox full'), 'multipart/report');
    expect(response.status).toBe(202);
    const { message, interactions } = await stateOf(sent);
    expect(message).toMatchObject({ status: 'SENT', bouncedAt: null });
    expect(interactions.map((i) => i.type)).toEqual(['EMAIL_BOUNCED']);
    expect((await api.ok<any>(a.owner, CONTACT, { id: sent.contactId })).contact.emailUndeliverable).toBe(false);
  });

  it('refuses notifications without a valid token (404), unreadable ones (400) and large ones (413)', async () => {
    const sent = await sentMessage(a);
    const tampered = token(TokenKind.BOUNCE, sent).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const hard = (id: string) => dsn(id, 'failed', '5.1.1', '550 5.1.1 User unknown');
    expect((await postDsn(hard(`${tampered}@crm.example.org`))).status).toBe(404);
    expect((await postDsn(hard(`${token(TokenKind.OPEN, sent)}@crm.example.org`))).status).toBe(404);
    expect((await postDsn(hard('20251201.abc@elsewhere.example'))).status).toBe(404);
    expect((await postDsn('Subject: hello\r\n\r\nnot a report')).status).toBe(400);
    expect((await postDsn(Buffer.alloc(1024 * 1024 + 10, 'a'))).status).toBe(413);
    expect((await stateOf(sent)).interactions).toEqual([]);
  });

  it("never lets a token of one organization touch another's data", async () => {
    const ofA = await sentMessage(a);
    const ofB = await sentMessage(b);
    // B's message named under A's organization (a validly signed token: the message is looked up in A only)
    const crossed = { orgId: a.orgId, messageId: ofB.messageId };
    expect((await get(`/t/o/${token(TokenKind.OPEN, crossed)}`)).status).toBe(404);
    expect((await get(`/t/c/${token(TokenKind.CLICK, crossed)}`)).status).toBe(404);
    expect((await get(`/t/u/${token(TokenKind.UNSUBSCRIBE, crossed)}`, { method: 'POST' })).status).toBe(404);
    expect((await postDsn(dsn(`${token(TokenKind.BOUNCE, crossed)}@x.example`, 'failed', '5.1.1', '550'))).status).toBe(
      404,
    );
    // A's own token works, on A's message only
    expect((await get(`/t/o/${token(TokenKind.OPEN, ofA)}`)).status).toBe(200);
    expect((await stateOf(ofB)).interactions).toEqual([]);
    expect((await stateOf(ofB)).message).toMatchObject({ status: 'SENT', openedAt: null, unsubscribedAt: null });
    expect((await api.ok<any>(b.owner, CONTACT, { id: ofB.contactId })).contact.consents).toContainEqual({
      purpose: 'EMAIL_MARKETING',
      state: 'GRANTED',
    });
  });

  it('is not held to the per-client request rate (mail providers fetch through shared proxies)', async () => {
    const limited = await TestApi.start({ RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const sent = await sentMessage(a);
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await fetch(`${limited.url}/t/o/${token(TokenKind.OPEN, sent)}`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
    } finally {
      await limited.close();
    }
  });
});
