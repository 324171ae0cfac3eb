import { describe, expect, it } from '@jest/globals';
import { extractLinks, rewriteLinks } from './links.js';
import { parseTemplate } from './merge-fields.js';
import { renderCampaignMessage, type RenderInput } from './render-message.js';

const sender = {
  fromName: 'Théâtre <Du Nord>',
  fromEmail: 'info@theatre.example',
  replyTo: null,
  mailingAddress: '123 rue Principale, Montréal QC H2X 1Y4',
  contactLine: '514-555-0100 · info@theatre.example',
};
const urls = {
  openUrl: 'https://crm.example/t/o/OPEN',
  clickUrl: (idx: number) => `https://crm.example/t/c/CLICK${idx}`,
  unsubscribeUrl: 'https://crm.example/t/u/UNSUB',
  messageIdHeader: '<BOUNCE@crm.example>',
};

function render(overrides: Partial<RenderInput> = {}) {
  return renderCampaignMessage({
    variant: { subject: 'Bonjour {{firstName|ami}}', html: '<p>Bonjour {{firstName|ami}}</p>', text: null },
    recipient: { firstName: 'Élise', lastName: 'Côté', email: 'e@example.org', city: 'Québec', language: 'fr' },
    sender,
    links: new Map(),
    urls,
    ...overrides,
  });
}

describe('parseTemplate', () => {
  it('lists the known fields with their fallbacks', () => {
    expect(parseTemplate('{{firstName}} {{ lastName | Ami }} {{fullName}}{{email}}{{city|}}')).toEqual({
      fields: [
        { name: 'firstName', fallback: null },
        { name: 'lastName', fallback: 'Ami' },
        { name: 'fullName', fallback: null },
        { name: 'email', fallback: null },
        { name: 'city', fallback: null },
      ],
      problems: [],
    });
  });

  it('names an unknown field once, without the rest of the text', () => {
    const { problems } = parseTemplate('{{prenom}} secret {{prenom|x}}');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('{{prenom}}');
    expect(problems[0]).not.toContain('secret');
  });

  it('bounds the text and the number of fields', () => {
    expect(parseTemplate('x'.repeat(200 * 1024 + 1)).problems).toEqual([expect.stringContaining('200 KB')]);
    const many = parseTemplate('{{city}}'.repeat(201));
    expect(many.fields).toHaveLength(200);
    expect(many.problems).toEqual([expect.stringContaining('more than 200')]);
  });
});

describe('extractLinks', () => {
  it('keeps distinct http(s) links of anchors, decoded, in order; skips other schemes, anchors and personalised links', () => {
    const html = `<a href="https://a.example/x?b=1&amp;c=2">a</a><A HREF='http://b.example'>b</A>
      <a href="mailto:x@y.z">m</a><a href="tel:+15145550100">t</a><a href="#top">top</a>
      <a href="javascript:alert(1)">j</a><a href="https://a.example/x?b=1&c=2">again</a>
      <a href="https://c.example/?e={{email}}">p</a><img src="https://img.example/i.png"><a>none</a>`;
    expect(extractLinks(html)).toEqual(['https://a.example/x?b=1&c=2', 'http://b.example']);
  });
});

describe('rewriteLinks', () => {
  it('points the links of the map at their click URL and leaves the others as written', () => {
    const html = `<a class="x" href="https://a.example/1">1</a> <a href=https://b.example/2>2</a> <a href="https://evil.example">3</a>`;
    const links = new Map([
      ['https://a.example/1', 0],
      ['https://b.example/2', 1],
    ]);
    expect(rewriteLinks(html, links, urls.clickUrl)).toBe(
      `<a class="x" href="https://crm.example/t/c/CLICK0">1</a> <a href="https://crm.example/t/c/CLICK1">2</a> <a href="https://evil.example">3</a>`,
    );
  });
});

describe('renderCampaignMessage', () => {
  it('escapes values in the HTML, not in the subject and text', () => {
    const recipient = { firstName: '<b>Jo</b> & "Al"', lastName: null, email: 'e@x.org', city: null, language: 'fr' };
    const message = render({ recipient });
    expect(message.html).toContain('Bonjour &#60;b&#62;Jo&#60;/b&#62; &#38; &#34;Al&#34;');
    expect(message.html).not.toContain('<b>Jo');
    expect(message.subject).toBe('Bonjour <b>Jo</b> & "Al"');
    expect(message.text).toContain('Bonjour <b>Jo</b> & "Al"');
  });

  it('uses the fallback, else nothing, when a value is missing; fullName joins what is known', () => {
    const recipient = { firstName: ' ', lastName: 'Côté', email: null, city: null, language: 'fr' };
    const variant = { subject: 'S', html: '{{firstName|ami}}/{{city}}/{{fullName}}', text: '{{firstName|toi}}' };
    const message = render({ recipient, variant });
    expect(message.html.startsWith('ami//Côté')).toBe(true);
    expect(message.text.startsWith('toi')).toBe(true);
  });

  it('keeps a subject on one line', () => {
    const recipient = { firstName: 'A\r\nBcc: x@y.z', lastName: null, email: null, city: null, language: 'fr' };
    expect(render({ recipient }).subject).toBe('Bonjour A Bcc: x@y.z');
  });

  it('adds the footer in the recipient language, the pixel before </body>, and the headers', () => {
    const fr = render({ variant: { subject: 's', html: '<html><body><p>x</p></body></html>', text: null } });
    expect(fr.html).toMatch(
      /Vous recevez ce courriel de Théâtre &#60;Du Nord&#62;\.<br>123 rue Principale.*<a href="https:\/\/crm\.example\/t\/u\/UNSUB">Se désabonner<\/a>.*<img src="https:\/\/crm\.example\/t\/o\/OPEN" width="1" height="1" alt=""><\/body><\/html>$/s,
    );
    expect(fr.text).toContain('Se désabonner: https://crm.example/t/u/UNSUB');
    expect(fr.text).toContain('514-555-0100');
    const en = render({ recipient: { firstName: null, lastName: null, email: null, city: null, language: 'en' } });
    expect(en.html).toContain('>Unsubscribe</a>');
    expect(en.text).toContain('You are receiving this email from Théâtre <Du Nord>.');
    expect(fr.headers).toEqual({
      'Message-ID': '<BOUNCE@crm.example>',
      'List-Unsubscribe': '<https://crm.example/t/u/UNSUB>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('rewrites only the links of the map, in the HTML and the text made from it; never to a URL from elsewhere', () => {
    const variant = {
      subject: 's',
      html: '<p><a href="https://show.example/billets">Billets</a> <a href="https://other.example/">Autre</a></p>',
      text: null,
    };
    const message = render({ variant, links: new Map([['https://show.example/billets', 3]]) });
    expect(message.html).toContain('<a href="https://crm.example/t/c/CLICK3">Billets</a>');
    expect(message.html).toContain('<a href="https://other.example/">Autre</a>');
    expect(message.html).not.toContain('show.example');
    expect(message.text).toContain('Billets [https://crm.example/t/c/CLICK3]');
    expect(message.text).not.toContain('OPEN');
  });
});
