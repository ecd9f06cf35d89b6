import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ThawError } from '../../src/errors';
import type { EmailData, EmailObject, NotificationKind } from '../../src/notify/email-data';
import { NOTIFICATION_KINDS } from '../../src/notify/email-data';
import { KEY_BREAK_HTML } from '../../src/templating/key-breaks';
import {
  BUILT_IN_TEMPLATES_DIR,
  TemplateError,
  createTemplateRenderer,
} from '../../src/notify/template-renderer';

const LINK = 'https://dl.example.com/d/tok-1';

/** The text part with its wrapped lines joined again, for finding a sentence in it. */
const unwrapped = (text: string): string => text.replace(/\n(?=[^\n]) */g, ' ');

function object(overrides: Partial<EmailObject> = {}): EmailObject {
  return {
    bucket: 'archive',
    key: 'photos/2024/holiday.jpg',
    versionId: null,
    size: 1_234_567_890,
    status: 'completed',
    downloadUrl: LINK,
    restoreExpiresAt: '2026-12-01T00:00:00Z',
    ...overrides,
  };
}

function emailData(overrides: Partial<EmailData> = {}): EmailData {
  return {
    kind: 'completed',
    requestId: 'req-42',
    recipient: { email: 'ada@example.com', name: 'Ada', locale: 'en', timeZone: 'America/Los_Angeles' },
    tier: 'Standard',
    storageClass: 'GLACIER',
    objects: [object()],
    expectedBy: '2026-11-30T20:00:00Z',
    restoreExpiresAt: '2026-12-01T00:00:00Z',
    linkExpiresAt: '2026-11-30T12:00:00Z',
    statusPageUrl: 'https://status.example.com/r/req-42',
    now: '2026-11-28T10:00:00Z',
    ...overrides,
  };
}

/** Data as the worker would build it for each kind (links only where the contract has them). */
function dataFor(kind: NotificationKind, locale: string, multi: boolean): EmailData {
  const links = kind === 'completed' || kind === 'expiring';
  const status =
    kind === 'expired' ? 'expired' : kind === 'failed' ? 'failed' : links ? 'completed' : 'initiated';
  const keys = multi ? ['a/one.txt', 'a/two.bin', 'b/three.pdf'] : ['photos/2024/holiday.jpg'];
  const objects = keys.map((key, index) =>
    object({
      key,
      status,
      size: 1000 ** (index + 1) * 3,
      downloadUrl: links ? `${LINK}${index}` : undefined,
      ...(kind === 'failed'
        ? { failure: index === 0 ? ('missing' as const) : ('not-started' as const) }
        : {}),
    }),
  );
  return emailData({
    kind,
    objects,
    recipient: { email: 'ada@example.com', name: 'Ada', locale, timeZone: 'America/Los_Angeles' },
  });
}

const temps: string[] = [];
function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-templates-'));
  temps.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const builtIn = createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR });

describe('built-in templates', () => {
  it('ship en and de', () => {
    expect(builtIn.locales()).toEqual(['de', 'en']);
  });

  describe.each(builtIn.locales())('%s', (locale) => {
    it.each(NOTIFICATION_KINDS.flatMap((kind) => [[kind, false] as const, [kind, true] as const]))(
      '%s (several objects: %s) renders all three parts',
      (kind, multi) => {
        const email = builtIn.render(dataFor(kind, locale, multi));
        expect(email.subject).not.toMatch(/[\r\n]/);
        expect(email.html).toMatch(/^<!DOCTYPE html>/);
        expect(email.html).toContain(`lang="${locale}"`);
        expect(email.html).not.toMatch(/<script|<img|<link|src=/i);
        expect(email.text).not.toMatch(/<[a-z]/i);
        // Every email links to the status page and names the request.
        expect(email.html).toContain('href="https://status.example.com/r/req-42"');
        expect(email.text).toContain('https://status.example.com/r/req-42');
        expect(email.text).toContain('req-42');
        for (const key of dataFor(kind, locale, multi).objects.map((item) => item.key)) {
          expect(email.html).toContain(key);
          expect(email.text).toContain(key);
        }
        expect(email).toMatchSnapshot();
      },
    );
  });

  it.each([
    ['en', false],
    ['en', true],
    ['de', false],
    ['de', true],
  ] as const)('completed (%s, several: %s) has every download link in both parts', (locale, multi) => {
    const data = dataFor('completed', locale, multi);
    const email = builtIn.render(data);
    for (const url of data.objects.map((item) => item.downloadUrl)) {
      expect(email.html).toContain(`href="${url}"`);
      expect(email.text).toContain(`\n  ${url}\n`);
    }
  });

  it.each([
    ['en', 'could not be restored', 'the file no longer exists in the archive.'],
    ['de', 'konnte nicht wiederhergestellt werden', 'Die Datei existiert im Archiv nicht mehr.'],
  ] as const)(
    'failed (%s) says why in the recipient language, without S3 internals',
    (locale, subject, why) => {
      const email = builtIn.render(dataFor('failed', locale, false));
      expect(email.subject).toBe(`photos/2024/holiday.jpg ${subject}`);
      expect(unwrapped(email.text)).toContain(why);
      expect(email.html).toContain(why);
      expect(`${email.text}${email.html}`).not.toMatch(/S3|HeadObject|never started/);
    },
  );

  it('escapes the query of a presigned URL in href and keeps it raw in text', () => {
    const url = 'https://b.s3.amazonaws.com/k?X-Amz-Expires=3600&X-Amz-Signature=ab12';
    const email = builtIn.render(emailData({ objects: [object({ downloadUrl: url })] }));
    expect(email.html).toContain(
      'href="https://b.s3.amazonaws.com/k?X-Amz-Expires&#x3D;3600&amp;X-Amz-Signature',
    );
    expect(email.text).toContain(url);
  });

  it('shows dates in the recipient time zone with its name', () => {
    const email = builtIn.render(emailData({ linkExpiresAt: undefined }));
    expect(unwrapped(email.text)).toContain('Monday, November 30, 2026 at 4:00 PM PST');
    expect(email.html).toContain('Monday, November 30, 2026 at 4:00 PM PST');
    const berlin = builtIn.render(
      emailData({ recipient: { email: 'e@example.com', locale: 'de', timeZone: 'Europe/Berlin' } }),
    );
    expect(unwrapped(berlin.text)).toContain('Dienstag, 1. Dezember 2026 um 01:00 MEZ');
  });

  it('formats sizes and the restore window in the recipient language', () => {
    const en = builtIn.render(emailData({ kind: 'initiated' }));
    expect(en.text).toContain('(1.2 GB)');
    expect(en.text).toContain('Standard retrieval typically takes 3–5 hours.');
    expect(en.text).toContain('Expected by: Monday, November 30, 2026 at 12:00 PM PST (in 2 days)');
    const de = builtIn.render(
      emailData({
        kind: 'initiated',
        tier: 'Bulk',
        storageClass: 'DEEP_ARCHIVE',
        recipient: { email: 'e@example.com', locale: 'de-AT', timeZone: 'Europe/Vienna' },
      }),
    );
    expect(de.text).toMatch(/\(1,2\sGB\)/); // de-AT puts a no-break space before the unit
    expect(de.text).toContain('Ein Massenabruf ist in der Regel innerhalb von 48 Stunden abgeschlossen.');
  });

  it('says an Intelligent-Tiering object (no restoreExpiresAt) does not expire', () => {
    const email = builtIn.render(
      emailData({ restoreExpiresAt: undefined, objects: [object({ restoreExpiresAt: undefined })] }),
    );
    expect(email.text).toContain('The file stays available; it does not expire.');
    expect(email.text).not.toContain('restored copy is available until');
  });

  it('puts the count in the subject of a several-object request', () => {
    const many = (count: number): EmailObject[] =>
      Array.from({ length: count }, (_, index) => object({ key: `scans/page-${index}.tif` }));
    expect(builtIn.render(emailData({ objects: many(312) })).subject).toBe(
      'Your 312 files are ready to download',
    );
    const de = { email: 'e@example.com', locale: 'de', timeZone: 'Europe/Berlin' };
    expect(builtIn.render(emailData({ objects: many(1000), recipient: de })).subject).toBe(
      'Ihre 1.000 Dateien stehen zum Download bereit',
    );
    // The first 25 are named, the others counted (see template-large-sets.test.ts).
    const email = builtIn.render(emailData({ objects: many(312) }));
    expect(email.text.match(/scans\/page-\d+\.tif/g)).toHaveLength(25);
    expect(unwrapped(email.text)).toContain('…and 287 more files, all listed on your status page:');
  });

  it('names a single object by its key in the subject, or by its last segment when the key is long', () => {
    expect(builtIn.render(emailData()).subject).toBe('photos/2024/holiday.jpg is ready to download');
    const long = `${'deep/'.repeat(30)}holiday.jpg`;
    const email = builtIn.render(emailData({ objects: [object({ key: long })] }));
    expect(email.subject).toBe('holiday.jpg is ready to download');
    expect(email.text).toContain(long);
  });

  it('drops links that are not http(s)', () => {
    const email = builtIn.render(
      emailData({
        statusPageUrl: 'javascript:alert(1)',
        objects: [object({ downloadUrl: 'javascript:alert(2)' })],
      }),
    );
    expect(email.html).not.toContain('javascript:');
    expect(email.text).not.toContain('javascript:');
  });
});

describe('user data', () => {
  const hostile = '<script>alert(1)</script>.jpg';

  it('is escaped in HTML and literal in text', () => {
    const email = builtIn.render(
      emailData({
        objects: [object({ key: hostile })],
        recipient: {
          email: 'e@example.com',
          name: '<b onmouseover="x">Eve</b>',
          locale: 'en',
          timeZone: 'UTC',
        },
      }),
    );
    expect(email.html).not.toMatch(/<script|<b onmouseover/);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.jpg');
    expect(email.text).toContain(hostile);
    expect(email.text).toContain('Hello <b onmouseover="x">Eve</b>,');
    expect(email.subject).toBe('<script>alert(1)</script>.jpg is ready to download');
  });

  it('cannot break the subject into a second header line', () => {
    const key = 'reports/a\r\nBcc: victim@evil.example\r\n\r\nbody.pdf';
    const { subject } = builtIn.render(emailData({ objects: [object({ key: `x/${key}` })] }));
    expect(subject).not.toMatch(/[\r\n\t]/);
    expect(subject).toBe('x/reports/a Bcc: victim@evil.example body.pdf is ready to download');
  });

  it('caps a long subject with an ellipsis', () => {
    const { subject } = builtIn.render(emailData({ objects: [object({ key: `${'x'.repeat(500)}.jpg` })] }));
    expect(Array.from(subject)).toHaveLength(200);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('keeps newlines but no other control characters in the text part', () => {
    const key = 'a\u0000b\u001b[31mred\tline\r\nnext\u202Egpj.exe';
    const email = builtIn.render(emailData({ objects: [object({ key })] }));
    expect(email.text).toContain('a\uFFFDb\uFFFD[31mred line\nnext\uFFFDgpj.exe');
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(email.text + email.html).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u202E]/);
  });

  it('lets long keys wrap in HTML and keeps every line under 900 characters', () => {
    const longKey = `deep/${'&<x>'.repeat(200)}${'y'.repeat(800)}`;
    const url = `https://bucket.s3.eu-central-1.amazonaws.com/${'k'.repeat(300)}?X-Amz-Signature=${'f'.repeat(900)}`;
    const objects = Array.from({ length: 40 }, (_, index) =>
      object({ key: `${longKey}-${index}`, downloadUrl: url }),
    );
    const email = builtIn.render(emailData({ objects }));
    const lines = email.html.split('\n');
    const tooLong = lines.filter((line) => line.length > 900);
    expect(tooLong.length).toBeGreaterThan(0); // the hrefs: a presigned URL has no safe break
    for (const line of tooLong) expect(line).toMatch(/^href="[^"]*"$/);
    expect(email.html).toContain('word-break:break-all');
    // Breaks were inserted as empty comments, and break opportunities into the key (see
    // KEY_BREAK_HTML); without them the key reads as before. (Only the first keys are named: 40
    // such keys and links would be far past Gmail's clip, see template-large-sets.test.ts.)
    const joined = email.html
      .replace(/<!--\n-->/g, '')
      .split(KEY_BREAK_HTML)
      .join('');
    expect(joined).toContain(
      `${longKey.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}-0`,
    );
  });
});

describe('locale fallback', () => {
  const overrideDir = tempDir({
    'pt/completed.subject.hbs': 'PT {{objectName}} {{formatDate restoreExpiresAt style="date"}}',
  });
  const renderer = createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR, overrideDir });
  const withLocale = (locale: string, timeZone = 'UTC'): EmailData =>
    emailData({ recipient: { email: 'e@example.com', locale, timeZone } });

  it('goes pt-BR → pt → en, part by part', () => {
    expect(renderer.locales()).toEqual(['de', 'en', 'pt']);
    const email = renderer.render(withLocale('pt-BR'));
    // pt-BR dates for a pt template; en body for the parts pt lacks.
    expect(email.subject).toBe('PT holiday.jpg terça-feira, 1 de dezembro de 2026');
    expect(email.text).toContain('is ready to download');
  });

  it('falls back to en for a language without templates, with English dates', () => {
    const email = renderer.render(withLocale('fr-FR', 'Europe/Paris'));
    expect(email.subject).toBe('photos/2024/holiday.jpg is ready to download');
    expect(unwrapped(email.text)).toContain('Tuesday, December 1, 2026 at 1:00 AM GMT+1');
    expect(email.html).toContain('lang="en"');
  });

  it('uses a regional variant of the template language for dates (de-AT reads de)', () => {
    const email = renderer.render(withLocale('de-AT', 'Europe/Vienna'));
    expect(email.html).toContain('lang="de-AT"');
    expect(email.text).toContain('Dienstag, 1. Dezember 2026 um 01:00 MEZ');
  });

  it('renders an invalid locale and time zone as en and UTC instead of failing', () => {
    const email = renderer.render(withLocale('not a locale!', 'Mars/Olympus_Mons'));
    expect(email.subject).toBe('photos/2024/holiday.jpg is ready to download');
    expect(unwrapped(email.text)).toContain('Tuesday, December 1, 2026 at 12:00 AM UTC');
  });
});

describe('operator templates (TEMPLATES_DIR)', () => {
  it('replace built-in files one by one', () => {
    const overrideDir = tempDir({
      'en/completed.subject.hbs': 'Custom: {{objectName}} ({{fileSize object.size}})',
      'en/partials/footer.text.hbs': 'Custom footer {{requestId}}\n',
    });
    const renderer = createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR, overrideDir });
    const email = renderer.render(emailData());
    expect(email.subject).toBe('Custom: holiday.jpg (1.2 GB)');
    expect(email.text).toContain('Custom footer req-42');
    expect(email.text).not.toContain('You are receiving this email');
    expect(email.html).toContain('You are receiving this email'); // the HTML footer is still built in
    expect(builtIn.render(emailData()).subject).toBe('photos/2024/holiday.jpg is ready to download');
  });

  it.each([
    // Handlebars reports a mismatched close at its opening tag, a missing close at the end.
    ['a mismatched block', '<p>\n{{#if multi}}\n<b>\n{{/each}}\n', 2],
    ['an unclosed block', 'one\ntwo\n{{#if multi}}\nthree\n', 5],
    ['a syntax error', 'one\n{{foo bar=}}\n', 2],
    ['an unknown helper', '<p>\n\n{{formatDat restoreExpiresAt}}</p>\n', 3],
    ['an unknown partial', '<p>\n{{> objet-list.html}}\n', 2],
  ])('refuse to load with %s, naming file and line', (_name, source, line) => {
    const overrideDir = tempDir({ 'de/completed.html.hbs': source });
    const load = (): unknown => createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR, overrideDir });
    expect(load).toThrow(TemplateError);
    expect(load).toThrow(`${join(overrideDir, 'de', 'completed.html.hbs')} line ${line}`);
    expect(load).toThrow(expect.objectContaining({ code: 'template_invalid', retryable: false }));
  });

  it('refuse a misnamed file rather than ignore it', () => {
    const overrideDir = tempDir({ 'de/complted.html.hbs': 'x' });
    expect(() => createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR, overrideDir })).toThrow(
      /complted\.html\.hbs/,
    );
  });

  it('fail when the folder does not exist', () => {
    const overrideDir = join(tempDir(), 'missing');
    expect(() => createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR, overrideDir })).toThrow(
      TemplateError,
    );
  });
});

describe('a new locale from an operator', () => {
  it('reuses the shared layout and partials, and gets its writing direction', () => {
    const overrideDir = tempDir({
      'ar/completed.html.hbs':
        '{{#> layouts/email.html title="جاهز"}}<p>{{objectName}}</p>{{/layouts/email.html}}\n',
    });
    const renderer = createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR, overrideDir });
    const email = renderer.render(
      emailData({ recipient: { email: 'e@example.com', locale: 'ar-EG', timeZone: 'UTC' } }),
    );
    expect(email.html).toContain('<html lang="ar-EG" dir="rtl">');
    expect(email.html).toContain('<p>holiday.jpg</p>');
    expect(email.html).toContain('Track your restore'); // the en footer: ar has none of its own
    expect(email.subject).toBe('photos/2024/holiday.jpg is ready to download');
  });
});

describe('render input', () => {
  it('refuses a request without objects', () => {
    expect(() => builtIn.render(emailData({ objects: [] }))).toThrow(
      expect.objectContaining({ code: 'email_data_invalid', retryable: false }),
    );
  });
});

describe('en, the last fallback', () => {
  it('must have all 15 parts', () => {
    const templatesDir = tempDir();
    cpSync(BUILT_IN_TEMPLATES_DIR, templatesDir, { recursive: true });
    rmSync(join(templatesDir, 'en', 'expired.text.hbs'));
    const load = (): unknown => createTemplateRenderer({ templatesDir });
    expect(load).toThrow(TemplateError);
    expect(load).toThrow('en/expired.text.hbs');
  });
});

describe('TemplateError', () => {
  it('is a ThawError that is never retried', () => {
    const error = new TemplateError('broken');
    expect(error).toBeInstanceOf(ThawError);
    expect(error).toMatchObject({ name: 'TemplateError', code: 'template_invalid', retryable: false });
  });
});
