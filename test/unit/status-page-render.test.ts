import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILT_IN_PAGES_DIR, createPageRenderer } from '../../src/pages/page-renderer';
import { normaliseCss } from '../../src/pages/page-style';
import { BUILT_IN_TEMPLATES_DIR, createTemplateRenderer } from '../../src/notify/template-renderer';
import { NOW, linksFor, objectState, storedRequest } from './status-page-fixtures';

const pages = createPageRenderer({ pagesDir: BUILT_IN_PAGES_DIR });
const text = (html: string): string =>
  html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

describe('page templates', () => {
  it('never triple-stash: every value is escaped', () => {
    for (const file of filesBelow(BUILT_IN_PAGES_DIR).filter((path) => path.endsWith('.hbs'))) {
      expect([file, readFileSync(file, 'utf8').includes('{{{')]).toEqual([file, false]);
    }
  });

  it('leave the email templates alone: `pages` is not an email locale', () => {
    expect(createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR }).locales()).toEqual(['de', 'en']);
  });
});

describe('status page', () => {
  const evil = '<script>alert("x")</script>&"\'.txt';
  const request = storedRequest(
    [
      objectState({ status: 'completed', restoreExpiryTime: '2026-12-05T00:00:00Z' }),
      objectState({ status: 'initiated', expectedBy: '2026-11-28T14:00:00Z' }),
      objectState({ status: 'failed', failureReason: 'the object no longer exists in S3' }),
    ],
    { keys: [evil, 'b/two.tif', 'c/three.tif'] },
  );

  it('escapes keys, shows counts, a labelled <progress> and a refresh while pending', () => {
    const { html, locale } = pages.status(request, linksFor([0]), NOW);
    expect(locale).toBe('en');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&#x27;.txt');
    expect(html).toContain('<progress max="3" value="1" aria-labelledby="progress-label">33%</progress>');
    expect(text(html)).toContain('1 of 3 ready (33%)');
    expect(html).toContain('<meta http-equiv="refresh" content="300">');
    expect(html).toContain('href="https://restores.example.com/d/token-0-abcdefghijklmnop"');
    expect(html).toContain('<th scope="row">');
    expect(text(html)).toContain('The file no longer exists in the archive');
    expect(html).not.toContain('no longer exists in S3');
  });

  it('inlines exactly the stylesheet its CSP hash allows', () => {
    const { html } = pages.status(request, linksFor([0]), NOW);
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(css).toBe(normaliseCss(readFileSync(join(BUILT_IN_PAGES_DIR, 'status.css'), 'utf8')));
    const digest = createHash('sha256').update(css).digest('base64');
    expect(pages.styleSource).toBe(`'sha256-${digest}'`);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('has no refresh once nothing is pending', () => {
    const done = storedRequest([objectState({ status: 'completed' }), objectState({ status: 'expired' })]);
    const { html } = pages.status(done, linksFor([0]), NOW);
    expect(html).not.toContain('http-equiv="refresh"');
    expect(text(html)).toContain('Your files are ready to download');
  });

  it('speaks German to de and de-AT readers (with Austrian dates), English to others', () => {
    const de = pages.status(
      storedRequest([objectState({ status: 'initiated', expectedBy: '2026-11-28T14:00:00Z' })], {
        recipient: { locale: 'de-AT', timeZone: 'Europe/Vienna' },
      }),
      new Map(),
      NOW,
    );
    expect(de.locale).toBe('de-AT');
    expect(de.html).toContain('<html lang="de-AT" dir="ltr">');
    expect(text(de.html)).toContain('Ihre Datei wird wiederhergestellt');
    expect(text(de.html)).toContain('Samstag, 28. November 2026 um 15:00 MEZ');
    const pt = pages.status(
      storedRequest([objectState()], { recipient: { locale: 'pt-BR' } }),
      new Map(),
      NOW,
    );
    expect(pt.locale).toBe('en');
    expect(text(pt.html)).toContain('Your restore is waiting to start');
  });

  it('single object: a Download button, and "stays available" without an expiry', () => {
    const it = storedRequest([objectState({ status: 'completed', storageClass: 'INTELLIGENT_TIERING' })]);
    const { html } = pages.status(it, linksFor([0]), NOW);
    expect(html).toMatch(/<a class="button" href="https:\/\/restores\.example\.com\/d\/token-0-[^"]+"/);
    expect(text(html)).toContain('Stays available; it does not expire');
  });

  it('renders 1,000 objects in a size-sensible page', () => {
    const many = storedRequest(
      Array.from({ length: 1000 }, (_, index) =>
        objectState(
          index % 2 === 0
            ? { status: 'completed', restoreExpiryTime: '2026-12-05T00:00:00Z' }
            : { status: 'initiated', expectedBy: '2026-11-28T14:00:00Z' },
        ),
      ),
      {
        keys: Array.from(
          { length: 1000 },
          (_, index) => `photos/2026/IMG_${String(index).padStart(5, '0')}.jpg`,
        ),
      },
    );
    const ready = Array.from({ length: 500 }, (_, index) => index * 2);
    const { html } = pages.status(many, linksFor(ready), NOW);
    expect(html.match(/<tr><th scope="row">/g)).toHaveLength(1000);
    expect(html.match(/>Download</g)).toHaveLength(500);
    expect(text(html)).toContain('500 of 1,000 ready (50%)');
    // The shared expiry is said once per group, not on each of the 500 rows.
    expect(html.match(/Dec 4, 4:00/g)).toHaveLength(1);
    expect(Buffer.byteLength(html)).toBeLessThan(250_000);
  });
});

describe('not-found and unavailable pages', () => {
  it('in the request’s language when known, English otherwise', () => {
    expect(text(pages.notFound(undefined, NOW).html)).toContain('This link is not valid any more');
    const de = pages.notFound('de', NOW);
    expect(de.locale).toBe('de');
    expect(text(de.html)).toContain('Dieser Link ist nicht mehr gültig');
    expect(text(pages.unavailable(NOW).html)).toContain('We cannot show this page right now');
  });
});

describe('operator overrides', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'thaw-pages-'));
    const file = join(dir, 'fr', 'not-found.html.hbs');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{{#> layouts/page.html}}<h1>Lien introuvable</h1>{{/layouts/page.html}}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('add locales from TEMPLATES_DIR/pages, falling back to the built-in pages', () => {
    const withFrench = createPageRenderer({ pagesDir: BUILT_IN_PAGES_DIR, overrideDir: dir });
    expect(withFrench.notFound('fr-CA', NOW).html).toContain('<h1>Lien introuvable</h1>');
    expect(text(withFrench.status(storedRequest([objectState()]), new Map(), NOW).html)).toContain(
      'waiting to start',
    );
    const missing = createPageRenderer({ pagesDir: BUILT_IN_PAGES_DIR, overrideDir: join(dir, 'nope') });
    expect(missing.styleSource).toBe(pages.styleSource);
  });
});
